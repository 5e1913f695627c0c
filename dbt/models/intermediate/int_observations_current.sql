-- The value in force for each (region, indicator, period): the latest vintage known at
-- the `as_of` date. A vintage's date is the submission date its file declares (a 报送日期
-- column or line, or a date in its name), else the day it was loaded. Vintages are ordered
-- by that date; on the same date a final figure (最终核实) comes before one not marked and
-- a preliminary one (初步核算); then the later load, then the file path and row.
with

observations as (
    select
        *,
        coalesce(submitted_on, cast(loaded_at as date)) as vintage_date,
    from {{ of_changed_regions(ref('stg_observations')) }}
),

known as (
    select * from observations
    {% if var('as_of', none) %}
        where vintage_date <= cast('{{ var("as_of") }}' as date)
    {% endif %}
),

ranked as (
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
        count(*) over (
            partition by region_code, indicator_code, period
        ) as vintages,
        row_number() over (
            partition by region_code, indicator_code, period
            order by
                vintage_date desc,
                case estimate_stage when 'final' then 2 when 'preliminary' then 0 else 1 end desc,
                loaded_at desc,
                source_file desc,
                source_row desc
        ) as recency_rank
    from known
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
from ranked
where recency_rank = 1
