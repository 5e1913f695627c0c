-- The calculated attainment of every plan target at every assessable period, by the
-- method of its kind (dbt/docs/attainment.md). Notation: B base value, G target, A actual,
-- e years elapsed since the start of the path, L years from the start to the target year,
-- f = e / L the share of the plan period elapsed, R the progress ratio.
{% set on_track = var('on_track_ratio') %}
{% set at_risk = var('at_risk_ratio') %}
with

targets as (
    select * from {{ of_changed_regions(ref('int_attainment_targets')) }}
    -- A target assigned later is assessed once its value is known: for the whole period
    -- (higher_level), or year by year (yearly, below).
    where
        kind <> 'qualitative'
        and (target_value is not null or coalesce(target_source, 'plan') in ('plan', 'yearly'))
),

yearly_targets as (
    select * from {{ of_changed_regions(ref('stg_target_assignments')) }}
    where target_year is not null
),

to_date as (
    select * from {{ of_changed_regions(ref('int_observations_to_date')) }}
),

full_years as (
    select * from to_date where is_full_year
),

-- Levels, counts, ranks, ranges and approximate targets are assessed on years' figures;
-- totals, yearly floors and milestones also at every point of a year in progress.
points as (
    select
        targets.* replace (coalesce(yearly_targets.target_value, targets.target_value) as target_value),
        to_date.period,
        to_date.period_year,
        to_date.end_month,
        to_date.period_end_date,
        to_date.is_full_year,
        to_date.value as value_to_date,
        to_date.is_outside_list,
        to_date.comparable_growth_rate,
        to_date.is_preliminary as is_preliminary_figure,
        to_date.derived_from,
    from targets
    inner join to_date
        on
            targets.plan_id = to_date.plan_id
            and targets.region_code = to_date.region_code
            and targets.indicator_code = to_date.indicator_code
    left join yearly_targets
        on
            targets.plan_id = yearly_targets.plan_id
            and targets.region_code = yearly_targets.region_code
            and targets.indicator_code = yearly_targets.indicator_code
            and to_date.period_year = yearly_targets.target_year
    where
        to_date.period_year > targets.start_year
        and to_date.period_year <= targets.target_year
        -- A year of a target set year by year is assessed once its target is set.
        and (
            coalesce(yearly_targets.target_value, targets.target_value) is not null
            or targets.kind = 'relational'
        )
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
        -- Floating-point sums in a fixed order: the same figures give the same total, however
        -- the rows arrive (threads, a region rebuilt alone).
        sum(full_years.value order by full_years.period_year) as earlier_total,
        count(full_years.value) as earlier_years_reported,
        coalesce(bool_or(full_years.is_preliminary), false) as earlier_preliminary,
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

-- Growth and change targets: each year's rate since the start, compounded. Sent as yearly
-- rates, a year's rate is its figure in % (for a fall, the fall); sent as levels, it is the
-- comparable-price growth the department sent, where it did.
compounded as (
    select
        points.plan_id,
        points.region_code,
        points.indicator_code,
        points.period,
        count(full_years.value) as rate_years,
        exp(sum(ln(1 + case
            when points.reported_as = 'level' then full_years.comparable_growth_rate
            when points.change_direction = 'down' then -full_years.value / 100.0
            else full_years.value / 100.0
        end) order by full_years.period_year)) as rate_product,
        count(full_years.comparable_growth_rate) as comparable_years,
        coalesce(bool_or(full_years.is_preliminary), false) as rates_preliminary,
    from points
    left join full_years
        on
            points.plan_id = full_years.plan_id
            and points.region_code = full_years.region_code
            and points.indicator_code = full_years.indicator_code
            and full_years.period_year > points.start_year
            and full_years.period_year <= points.period_year
    where points.kind in ('average_growth', 'change')
    group by all
),

-- Growth on the year before, for every year's figure and for the reference indicator: at
-- comparable prices where the department sent it (for a relational target, only when both
-- the indicator and its reference have it, so the two are alike), else nominal, from the
-- two years' figures.
growth_inputs as (
    select
        points.plan_id,
        points.region_code,
        points.indicator_code,
        points.period,
        points.method_hint,
        points.value_to_date / nullif(previous.value, 0) - 1 as nominal_growth,
        points.comparable_growth_rate as comparable_growth,
        reference.value / nullif(reference_previous.value, 0) - 1 as reference_nominal_growth,
        reference.comparable_growth_rate as reference_comparable_growth,
        coalesce(reference.is_preliminary, false) as reference_preliminary,
    from (select *, kind = 'relational' as method_hint from points) as points
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

growth as (
    select
        *,
        case
            when method_hint
                then comparable_growth is not null and reference_comparable_growth is not null
            else comparable_growth is not null
        end as uses_comparable,
        case when uses_comparable then comparable_growth else nominal_growth end as growth_rate,
        case
            when not method_hint then null
            when uses_comparable then reference_comparable_growth
            else reference_nominal_growth
        end as reference_growth_rate,
        case
            when growth_rate is null then null
            when uses_comparable then 'comparable_price'
            else 'nominal'
        end as growth_basis,
    from growth_inputs
),

-- Milestones: reached at the first period that says so, for good. Over the milestones'
-- points alone, a few columns wide: a window over every point, each carrying dozens of
-- columns, took a province's build 2 s (README, Performance).
reached as (
    select
        plan_id,
        region_code,
        indicator_code,
        period,
        min(case when value_to_date = 1 then period_end_date end) over (
            partition by plan_id, region_code, indicator_code
            order by period_end_date
            rows between unbounded preceding and current row
        ) as reached_on,
    from points
    where kind = 'milestone'
),

measured as (
    select
        points.*,
        growth.growth_rate,
        growth.reference_growth_rate,
        case
            when points.kind = 'average_growth' and points.reported_as = 'level'
                then case
                    when compounded.comparable_years = points.period_year - points.start_year
                        then 'comparable_price'
                    else 'nominal'
                end
            when points.kind in ('average_growth', 'change') then null
            else growth.growth_basis
        end as growth_basis,
        case
            when points.kind = 'cumulative'
                then coalesce(earlier_years.earlier_total, 0) + points.value_to_date
            -- Average annual growth to date, in %: compounded yearly rates; on levels, the
            -- comparable-price rates when every year has one, else from the two levels.
            when points.kind = 'average_growth' and points.reported_as = 'yearly_rate'
                then (power(compounded.rate_product, 1.0 / nullif(compounded.rate_years, 0)) - 1) * 100
            when points.kind = 'average_growth'
                and compounded.comparable_years = points.period_year - points.start_year
                then (power(compounded.rate_product, 1.0 / nullif(compounded.comparable_years, 0)) - 1) * 100
            when points.kind = 'average_growth' and points.base_value > 0 and points.value_to_date > 0
                then (power(points.value_to_date / points.base_value,
                    1.0 / nullif(points.period_year - points.start_year, 0)) - 1) * 100
            when points.kind = 'average_growth' then null
            -- Change since the base, in the target's direction (a fall counts positive for a
            -- "down" target): compounded in %, or in the unit.
            when points.kind = 'change' and points.change_basis = 'percent' and points.reported_as = 'yearly_rate'
                then (compounded.rate_product - 1) * 100
                    * case when points.change_direction = 'down' then -1 else 1 end
            when points.kind = 'change' and points.change_basis = 'percent'
                then (points.value_to_date / nullif(points.base_value, 0) - 1) * 100
                    * case when points.change_direction = 'down' then -1 else 1 end
            when points.kind = 'change'
                then (points.value_to_date - points.base_value)
                    * case when points.change_direction = 'down' then -1 else 1 end
            else points.value_to_date
        end as actual_value,
        -- Whether the judged figure rests on a preliminary one (for a total, any year in it;
        -- for incomes, the reference's figure too).
        points.is_preliminary_figure
        or coalesce(earlier_years.earlier_preliminary, false)
        or (points.kind = 'relational' and coalesce(growth.reference_preliminary, false))
        or coalesce(compounded.rates_preliminary, false)
            as is_preliminary,
        -- Targets that hold every year: the years of the plan period, each to be met.
        case
            when points.kind in ('annual', 'relational')
                or (points.kind = 'approximate' and points.each_year)
                then points.target_year - points.base_year
        end as years_required,
        case
            when points.kind = 'cumulative'
                then points.period_year - points.base_year - 1
                    - earlier_years.earlier_years_reported
            when points.reported_as = 'yearly_rate'
                then points.period_year - points.start_year - compounded.rate_years
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
            -- Growth and change are measured from the base: it cannot meet them itself.
            when points.kind in ('average_growth', 'change') then false
            else {{ meets('points.base_value', 'points.target_value', 'points.comparator', 'points.tolerance') }}
        end as base_meets_target,
        reached.reached_on,
    from points
    left join reached
        on
            points.plan_id = reached.plan_id
            and points.region_code = reached.region_code
            and points.indicator_code = reached.indicator_code
            and points.period = reached.period
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
    left join compounded
        on
            points.plan_id = compounded.plan_id
            and points.region_code = compounded.region_code
            and points.indicator_code = compounded.indicator_code
            and points.period = compounded.period
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
            -- A rank outside the list meets no "at most" rank.
            when is_outside_list then false
            -- 高于 (above): faster than the reference; in step (基本同步): at most the margin
            -- behind it.
            when method = 'relational' and comparator = 'above' then growth_rate > reference_growth_rate
            when method = 'relational'
                then growth_rate >= reference_growth_rate - {{ var('relational_margin_pp') }} / 100.0
            when method = 'annual' and not is_full_year then null
            else {{ meets('actual_value', 'target_value', 'comparator', 'tolerance') }}
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
            -- The average should hold all along; a change builds up, compounded in %.
            when 'average_growth' then target_value
            when 'change' then case
                when change_basis = 'percent'
                    then (power(1 + target_value / 100.0
                        * case when change_direction = 'down' then -1 else 1 end, elapsed_share) - 1)
                        * 100 * case when change_direction = 'down' then -1 else 1 end
                else elapsed_share * target_value
            end
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
            when method = 'annual' and {{ is_ceiling('comparator') }}
                then target_value / nullif(annual_pace, 0)
            when method = 'annual' then annual_pace / nullif(target_value, 0)
            when method = 'each_year'
                then least(actual_value, target_value)
                    / nullif(greatest(actual_value, target_value), 0)
            when method = 'average_growth' and {{ is_ceiling('comparator') }}
                then target_value / nullif(actual_value, 0)
            when method = 'average_growth' then actual_value / nullif(target_value, 0)
            when method = 'change' then actual_value / nullif(expected_value, 0)
        end as progress_ratio,
    from paths
),

-- Targets that hold every year: the years met so far, and whether every year of the plan
-- period up to this one was met (a year with no figure is not met).
-- (Over those targets' points alone, a few columns wide, as for milestones above.)
years_so_far as (
    select
        plan_id,
        region_code,
        indicator_code,
        period,
        cast(sum(case when is_full_year and is_met then 1 else 0 end) over running_years as integer)
            as years_met,
        cast(sum(case when is_full_year and is_met is not null then 1 else 0 end) over running_years as integer)
            as years_assessed,
    from ratios
    where method in ('annual', 'each_year', 'relational')
    window running_years as (
        partition by plan_id, region_code, indicator_code
        order by period_end_date
        rows between unbounded preceding and current row
    )
),

every_year as (
    select
        ratios.*,
        years_so_far.years_met,
        years_so_far.years_assessed,
    from ratios
    left join years_so_far
        on
            ratios.plan_id = years_so_far.plan_id
            and ratios.region_code = years_so_far.region_code
            and ratios.indicator_code = years_so_far.indicator_code
            and ratios.period = years_so_far.period
),

statuses as (
    select
        *,
        years_met = period_year - base_year as every_year_met_so_far,
        case
            -- The target year of a target that holds every year: met only if every year was.
            when years_required is not null and is_full_year and period_year >= target_year
                then case when is_met and years_met >= years_required then 'achieved' else 'off_track' end
            -- An average over the period is only achieved over the whole period: before
            -- the target year it is on its pace, like any path.
            when method = 'average_growth' and period_year < target_year
                then case
                    when progress_ratio >= {{ on_track }} then 'on_track'
                    when progress_ratio >= {{ at_risk }} then 'at_risk'
                    else 'off_track'
                end
            when is_met then 'achieved'
            -- Incomes in a year whose growth cannot be computed (the year before is missing).
            when is_met is null and method = 'relational' then 'no_data'
            -- A milestone not yet reached is pending until its target year has ended.
            when method = 'milestone'
                then case
                    when period_year < target_year or not is_full_year then 'pending'
                    else 'off_track'
                end
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
    from every_year
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
        is_outside_list,
        actual_value,
        is_preliminary,
        case when kind = 'cumulative' then actual_value end as cumulative_value,
        years_missing,
        expected_value,
        actual_value - expected_value as gap_to_expected,
        progress_ratio,
        growth_rate,
        reference_growth_rate,
        growth_basis,
        annual_pace,
        is_met,
        -- Beyond the target: above a range's upper bound, above a floor, below a ceiling.
        case
            when actual_value is null or method in ('milestone', 'relational', 'each_year') then null
            when kind = 'range' then actual_value > target_upper
            when {{ is_ceiling('comparator') }} then actual_value < target_value
            when comparator in ('at_least', 'above') then actual_value > target_value
        end as is_exceeded,
        case when method = 'milestone' then reached_on end as reached_on,
        -- Targets that hold every year: how many years met it, of those assessed so far, and
        -- of the years of the plan period.
        years_met,
        years_assessed,
        years_required,
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
            when period_year >= target_year and is_met and years_required is null then 'achieved'
            -- The target year's verdict: met (in every year, for a target that holds every
            -- year) or missed.
            when period_year >= target_year and is_full_year
                then case when calculated_status = 'achieved' then 'achieved' else 'not_achieved' end
            -- A year that met its floor after a year that missed it: the target as a whole
            -- is behind.
            -- Before the target year 已实现 and 未实现 are not given: grades come from pace.
            when years_required is not null and is_met and not every_year_met_so_far then 'lagging'
            -- A year that has ended short of a target that holds every year.
            when years_required is not null and is_full_year and not is_met then 'lagging'
            -- Every year met so far: on its pace, or faster (incomes in step: as expected).
            when years_required is not null and is_met
                then case
                    when progress_ratio is null then 'as_expected'
                    else {{ grade_by_pace('progress_ratio', 'years_elapsed') }}
                end
            -- An average holds only over the whole period.
            when method = 'average_growth' and progress_ratio is not null
                then {{ grade_by_pace('progress_ratio', 'years_elapsed') }}
            -- A target the base already met, still held: nothing was crossed during the
            -- period, so not 提前实现.
            when is_met and base_meets_target then 'as_expected'
            -- Crossed during the period and held: 提前实现.
            when is_met then 'ahead_of_schedule'
            when progress_ratio is null then 'lagging'
            else {{ grade_by_pace('progress_ratio', 'years_elapsed') }}
        end as calculated_grade,
    from statuses
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
        round(required_annual_amount, 4) as required_annual_amount,
        -- Growth and change are computed, not sent: to 4 places like the ratios.
        case
            when kind in ('average_growth', 'change') then round(actual_value, 4) else actual_value
        end as actual_value
    )
from assessed
