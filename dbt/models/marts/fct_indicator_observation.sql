with

observations as (
    select * from {{ of_changed_regions(ref('int_observations_current')) }}
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
