-- The calculated attainment of every plan target at every assessable period, by the
-- method of its kind (dbt/docs/attainment.md). Notation: B base value, G target, A actual,
-- e years elapsed since the start of the path, L years from the start to the target year,
-- f = e / L the share of the plan period elapsed, R the progress ratio.
{% set on_track = var('on_track_ratio') %}
{% set at_risk = var('at_risk_ratio') %}
{% set faster = var('faster_ratio') %}
with

targets as (
    select * from {{ ref('int_attainment_targets') }}
    where kind <> 'qualitative'
),

to_date as (
    select * from {{ ref('int_observations_to_date') }}
),

full_years as (
    select * from to_date where is_full_year
),

-- Levels, counts, ranks, ranges and approximate targets are assessed on years' figures;
-- totals, yearly floors and milestones also at every point of a year in progress.
points as (
    select
        targets.*,
        to_date.period,
        to_date.period_year,
        to_date.end_month,
        to_date.period_end_date,
        to_date.is_full_year,
        to_date.value as value_to_date,
        to_date.derived_from,
    from targets
    inner join to_date
        on
            targets.plan_id = to_date.plan_id
            and targets.region_code = to_date.region_code
            and targets.indicator_code = to_date.indicator_code
    where
        to_date.period_year > targets.start_year
        and to_date.period_year <= targets.target_year
        and (
            to_date.is_full_year
            or targets.kind in ('cumulative', 'annual', 'milestone')
        )
),

-- Cumulative targets: the years before the point's year, since the base year.
earlier_years as (
    select
        points.plan_id,
        points.region_code,
        points.indicator_code,
        points.period,
        sum(full_years.value) as earlier_total,
        count(full_years.value) as earlier_years_reported,
    from points
    left join full_years
        on
            points.plan_id = full_years.plan_id
            and points.region_code = full_years.region_code
            and points.indicator_code = full_years.indicator_code
            and full_years.period_year > points.base_year
            and full_years.period_year < points.period_year
    where points.kind = 'cumulative'
    group by all
),

-- Growth on the year before, for every year's figure and for the reference indicator.
growth as (
    select
        points.plan_id,
        points.region_code,
        points.indicator_code,
        points.period,
        points.value_to_date / nullif(previous.value, 0) - 1 as growth_rate,
        reference.value / nullif(reference_previous.value, 0) - 1 as reference_growth_rate,
    from points
    left join full_years as previous
        on
            points.plan_id = previous.plan_id
            and points.region_code = previous.region_code
            and points.indicator_code = previous.indicator_code
            and previous.period_year = points.period_year - 1
    left join full_years as reference
        on
            points.plan_id = reference.plan_id
            and points.region_code = reference.region_code
            and points.reference_indicator_code = reference.indicator_code
            and reference.period_year = points.period_year
    left join full_years as reference_previous
        on
            points.plan_id = reference_previous.plan_id
            and points.region_code = reference_previous.region_code
            and points.reference_indicator_code = reference_previous.indicator_code
            and reference_previous.period_year = points.period_year - 1
    where points.is_full_year
),

measured as (
    select
        points.*,
        growth.growth_rate,
        growth.reference_growth_rate,
        case
            when points.kind = 'cumulative'
                then coalesce(earlier_years.earlier_total, 0) + points.value_to_date
            else points.value_to_date
        end as actual_value,
        case
            when points.kind = 'cumulative'
                then points.period_year - points.base_year - 1
                    - earlier_years.earlier_years_reported
        end as years_missing,
        points.period_year - points.start_year - (12 - points.end_month) / 12.0 as years_elapsed,
        points.target_year - points.start_year as plan_years,
        case
            when points.kind in ('level', 'count', 'rank', 'range')
                or (points.kind = 'approximate' and not points.each_year)
                then
                    case
                        when points.path = 'geometric' and points.base_value > 0
                            and points.target_value > 0 then 'geometric'
                        else 'linear'
                    end
            when points.kind = 'approximate' then 'each_year'
            else points.kind
        end as method,
        -- A target the base already meets has no path to follow, only a level to keep.
        case
            when points.comparator = 'at_most' then points.base_value <= points.target_value
            when points.comparator = 'about'
                then abs(points.base_value - points.target_value)
                    <= points.tolerance * abs(points.target_value)
            else points.base_value >= points.target_value
        end as base_meets_target,
        -- Milestones: reached at the first period that says so, for good.
        min(case when points.value_to_date = 1 then points.period_end_date end) over (
            partition by points.plan_id, points.region_code, points.indicator_code
            order by points.period_end_date
            rows between unbounded preceding and current row
        ) as reached_on,
    from points
    left join earlier_years
        on
            points.plan_id = earlier_years.plan_id
            and points.region_code = earlier_years.region_code
            and points.indicator_code = earlier_years.indicator_code
            and points.period = earlier_years.period
    left join growth
        on
            points.plan_id = growth.plan_id
            and points.region_code = growth.region_code
            and points.indicator_code = growth.indicator_code
            and points.period = growth.period
),

