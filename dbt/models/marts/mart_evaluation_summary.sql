-- The final evaluation in the words officials write (“M 项指标中完成 K 项，完成率 X%”): per
-- plan and region, pillar and department, the targets whose year has ended on the
-- reference date, counted by final verdict; and the mid-term reading of every target by
-- grade (提前实现, 快于预期 ...).
with

attainment as (
    select * from {{ of_changed_regions(ref('mart_indicator_attainment')) }}
),

grouped as (
    {{ attainment_groups('attainment', ['is_final', 'final_verdict', 'grade', 'freshness_checked_on']) }}
),

-- Grades in the order a mid-term review lists them.
grade_counts as (
    select
        plan_id, region_code, group_type, group_code, grade, count(*) as targets,
        list_position(
            ['ahead_of_schedule', 'achieved', 'faster_than_expected', 'as_expected', 'lagging',
             'not_achieved', 'pending', 'no_data', 'not_applicable'],
            grade
        ) as grade_order,
    from grouped
    group by all
),

midterm as (
    select
        plan_id, region_code, group_type, group_code,
        string_agg(
            printf('%s %d 项', {{ grade_zh('grade') }}, targets), '，' order by grade_order
        ) as grades_zh,
    from grade_counts
    group by all
),

counts as (
    select
        plan_id,
        region_code,
        group_type,
        group_code,
        group_name_zh,
        group_name_en,
        max(freshness_checked_on) as evaluated_on,
        count(*) as targets,
        count(*) filter (where is_final) as targets_due,
        count(*) filter (where final_verdict = 'met') as met,
        count(*) filter (where final_verdict = 'partly_met') as partly_met,
        count(*) filter (where final_verdict = 'not_met') as not_met,
        count(*) filter (where final_verdict = 'no_final_data') as no_final_data,
        count(*) filter (where final_verdict = 'not_assessable') as not_assessable,
    from grouped
    group by all
)

select
    counts.plan_id,
    counts.region_code,
    counts.group_type,
    counts.group_code,
    group_name_zh,
    group_name_en,
    evaluated_on,
    targets,
    targets_due,
    met,
    partly_met,
    not_met,
    no_final_data,
    not_assessable,
    met + partly_met + not_met as assessed,
    round(met / nullif(targets_due, 0), 4) as completion_rate_of_due_targets,
    round(met / nullif(met + partly_met + not_met, 0), 4) as completion_rate_of_assessed_targets,
    case when targets_due > 0 then printf(
        '%d 项指标中完成 %d 项，完成率 %.1f%%；基本完成 %d 项，未完成 %d 项，无终期数据 %d 项，不可量化评估 %d 项',
        targets_due, met, 100.0 * met / targets_due, partly_met, not_met, no_final_data, not_assessable
    ) end as summary_zh,
    case when targets_due > 0 then printf(
        '%d of %d targets met (%.1f%%); %d partly met, %d not met, %d without a final figure, %d not assessable',
        met, targets_due, 100.0 * met / targets_due, partly_met, not_met, no_final_data, not_assessable
    ) end as summary_en,
    printf('%d 项指标中：%s', targets, midterm.grades_zh) as midterm_summary_zh,
from counts
inner join midterm using (plan_id, region_code, group_type, group_code)
