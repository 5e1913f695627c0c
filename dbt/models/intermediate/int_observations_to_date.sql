-- Each target's figure to date at the end of every reported period: one row per (plan,
-- region, indicator, period end). A figure sent for the year or for the year to date is
-- taken as it is. Quarters and months of a flow are added up from January, and only when
-- none is missing before them; for a stock or an event a quarter's or month's value is the
-- figure at its end. An event may also be reported for the day it happened. End month 12
-- is the year's figure. A rank outside its list is a figure too: it has no number.
with

indicators as (
    select plan_id, region_code, indicator_code, measure
    from {{ of_changed_regions(ref('stg_plan_indicators')) }}
),

observations as (
    select
        indicators.plan_id,
        indicators.measure,
        current_values.region_code,
        current_values.indicator_code,
        current_values.period,
        current_values.period_type,
        current_values.period_year,
        current_values.period_end_date,
        month(current_values.period_end_date) as end_month,
        current_values.value,
        current_values.is_outside_list,
        current_values.comparable_growth_pct / 100.0 as comparable_growth_rate,
        coalesce(current_values.estimate_stage = 'preliminary', false) as is_preliminary,
    from indicators
    inner join {{ of_changed_regions(ref('int_observations_current')) }} as current_values
        on
            indicators.region_code = current_values.region_code
            and indicators.indicator_code = current_values.indicator_code
    where current_values.value is not null or current_values.is_outside_list
),

reported_to_date as (
    select
        plan_id,
        region_code,
        indicator_code,
        period_year,
        end_month,
        period_end_date,
        case when period_type = 'day' then period end as day_period,
        value,
        is_outside_list,
        case when period_type = 'year' then comparable_growth_rate end as comparable_growth_rate,
        is_preliminary,
        'reported' as derived_from,
        case when period_type = 'day' then 0 else 1 end as preference,
    from observations
    where period_type in ('year', 'ytd') or (period_type = 'day' and measure = 'event')
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
        period_end_date,
        case
            when measure = 'flow' then sum(value) over parts_so_far else value
        end as value,
        is_outside_list,
        bool_or(is_preliminary) over parts_so_far as is_preliminary,
        count(value) over parts_so_far as parts,
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
        period_end_date,
        null as day_period,
        value,
        is_outside_list,
        null as comparable_growth_rate,
        is_preliminary,
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
            partition by plan_id, region_code, indicator_code, period_end_date
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
        when day_period is not null then day_period
        when end_month = 12 then cast(period_year as varchar)
        else printf('%d-YTD-%02d', period_year, end_month)
    end as period,
    period_end_date,
    end_month = 12 and day_period is null as is_full_year,
    value,
    is_outside_list,
    comparable_growth_rate,
    is_preliminary,
    derived_from,
from ranked
where preference_rank = 1
