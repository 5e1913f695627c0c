with

observations as (
    select * from {{ ref('int_observations_current') }}
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
from observations
