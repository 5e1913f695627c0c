-- Every plan target at its latest assessable period: the measures of
-- mart_attainment_history, plus how fresh its data is. Targets with no assessable
-- period still have a row: not_assessable (qualitative), achieved when the only figure
-- (the base) already meets the target, else no_data.
{% set reference_date %}
    {%- if var('as_of', none) -%} cast('{{ var("as_of") }}' as date) {%- else -%} current_date {%- endif -%}
{% endset %}
with

indicators as (
    select * from {{ ref('dim_indicator') }}
),

targets as (
    select * from {{ ref('int_attainment_targets') }}
),

history as (
    select
        *,
        row_number() over (
            partition by plan_id, region_code, indicator_code
            order by period_end_date desc
        ) as recency_rank,
        count(*) over (partition by plan_id, region_code, indicator_code) as periods_assessed,
    from {{ ref('mart_attainment_history') }}
),

latest as (
    select * from history where recency_rank = 1
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
        arg_max(period, period_end_date) filter (where is_full_year) as latest_full_year,
    from {{ ref('int_observations_to_date') }}
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
        indicators.unit,
        indicators.kind,
        indicators.comparator,
        indicators.cadence,
        indicators.target_value,
        indicators.target_upper,
        indicators.target_year,
        targets.start_year as base_period_year,
        targets.base_value,
        targets.base_value is not null and case
            when indicators.comparator = 'at_most' then targets.base_value <= indicators.target_value
            when indicators.comparator = 'about'
                then abs(targets.base_value - indicators.target_value)
                    <= targets.tolerance * abs(indicators.target_value)
            else targets.base_value >= indicators.target_value
        end as base_meets_target,
        coalesce(latest.period, reported.latest_full_year) as latest_period,
        coalesce(latest.value_to_date, reported.latest_full_year_value) as latest_value,
        case
            when latest.plan_id is null then reported.latest_full_year_value
            else latest.actual_value
        end as actual_value,
        latest.* exclude (
            plan_id, region_code, indicator_code, period, period_year, kind, comparator,
            target_value, target_upper, target_year, base_period_year, base_value,
            value_to_date, actual_value, status, calculated_status, grade, grade_zh,
            recency_rank, periods_assessed
        ),
        latest.status as history_status,
        latest.calculated_status as history_calculated_status,
        latest.grade as history_grade,
        coalesce(latest.periods_assessed, 0) as periods_assessed,
        reported.latest_reported_period,
        reported.latest_reported_on,
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
    left join reported
        on
            indicators.plan_id = reported.plan_id
            and indicators.region_code = reported.region_code
            and indicators.indicator_code = reported.indicator_code
),

assessed as (
    select
        *,
        case
            when kind = 'qualitative' then 'not_assessable'
            when history_status is not null then history_status
            when base_meets_target then 'achieved'
            else 'no_data'
        end as status,
        case
            when kind = 'qualitative' then 'not_assessable'
            when history_calculated_status is not null then history_calculated_status
            when base_meets_target then 'achieved'
            else 'no_data'
        end as calculated_status,
        case
            when kind = 'qualitative' then 'not_applicable'
            when history_grade is not null then history_grade
            when base_meets_target then 'ahead_of_schedule'
            else 'no_data'
        end as grade,
        -- When the next figure is due: a period's length after the latest one, plus the
        -- time departments take to report it (a month, 45 days, a quarter for a year).
        case cadence
            when 'monthly' then latest_reported_on + interval 2 month
            when 'quarterly' then latest_reported_on + interval 3 month + interval 45 day
            when 'annual' then latest_reported_on + interval 15 month
        end as next_figure_due_on,
    from joined
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
    unit,
    kind,
    method,
    comparator,
    target_value,
    target_upper,
    target_year,
    base_period_year,
    base_value,
    latest_period,
    latest_value,
    actual_value,
    cumulative_value,
    case
        when kind in ('qualitative', 'relational') or actual_value is null then null
        when comparator = 'at_most' and actual_value > 0
            then round(target_value / actual_value, 4)
        when comparator <> 'at_most' and target_value <> 0
            then round(actual_value / target_value, 4)
    end as completion_ratio,
    elapsed_share,
    expected_value,
    gap_to_expected,
    progress_ratio,
    growth_rate,
    reference_growth_rate,
    annual_pace,
    projected_value,
    projected_year_total,
    required_annual_growth,
    required_annual_amount,
    years_met,
    years_assessed,
    years_missing,
    is_exceeded,
    reached_on,
    status,
    calculated_status,
    grade,
    {{ grade_zh('grade') }} as grade_zh,
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