judged as (
    select
        *,
        years_elapsed / nullif(plan_years, 0) as elapsed_share,
        -- A yearly floor in a year still in progress is judged on its pace: a flow's total
        -- to date scaled to the whole year, a rate's figure to date as it is.
        case
            when method = 'annual' and not is_full_year and measure = 'flow'
                then actual_value * 12.0 / end_month
            when method = 'annual' then actual_value
        end as annual_pace,
        case
            when method = 'milestone' then reached_on is not null
            when method = 'relational'
                then growth_rate >= reference_growth_rate - {{ var('relational_margin_pp') }} / 100.0
            when method = 'annual' and not is_full_year then null
            when comparator = 'about'
                then abs(actual_value - target_value) <= tolerance * abs(target_value)
            when comparator = 'at_most' then actual_value <= target_value
            else actual_value >= target_value
        end as is_met,
    from measured
),

paths as (
    select
        *,
        case method
            when 'geometric' then base_value * power(target_value / base_value, elapsed_share)
            when 'linear' then base_value + elapsed_share * (target_value - base_value)
            when 'cumulative' then elapsed_share * target_value
            when 'annual'
                then case
                    when measure = 'flow' and not is_full_year
                        then target_value * end_month / 12.0
                    else target_value
                end
            when 'each_year' then target_value
        end as expected_value,
        case
            when method = 'geometric' and actual_value > 0 and years_elapsed > 0
                then power(actual_value / base_value, 1.0 / years_elapsed) - 1
        end as observed_growth,
        case
            when method = 'geometric' and plan_years > 0
                then power(target_value / base_value, 1.0 / plan_years) - 1
        end as required_growth_over_plan,
    from judged
),

ratios as (
    select
        *,
        case
            when method in ('geometric', 'linear') and base_meets_target then null
            when method = 'geometric'
                then observed_growth / nullif(required_growth_over_plan, 0)
            when method = 'linear'
                then (actual_value - base_value) / nullif(expected_value - base_value, 0)
            when method = 'cumulative'
                then actual_value / nullif(target_value, 0) / nullif(elapsed_share, 0)
            when method = 'annual' and comparator = 'at_most'
                then target_value / nullif(annual_pace, 0)
            when method = 'annual' then annual_pace / nullif(target_value, 0)
            when method = 'each_year'
                then least(actual_value, target_value)
                    / nullif(greatest(actual_value, target_value), 0)
        end as progress_ratio,
    from paths
),

statuses as (
    select
        *,
        case
            when is_met then 'achieved'
            -- Incomes in a year whose growth cannot be computed (the year before is missing).
            when is_met is null and method = 'relational' then 'no_data'
            when method = 'milestone'
                then case when period_year < target_year then 'pending' else 'off_track' end
            -- A year that has ended below its floor, or incomes that fell behind, are
            -- missed years: at risk at best, never on track.
            when method = 'relational' then 'off_track'
            when method in ('annual', 'each_year') and is_full_year
                then case when progress_ratio >= {{ at_risk }} then 'at_risk' else 'off_track' end
            -- The target year is over and the target missed.
            when period_year >= target_year and is_full_year then 'off_track'
            -- Moving away from a target the base had already met.
            when base_meets_target and method in ('geometric', 'linear') then 'off_track'
            when progress_ratio >= {{ on_track }} then 'on_track'
            when progress_ratio >= {{ at_risk }} then 'at_risk'
            else 'off_track'
        end as calculated_status,
    from ratios
),

