-- Every plan target at its latest assessable period: the measures of
-- mart_attainment_history, how fresh its data is and, once the target year has ended on
-- the reference date (the `as_of` var, else the build date), the final verdict of the
-- final evaluation (终期评估). Targets with no assessable period still have a row:
-- not_assessable (qualitative), achieved when the only figure (the base) already meets the
-- target, else no_data. After the target year only final statuses and grades are shown;
-- the mid-course ones stay in mart_attainment_history.
{% set reference_date %}
    {%- if var('as_of', none) -%} cast('{{ var("as_of") }}' as date) {%- else -%} current_date {%- endif -%}
{% endset %}
{% set margin = var('partly_met_margin') %}
with

indicators as (
    select * from {{ of_changed_regions(ref('dim_indicator')) }}
),

targets as (
    select * from {{ of_changed_regions(ref('int_attainment_targets')) }}
),

history as (
    select * from {{ of_changed_regions(ref('mart_attainment_history')) }}
),

-- Each target's latest period (by end date, then period) and how many were assessed: found
-- over a few columns, then the latest rows taken whole. (A window over a province's million
-- rows of fifty columns each cost the build a second.) Periods and their end dates are never
-- null and a target's periods are unique (mart_attainment_history's tests).
latest_periods as (
    select
        plan_id,
        region_code,
        indicator_code,
        max({'period_end_date': period_end_date, 'period': period}).period as period,
        count(*) as periods_assessed,
    from history
    group by all
),

latest as (
    select
        history.*,
        latest_periods.periods_assessed,
    from history
    inner join latest_periods
        on
            history.plan_id = latest_periods.plan_id
            and history.region_code = latest_periods.region_code
            and history.indicator_code = latest_periods.indicator_code
            and history.period = latest_periods.period
),

-- The figure that decides the final verdict: the target year's, and for totals and
-- milestones the first period that met the target (a total reached stays reached).
target_year_figures as (
    select
        history.plan_id,
        history.region_code,
        history.indicator_code,
        history.period as final_period,
        history.value_to_date as final_year_value,
        history.actual_value as final_actual_value,
        history.is_outside_list as final_is_outside_list,
        history.is_preliminary as final_is_preliminary,
        history.is_exceeded as final_is_exceeded,
        history.status as final_row_status,
        history.grade as final_row_grade,
        history.years_met as final_years_met,
    from history
    where history.is_full_year and history.period_year = history.target_year
),

first_met as (
    select
        plan_id,
        region_code,
        indicator_code,
        arg_min(period, period_end_date) as met_period,
        arg_min(coalesce(actual_value, 1), period_end_date) as met_actual_value,
        arg_min(is_preliminary, period_end_date) as met_is_preliminary,
        arg_min(grade, period_end_date) as met_grade,
    from history
    where status = 'achieved' and period_year <= target_year
    group by all
),

-- The latest figure of any kind, for freshness and for targets with nothing to assess.
reported as (
    select
        plan_id,
        region_code,
        indicator_code,
        arg_max(period, period_end_date) as latest_reported_period,
        max(period_end_date) as latest_reported_on,
        arg_max(value, period_end_date) filter (where is_full_year) as latest_full_year_value,
        arg_max(is_outside_list, period_end_date) filter (where is_full_year)
            as latest_full_year_outside_list,
        arg_max(period, period_end_date) filter (where is_full_year) as latest_full_year,
    from {{ of_changed_regions(ref('int_observations_to_date')) }}
    group by all
),

