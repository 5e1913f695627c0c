-- The value in force for each (region, indicator, period): the latest vintage known at
-- the `as_of` date. Vintages are ordered by when their file was loaded (a resubmission
-- arrives after what it revises), then, for files loaded together, by the submission date
-- their names declare (undated files first), then by file path.
with

observations as (
    select * from {{ ref('stg_observations') }}
    {% if var('as_of', none) %}
        where coalesce(submitted_on, cast(loaded_at as date)) <= cast('{{ var("as_of") }}' as date)
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
        unit,
        value_original,
        unit_original,
        missing_reason,
        source_file,
        source_checksum,
        source_sheet,
        source_row,
        submitted_on,
        count(*) over (
            partition by region_code, indicator_code, period
        ) as vintages,
        row_number() over (
            partition by region_code, indicator_code, period
            order by
                loaded_at desc, submitted_on desc nulls last, source_file desc, source_row desc
        ) as recency_rank
    from observations
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
    unit,
    value_original,
    unit_original,
    missing_reason,
    source_file,
    source_checksum,
    source_sheet,
    source_row,
    submitted_on,
    vintages,
from ranked
where recency_rank = 1
