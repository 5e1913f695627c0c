-- One figure per (plan, region, indicator, year), whatever the cadence it was sent in.
-- A figure for the whole year wins. Otherwise a flow adds up its four quarters or twelve
-- months (only when all are there), a stock takes its year-end (Q4 or December) value,
-- and an event (a milestone) counts as reached in the year when any period says so.
with

indicators as (
    select plan_id, region_code, indicator_code, measure
    from {{ ref('stg_plan_indicators') }}
),

observations as (
    select * from {{ ref('int_observations_current') }}
    where value is not null
),

by_year as (
    select
        indicators.plan_id,
        indicators.region_code,
        indicators.indicator_code,
        indicators.measure,
        observations.period_year,
        max(observations.value) filter (where observations.period_type = 'year') as year_value,
        case
            when count(*) filter (where observations.period_type = 'quarter') = 4
                then sum(observations.value) filter (where observations.period_type = 'quarter')
        end as quarters_total,
        case
            when count(*) filter (where observations.period_type = 'month') = 12
                then sum(observations.value) filter (where observations.period_type = 'month')
        end as months_total,
        max(observations.value) filter (
            where observations.period_type in ('quarter', 'month')
            and month(observations.period_end_date) = 12
        ) as year_end_value,
        max(observations.value) as event_value,
        min(observations.period_end_date) filter (where observations.value = 1) as reached_on,
        count(*) as observations
    from indicators
    inner join observations
        on
            indicators.region_code = observations.region_code
            and indicators.indicator_code = observations.indicator_code
    group by all
),

annual as (
    select
        plan_id,
        region_code,
        indicator_code,
        period_year,
        case
            when measure = 'event' then event_value
            when year_value is not null then year_value
            when measure = 'flow' then coalesce(quarters_total, months_total)
            else year_end_value
        end as value,
        case
            when measure = 'event' then 'event'
            when year_value is not null then 'year'
            when measure = 'flow' and quarters_total is not null then 'quarters'
            when measure = 'flow' and months_total is not null then 'months'
            when measure = 'stock' and year_end_value is not null then 'year_end'
        end as derived_from,
        case when measure = 'event' then reached_on end as reached_on,
        observations
    from by_year
)

select * from annual
where value is not null
