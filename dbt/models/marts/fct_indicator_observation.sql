-- The same rows as int_observations_current, as a view: a province's 1.4 million rows are
-- not written to the file a second time (README, Performance).
{{ config(materialized='view', pre_hook=[]) }}

with

observations as (
    select * from {{ ref('int_observations_current') }}
)

select
    region_code,
    department_code,
    indicator_code,
    period,
    period_type,
    period_year,
    period_end_date,
    value,
    is_outside_list,
    comparable_growth_pct,
    estimate_stage,
    unit,
    value_original,
    unit_original,
    missing_reason,
    source_file,
    source_checksum,
    source_sheet,
    source_row,
    submitted_on,
    vintage_date,
    vintages,
from observations