assessed as (
    select
        plan_id,
        region_code,
        indicator_code,
        period,
        period_year,
        end_month,
        period_end_date,
        is_full_year,
        derived_from,
        kind,
        method,
        comparator,
        target_value,
        target_upper,
        target_year,
        start_year,
        base_value,
        years_elapsed,
        plan_years,
        elapsed_share,
        value_to_date,
        actual_value,
        case when kind = 'cumulative' then actual_value end as cumulative_value,
        years_missing,
        expected_value,
        actual_value - expected_value as gap_to_expected,
        progress_ratio,
        growth_rate,
        reference_growth_rate,
        annual_pace,
        is_met,
        case when kind = 'range' then actual_value > target_upper end as is_exceeded,
        case when method = 'milestone' then reached_on end as reached_on,
        -- Targets that hold every year: how many years met it, of those assessed so far.
        case when method in ('annual', 'each_year', 'relational') then
            cast(sum(case when is_full_year and is_met then 1 else 0 end) over running_years as integer)
        end as years_met,
        case when method in ('annual', 'each_year', 'relational') then
            cast(sum(case when is_full_year and is_met is not null then 1 else 0 end) over running_years as integer)
        end as years_assessed,
        case
            when is_met or (period_year >= target_year and is_full_year) then null
            when method = 'geometric' then actual_value * power(1 + observed_growth, plan_years - years_elapsed)
            when method = 'linear'
                then base_value + (actual_value - base_value) * plan_years / nullif(years_elapsed, 0)
            when method = 'cumulative' then actual_value * plan_years / nullif(years_elapsed, 0)
        end as projected_value,
        case
            when method = 'annual' and not is_full_year and measure = 'flow' then annual_pace
        end as projected_year_total,
        case
            when is_met or plan_years - years_elapsed <= 0 then null
            when method = 'geometric' and actual_value > 0
                then power(target_value / actual_value, 1.0 / (plan_years - years_elapsed)) - 1
        end as required_annual_growth,
        case
            when is_met then null
            when method in ('linear', 'cumulative') and plan_years - years_elapsed > 0
                then (target_value - actual_value) / (plan_years - years_elapsed)
            when method = 'annual' and measure = 'flow' and not is_full_year
                then target_value - actual_value
        end as required_annual_amount,
        calculated_status,
        case
            when calculated_status in ('pending', 'no_data') then calculated_status
            when is_met and (method in ('annual', 'each_year', 'relational') or period_year >= target_year)
                then 'achieved'
            when is_met then 'ahead_of_schedule'
            -- The final verdict on a target missed at the end of its period.
            when period_year >= target_year and (is_full_year or method = 'milestone')
                and method not in ('annual', 'each_year', 'relational')
                then 'not_achieved'
            when progress_ratio >= {{ faster }} then 'faster_than_expected'
            when progress_ratio >= {{ on_track }} then 'as_expected'
            else 'lagging'
        end as calculated_grade,
    from statuses
    window running_years as (
        partition by plan_id, region_code, indicator_code
        order by period_end_date
        rows between unbounded preceding and current row
    )
)

-- Ratios and values to 4 decimal places: stable across platforms, and what the marts show.
select
    * replace (
        round(years_elapsed, 4) as years_elapsed,
        round(elapsed_share, 4) as elapsed_share,
        round(expected_value, 4) as expected_value,
        round(gap_to_expected, 4) as gap_to_expected,
        round(progress_ratio, 4) as progress_ratio,
        round(growth_rate, 4) as growth_rate,
        round(reference_growth_rate, 4) as reference_growth_rate,
        round(annual_pace, 4) as annual_pace,
        round(projected_value, 4) as projected_value,
        round(projected_year_total, 4) as projected_year_total,
        round(required_annual_growth, 4) as required_annual_growth,
        round(required_annual_amount, 4) as required_annual_amount
    )
from assessed
