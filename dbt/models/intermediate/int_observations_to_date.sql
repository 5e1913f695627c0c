-- Each target's figure to date at the end of every reported period: one row per (plan,
-- region, indicator, year, end month). A figure sent for the year or for the year to date
-- is taken as it is. Quarters and months of a flow are added up from January, and only
-- when none is missing before them; for a stock or an event a quarter's or month's value
-- is the figure at its end. End month 12 is the year's figure.
with

indicators as (
    select plan_id, region_code, indicator_code, measure
    from {{ ref('stg_plan_indicators') }}
),

observations as (
    select
        indicators.plan_id,
        indicators.measure,
        current_values.region_code,
        current_values.indicator_code,
        current_values.period_type,
        current_values.period_year,
        month(current_values.period_end_date) as end_month,
        current_values.value,
    from indicators
    inner join {{ ref('int_observations_current') }} as current_values
        on
            indicators.region_code = current_values.region_code
            and indicators.indicator_code = current_values.indicator_code
    where current_values.value is not null
),

reported_to_date as (
    select
        plan_id,
        region_code,
        indicator_code,
        period_year,
        end_month,
        value,
        'reported' as derived_from,
        1 as preference,
    from observations
    where period_type in ('year', 'ytd')
),

running as (
    select
        plan_id,
        region_code,
        indicator_code,
        measure,
        period_type,
        period_year,
        end_month,
        case
            when measure = 'flow' then sum(value) over parts_so_far else value
        end as value,
        count(*) over parts_so_far as parts,
        case when period_type = 'quarter' then end_month // 3 else end_month end as parts_expected,
    from observations
    where period_type in ('quarter', 'month')
    window parts_so_far as (
        partition by plan_id, region_code, indicator_code, period_year, period_type
        order by end_month
        rows between unbounded preceding and current row
    )
),

from_parts as (
    select
        plan_id,
        region_code,
        indicator_code,
        period_year,
        end_month,
        value,
        case
            when measure = 'flow' and period_type = 'quarter' then 'sum_of_quarters'
            when measure = 'flow' then 'sum_of_months'
            when period_type = 'quarter' then 'quarter_end'
            else 'month_end'
        end as derived_from,
        case when period_type = 'quarter' then 2 else 3 end as preference,
    from running
    where measure <> 'flow' or parts = parts_expected
),

candidates as (
    select * from reported_to_date
    union all
    select * from from_parts
),

ranked as (
    select
        *,
        row_number() over (
            partition by plan_id, region_code, indicator_code, period_year, end_month
            order by preference
        ) as preference_rank,
    from candidates
)

select
    plan_id,
    region_code,
    indicator_code,
    period_year,
    end_month,
    case
        when end_month = 12 then cast(period_year as varchar)
        else printf('%d-YTD-%02d', period_year, end_month)
    end as period,
    last_day(make_date(period_year, end_month, 1)) as period_end_date,
    end_month = 12 as is_full_year,
    value,
    derived_from,
from ranked
where preference_rank = 1
