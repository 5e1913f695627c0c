-- Attainment of every plan target at every assessable period: the calculated measures
-- (int_attainment_calculated), the status after reviewed overrides, and the grade that
-- Chinese mid-term evaluations use. An override for a period with no figure adds a row.
with

calculated as (
    select * from {{ of_changed_regions(ref('int_attainment_calculated')) }}
),

overrides as (
    select * from {{ of_changed_regions(ref('stg_status_overrides')) }}
    -- As of a past date, only the overrides reviewed by then.
    {% if var('as_of', none) %}
        where reviewed_on <= cast('{{ var("as_of") }}' as date)
    {% endif %}
),

indicators as (
    select * from {{ of_changed_regions(ref('dim_indicator')) }}
),

combined as (
    select
        coalesce(calculated.plan_id, overrides.plan_id) as plan_id,
        coalesce(calculated.region_code, overrides.region_code) as region_code,
        coalesce(calculated.indicator_code, overrides.indicator_code) as indicator_code,
        coalesce(calculated.period, overrides.period) as period,
        coalesce(calculated.period_year, overrides.period_year) as period_year,
        coalesce(calculated.period_end_date, overrides.period_end_date) as period_end_date,
        coalesce(calculated.is_full_year, overrides.period_end_month = 12) as is_full_year,
        calculated.* exclude (
            plan_id, region_code, indicator_code, period, period_year, period_end_date,
            is_full_year, end_month, target_value, target_upper, target_year, kind, comparator
        ),
        -- The target the period was judged against: a target set year by year has its own
        -- each year; one assigned by the level above, the assigned value.
        calculated.target_value as judged_target_value,
        coalesce(calculated.calculated_status, 'no_data') as calculated_status_or_no_data,
        overrides.status as override_status,
        overrides.reason as override_reason,
        overrides.reviewed_by as override_reviewed_by,
        overrides.reviewed_on as override_reviewed_on,
    from calculated
    full outer join overrides
        on
            calculated.plan_id = overrides.plan_id
            and calculated.region_code = overrides.region_code
            and calculated.indicator_code = overrides.indicator_code
            and calculated.period = overrides.period
),

graded as (
    select
        combined.* exclude (judged_target_value),
        indicators.kind,
        indicators.comparator,
        indicators.nature,
        coalesce(combined.judged_target_value, indicators.target_value) as target_value,
        indicators.target_upper,
        indicators.target_year,
        coalesce(override_status, calculated_status_or_no_data) as status,
        case
            -- The grade follows an override where the override changes the verdict.
            when override_status = 'achieved' and combined.period_year < indicators.target_year
                and indicators.kind not in ('annual', 'relational') then 'ahead_of_schedule'
            when override_status = 'achieved' then 'achieved'
            when override_status in ('pending', 'no_data') then override_status
            when override_status = 'not_assessable' then 'not_applicable'
            when override_status is not null and coalesce(calculated_grade, 'no_data') in (
                'ahead_of_schedule', 'achieved', 'pending', 'no_data'
            ) then case override_status when 'on_track' then 'as_expected' else 'lagging' end
            else coalesce(calculated_grade, 'no_data')
        end as grade,
    from combined
    inner join indicators
        on
            combined.plan_id = indicators.plan_id
            and combined.region_code = indicators.region_code
            and combined.indicator_code = indicators.indicator_code
)

select
    plan_id,
    region_code,
    indicator_code,
    period,
    period_year,
    period_end_date,
    is_full_year,
    kind,
    nature,
    method,
    comparator,
    target_value,
    target_upper,
    target_year,
    start_year as base_period_year,
    base_value,
    round(years_elapsed, 4) as years_elapsed,
    plan_years,
    round(elapsed_share, 4) as elapsed_share,
    derived_from,
    value_to_date,
    coalesce(is_outside_list, false) as is_outside_list,
    actual_value,
    cumulative_value,
    coalesce(is_preliminary, false) as is_preliminary,
    years_missing,
    round(expected_value, 4) as expected_value,
    round(gap_to_expected, 4) as gap_to_expected,
    round(progress_ratio, 4) as progress_ratio,
    round(growth_rate, 4) as growth_rate,
    round(reference_growth_rate, 4) as reference_growth_rate,
    growth_basis,
    round(annual_pace, 4) as annual_pace,
    is_met,
    is_exceeded,
    reached_on,
    years_met,
    years_assessed,
    years_required,
    round(projected_value, 4) as projected_value,
    round(projected_year_total, 4) as projected_year_total,
    round(required_annual_growth, 4) as required_annual_growth,
    round(required_annual_amount, 4) as required_annual_amount,
    calculated_status_or_no_data as calculated_status,
    status,
    grade,
    {{ grade_zh('grade') }} as grade_zh,
    override_status is not null as is_overridden,
    override_reason,
    override_reviewed_by,
    override_reviewed_on,
from graded