joined as (
    select
        indicators.plan_id,
        indicators.region_code,
        indicators.indicator_code,
        indicators.name_zh,
        indicators.name_en,
        indicators.pillar_zh,
        indicators.pillar_en,
        indicators.department_code,
        indicators.department_zh,
        indicators.department_en,
        indicators.nature,
        indicators.unit,
        indicators.kind,
        indicators.comparator,
        indicators.cadence,
        -- A target set year by year shows the latest year's; one assigned by the level
        -- above, the assigned value.
        coalesce(latest.target_value, targets.target_value, indicators.target_value) as target_value,
        indicators.target_upper,
        targets.tolerance,
        indicators.target_year,
        indicators.target_source,
        targets.target_document,
        indicators.change_basis,
        indicators.change_direction,
        indicators.reported_as,
        targets.base_period_year,
        targets.base_value,
        targets.base_value_source,
        targets.base_difference_from_plan,
        targets.base_value is not null
        and indicators.kind not in ('average_growth', 'change')
        and {{ meets('targets.base_value', 'coalesce(targets.target_value, indicators.target_value)', 'indicators.comparator', 'targets.tolerance') }}
            as base_meets_target,
        -- Nothing to assess a number against: a qualitative target, or one whose value the
        -- level above has not assigned (or no year's target has been set) yet.
        case
            when indicators.kind = 'qualitative' then 'qualitative'
            when coalesce(latest.target_value, targets.target_value, indicators.target_value) is null
                and indicators.target_source = 'higher_level' then 'awaiting_assignment'
            when coalesce(latest.target_value, targets.target_value, indicators.target_value) is null
                and indicators.target_source = 'yearly' then 'awaiting_yearly_target'
        end as not_assessable_reason,
        -- Targets that hold every year: the years of the plan period.
        case
            when indicators.kind in ('annual', 'relational')
                or (indicators.kind = 'approximate' and targets.each_year)
                then indicators.target_year - indicators.base_year
        end as years_required,
        coalesce(latest.period, reported.latest_full_year) as latest_period,
        -- The latest period's own figure: an override-only period has none.
        case
            when latest.plan_id is null then reported.latest_full_year_value
            else latest.value_to_date
        end as latest_value,
        case
            when latest.plan_id is null then coalesce(reported.latest_full_year_outside_list, false)
            else latest.is_outside_list
        end as is_outside_list,
        case
            when latest.plan_id is null then reported.latest_full_year_value
            else latest.actual_value
        end as latest_actual_value,
        latest.* exclude (
            plan_id, region_code, indicator_code, period, period_year, kind, comparator,
            target_value, target_upper, target_year, base_period_year, base_value,
            value_to_date, actual_value, status, calculated_status, grade, grade_zh,
            periods_assessed, is_outside_list, years_required
        ),
        latest.status as history_status,
        latest.calculated_status as history_calculated_status,
        latest.grade as history_grade,
        coalesce(latest.periods_assessed, 0) as periods_assessed,
        target_year_figures.* exclude (plan_id, region_code, indicator_code),
        first_met.* exclude (plan_id, region_code, indicator_code),
        reported.latest_reported_period,
        reported.latest_reported_on,
        {{ reference_date }} > make_date(indicators.target_year, 12, 31) as is_final,
    from indicators
    left join targets
        on
            indicators.plan_id = targets.plan_id
            and indicators.region_code = targets.region_code
            and indicators.indicator_code = targets.indicator_code
    left join latest
        on
            indicators.plan_id = latest.plan_id
            and indicators.region_code = latest.region_code
            and indicators.indicator_code = latest.indicator_code
    left join target_year_figures
        on
            indicators.plan_id = target_year_figures.plan_id
            and indicators.region_code = target_year_figures.region_code
            and indicators.indicator_code = target_year_figures.indicator_code
    left join first_met
        on
            indicators.plan_id = first_met.plan_id
            and indicators.region_code = first_met.region_code
            and indicators.indicator_code = first_met.indicator_code
    left join reported
        on
            indicators.plan_id = reported.plan_id
            and indicators.region_code = reported.region_code
            and indicators.indicator_code = reported.indicator_code
),

-- The final verdict (dbt/docs/attainment.md): met, partly met, not met, no final figure or
-- not assessable.
verdicts as (
    select
        *,
        case
            when not_assessable_reason is not null then 'not_assessable'
            -- A milestone never reported has no final figure; reported and not reached by
            -- the end of its year, it is not met.
            when kind = 'milestone'
                then case
                    when met_period is not null then 'met'
                    when periods_assessed = 0 then 'no_final_data'
                    else 'not_met'
                end
            when kind = 'cumulative' and final_period is null
                then case when met_period is not null then 'met' else 'no_final_data' end
            when final_period is null then 'no_final_data'
            when final_row_status = 'achieved' then 'met'
            when years_required is not null
                then case when coalesce(final_years_met, 0) = 0 then 'not_met' else 'partly_met' end
            when final_is_outside_list then 'not_met'
            when kind = 'range' and final_actual_value >= target_value * (1 - {{ margin }})
                then 'partly_met'
            when kind = 'approximate'
                and abs(final_actual_value - target_value)
                <= (tolerance + {{ margin }}) * abs(target_value)
                then 'partly_met'
            else 'not_met'
        end as verdict,
        -- The figure the verdict rests on.
        case
            when kind = 'milestone' then coalesce(met_period, final_period, latest_period)
            when kind = 'cumulative' and final_period is null then met_period
            else final_period
        end as verdict_period,
        case
            when kind = 'milestone' then case
                when met_period is not null then 1.0
                when periods_assessed > 0 then 0.0
            end
            when kind = 'cumulative' and final_period is null then met_actual_value
            -- Totals, growth and change are judged on what is computed from the figures.
            when kind in ('cumulative', 'average_growth', 'change') then final_actual_value
            else final_year_value
        end as verdict_value,
        case
            when kind in ('milestone', 'cumulative') and final_period is null then met_is_preliminary
            else final_is_preliminary
        end as verdict_is_preliminary,
    from joined
),

assessed as (
    select
        *,
        case when is_final then verdict end as final_verdict,
        case when is_final then verdict_period end as target_year_period,
        case when is_final then round(verdict_value, 4) end as target_year_value,
        case
            when not_assessable_reason is not null then 'not_assessable'
            when is_final
                then case verdict
                    when 'met' then 'achieved'
                    when 'no_final_data' then 'no_data'
                    else 'off_track'
                end
            when history_status is not null then history_status
            when base_meets_target then 'achieved'
            else 'no_data'
        end as status,
        case
            when not_assessable_reason is not null then 'not_assessable'
            when is_final and history_calculated_status in ('on_track', 'at_risk', 'pending')
                then case verdict
                    when 'met' then 'achieved'
                    when 'no_final_data' then 'no_data'
                    else 'off_track'
                end
            when history_calculated_status is not null then history_calculated_status
            when base_meets_target then 'achieved'
            else 'no_data'
        end as calculated_status,
        case
            when not_assessable_reason is not null then 'not_applicable'
            when is_final
                then case verdict
                    -- A total or a milestone reached before its year was reached early.
                    when 'met' then case
                        when kind in ('milestone', 'cumulative') and met_grade = 'ahead_of_schedule'
                            then 'ahead_of_schedule'
                        else 'achieved'
                    end
                    when 'no_final_data' then 'no_data'
                    else 'not_achieved'
                end
            when history_grade is not null then history_grade
            -- Only the base, which already meets the target: held, not reached early.
            when base_meets_target then 'as_expected'
            else 'no_data'
        end as grade,
        -- The figure judged: the final one once the target year has ended.
        case
            when is_final and not_assessable_reason is null then round(verdict_value, 4)
            else latest_actual_value
        end as actual_value,
        case when is_final then final_is_outside_list else is_outside_list end
            as judged_is_outside_list,
        case when is_final then verdict_is_preliminary else coalesce(is_preliminary, false) end
            as judged_is_preliminary,
        -- When the next figure is due: a period's length after the latest one, plus the
        -- time departments take to report it (a month, 45 days, a quarter for a year).
        case cadence
            when 'monthly' then latest_reported_on + interval 2 month
            when 'quarterly' then latest_reported_on + interval 3 month + interval 45 day
            when 'annual' then latest_reported_on + interval 15 month
        end as next_figure_due_on,
    from verdicts
)

select
    plan_id,
    region_code,
    indicator_code,
    name_zh,
    name_en,
    pillar_zh,
    pillar_en,
    department_code,
    department_zh,
    department_en,
    nature,
    unit,
    kind,
    method,
    comparator,
    target_value,
    target_upper,
    target_year,
    target_source,
    target_document,
    change_basis,
    change_direction,
    reported_as,
    base_period_year,
    base_value,
    base_value_source,
    base_difference_from_plan,
    latest_period,
    latest_value,
    coalesce(judged_is_outside_list, false) as is_outside_list,
    actual_value,
    cumulative_value,
    -- actual / target (target / actual for a ceiling): 1.0 or more meets the target. A
    -- figure of zero or less meets any ceiling of zero or more: 1.0.
    case
        when kind in ('qualitative', 'relational') or actual_value is null then null
        when {{ is_ceiling('comparator') }} and actual_value <= 0
            then case when actual_value <= target_value then 1.0 end
        when {{ is_ceiling('comparator') }} then round(target_value / actual_value, 4)
        when target_value = 0 then case when actual_value >= 0 then 1.0 else 0.0 end
        else round(actual_value / target_value, 4)
    end as completion_ratio,
    elapsed_share,
    expected_value,
    gap_to_expected,
    progress_ratio,
    growth_rate,
    reference_growth_rate,
    growth_basis,
    annual_pace,
    projected_value,
    projected_year_total,
    required_annual_growth,
    required_annual_amount,
    case when is_final and years_required is not null then coalesce(final_years_met, years_met) else years_met end
        as years_met,
    years_assessed,
    years_required,
    years_missing,
    case when is_final then coalesce(final_is_exceeded, false) and verdict = 'met' else is_exceeded end
        as is_exceeded,
    reached_on,
    status,
    not_assessable_reason,
    calculated_status,
    grade,
    {{ grade_zh('grade') }} as grade_zh,
    is_final,
    final_verdict,
    {{ verdict_zh('final_verdict') }} as final_verdict_zh,
    target_year_period,
    target_year_value,
    coalesce(judged_is_preliminary, false) as is_preliminary,
    coalesce(is_final and verdict in ('not_met', 'partly_met'), false) as is_past_deadline,
    coalesce(is_overridden, false) as is_overridden,
    override_reason,
    override_reviewed_by,
    override_reviewed_on,
    periods_assessed,
    latest_reported_period,
    latest_reported_on,
    next_figure_due_on,
    coalesce(
        next_figure_due_on < {{ reference_date }}
        and latest_reported_on < make_date(target_year, 12, 31),
        false
    ) as is_overdue,
    {{ reference_date }} as freshness_checked_on,
from assessed
