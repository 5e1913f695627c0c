-- Each plan target with the base it is measured from. The base is a department's figure
-- for the registry's base year; when none was sent, the base value the plan itself states
-- (its 基期 column); failing both, the first year's figure after it (and before the target
-- year) stands in, and its year becomes the start of the path. A rank outside its list has
-- no number and is never a base. Where a department's base and the plan's differ, the
-- department's wins and the difference is kept.
with

indicators as (
    select * from {{ of_changed_regions(ref('stg_plan_indicators')) }}
),

full_years as (
    select * from {{ of_changed_regions(ref('int_observations_to_date')) }}
    where is_full_year
),

-- The value the level above assigned, for a target the plan leaves to it.
assigned as (
    select * from {{ of_changed_regions(ref('stg_target_assignments')) }}
    where target_year is null
),

base_candidates as (
    select
        indicators.plan_id,
        indicators.region_code,
        indicators.indicator_code,
        full_years.period_year,
        full_years.value,
        row_number() over (
            partition by indicators.plan_id, indicators.region_code, indicators.indicator_code
            order by full_years.period_year
        ) as year_rank,
    from indicators
    inner join full_years
        on
            indicators.plan_id = full_years.plan_id
            and indicators.region_code = full_years.region_code
            and indicators.indicator_code = full_years.indicator_code
    where
        full_years.value is not null
        and full_years.period_year >= indicators.base_year
        and full_years.period_year < indicators.target_year
)

select
    indicators.plan_id,
    indicators.region_code,
    indicators.indicator_code,
    indicators.kind,
    indicators.comparator,
    indicators.measure,
    indicators.path,
    indicators.cadence,
    coalesce(indicators.target_value, assigned.target_value) as target_value,
    indicators.target_upper,
    indicators.target_source,
    assigned.document as target_document,
    indicators.change_basis,
    indicators.change_direction,
    indicators.reported_as,
    indicators.plan_base_value,
    coalesce(indicators.tolerance, {{ var('approximate_tolerance') }}) as tolerance,
    indicators.each_year,
    indicators.reference_indicator_code,
    indicators.base_year,
    indicators.target_year,
    case
        when base.period_year = indicators.base_year or indicators.plan_base_value is null
            then base.period_year
        else indicators.base_year
    end as base_period_year,
    case
        when base.period_year = indicators.base_year or indicators.plan_base_value is null
            then base.value
        else indicators.plan_base_value
    end as base_value,
    case
        when base.period_year = indicators.base_year then 'department'
        when indicators.plan_base_value is not null then 'plan'
        when base.period_year is not null then 'department_later_year'
    end as base_value_source,
    case
        when base.period_year = indicators.base_year
            then round(base.value - indicators.plan_base_value, 6)
    end as base_difference_from_plan,
    -- Paths run from the base actually found; totals, targets that hold every year (yearly
    -- floors, 左右 every year, incomes) and growth measured from yearly rates from the
    -- plan's, so every year is assessed.
    case
        when indicators.kind in ('level', 'count', 'rank', 'range')
            or (indicators.kind = 'approximate' and not indicators.each_year)
            or (indicators.kind in ('average_growth', 'change') and indicators.reported_as = 'level')
            then coalesce(base_period_year, indicators.base_year)
        else indicators.base_year
    end as start_year,
from indicators
left join assigned
    on
        indicators.plan_id = assigned.plan_id
        and indicators.region_code = assigned.region_code
        and indicators.indicator_code = assigned.indicator_code
left join base_candidates as base
    on
        indicators.plan_id = base.plan_id
        and indicators.region_code = base.region_code
        and indicators.indicator_code = base.indicator_code
        and base.year_rank = 1
