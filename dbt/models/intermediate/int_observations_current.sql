-- One value per (region, indicator, period). When several files report the same
-- period, the file whose path sorts last wins; submission files carry their date
-- or version in their names, so this is the latest one sent.
with

observations as (
    select * from {{ ref('stg_observations') }}
),

ranked as (
    select
        region_code,
        indicator_code,
        period,
        period_type,
        period_year,
        period_end_date,
        value,
        unit,
        source_file,
        source_sheet,
        source_row,
        count(*) over (
            partition by region_code, indicator_code, period
        ) as reported_times,
        row_number() over (
            partition by region_code, indicator_code, period
            order by source_file desc, source_sheet desc, source_row desc
        ) as recency_rank
    from observations
)

select
    region_code,
    indicator_code,
    period,
    period_type,
    period_year,
    period_end_date,
    value,
    unit,
    source_file,
    source_sheet,
    source_row,
    reported_times,
from ranked
where recency_rank = 1
