-- The figure each target is judged on. A cumulative target is judged on the sum of
-- annual flows after the base year up to the target year; every other kind on the
-- latest annual value from the base year to the target year (see int_observations_annual).
with

indicators as (
    select * from {{ ref('stg_plan_indicators') }}
),

annual as (
    select *, cast(period_year as varchar) as period
    from {{ ref('int_observations_annual') }}
),

in_plan_period as (
    select
        indicators.plan_id,
        indicators.region_code,
        indicators.indicator_code,
        indicators.kind,
        annual.period,
        annual.period_year,
        annual.value,
        sum(annual.value) over (
            partition by indicators.plan_id, indicators.region_code, indicators.indicator_code
            order by annual.period_year
        ) as cumulative_value,
        row_number() over (
            partition by indicators.plan_id, indicators.region_code, indicators.indicator_code
            order by annual.period_year desc
        ) as latest_rank,
        count(*) over (
            partition by indicators.plan_id, indicators.region_code, indicators.indicator_code
        ) as periods_reported
    from indicators
    inner join annual
        on
            indicators.plan_id = annual.plan_id
            and indicators.region_code = annual.region_code
            and indicators.indicator_code = annual.indicator_code
    where
        annual.period_year <= indicators.target_year
        and (
            (indicators.kind = 'cumulative' and annual.period_year > indicators.base_year)
            or (indicators.kind <> 'cumulative' and annual.period_year >= indicators.base_year)
        )
)

select
    plan_id,
    region_code,
    indicator_code,
    period as latest_period,
    value as latest_value,
    case
        when kind = 'cumulative' then cumulative_value
        else value
    end as actual_value,
    periods_reported,
from in_plan_period
where latest_rank = 1
