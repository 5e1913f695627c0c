-- First attainment mart: compares the figure each target is judged on with the
-- target. Completion ratio is actual / target (the lower bound for ranges) and
-- target / actual for "at most" targets (ranks), so 1.0 or more means met.
-- Qualitative and relational targets have no number to compare with.
with

indicators as (
    select * from {{ ref('dim_indicator') }}
),

progress as (
    select * from {{ ref('int_indicator_progress') }}
),

joined as (
    select
        indicators.plan_id,
        indicators.region_code,
        indicators.indicator_code,
        indicators.name_zh,
        indicators.name_en,
        indicators.unit,
        indicators.kind,
        indicators.comparator,
        indicators.target_value,
        indicators.target_upper,
        indicators.tolerance,
        indicators.target_year,
        progress.latest_period,
        progress.latest_value,
        progress.actual_value,
        coalesce(progress.periods_reported, 0) as periods_reported,
    from indicators
    left join progress
        on
            indicators.plan_id = progress.plan_id
            and indicators.region_code = progress.region_code
            and indicators.indicator_code = progress.indicator_code
),

assessed as (
    select
        plan_id,
        region_code,
        indicator_code,
        name_zh,
        name_en,
        unit,
        kind,
        comparator,
        target_value,
        target_upper,
        target_year,
        latest_period,
        latest_value,
        actual_value,
        periods_reported,
        case
            when kind in ('qualitative', 'relational') or actual_value is null then null
            when comparator = 'at_most' and actual_value > 0
                then round(target_value / actual_value, 4)
            when comparator <> 'at_most' and target_value <> 0
                then round(actual_value / target_value, 4)
        end as completion_ratio,
        case
            when kind in ('qualitative', 'relational') then 'not_assessable'
            when actual_value is null then 'no_data'
            when comparator = 'at_most' and actual_value <= target_value then 'achieved'
            when comparator = 'about'
                and abs(actual_value - target_value) <= tolerance * abs(target_value)
                then 'achieved'
            when comparator in ('at_least', 'within', 'equals') and actual_value >= target_value
                then 'achieved'
            else 'not_achieved'
        end as status,
    from joined
)

select
    plan_id,
    region_code,
    indicator_code,
    name_zh,
    name_en,
    unit,
    kind,
    comparator,
    target_value,
    target_upper,
    target_year,
    latest_period,
    latest_value,
    actual_value,
    periods_reported,
    completion_ratio,
    status,
from assessed
