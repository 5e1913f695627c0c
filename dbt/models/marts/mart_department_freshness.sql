-- Who owes what: per plan, region and responsible department, the targets it reports, how
-- many have figures, whose next figure is overdue on the reference date (and which), and the
-- last figures it sent. Built on the attainment mart, so it follows the same `as_of` var.
with

attainment as (
    select * from {{ of_changed_regions(ref('mart_indicator_attainment')) }}
),

observations as (
    select * from {{ of_changed_regions(ref('fct_indicator_observation')) }}
),

targets as (
    select
        plan_id,
        region_code,
        department_code,
        any_value(department_zh) as department_zh,
        any_value(department_en) as department_en,
        count(*) as targets,
        count(latest_reported_on) as targets_reported,
        count(*) filter (where latest_reported_on is null) as targets_never_reported,
        count(*) filter (where is_overdue) as targets_overdue,
        string_agg(indicator_code, ', ' order by indicator_code) filter (where is_overdue)
            as overdue_indicators,
        string_agg(name_zh, '、' order by indicator_code) filter (where is_overdue)
            as overdue_names_zh,
        cast(min(next_figure_due_on) filter (where is_overdue) as date) as overdue_since,
        any_value(freshness_checked_on) as freshness_checked_on,
    from attainment
    group by plan_id, region_code, department_code
),

-- The latest figure the department sent for any of its targets: its submission date and file
-- (the later file name first among files of the same date, so that the row is deterministic).
last_sent as (
    select
        attainment.plan_id,
        attainment.region_code,
        attainment.department_code,
        max({'sent_on': observations.vintage_date, 'file': observations.source_file})
            as latest,
    from attainment
    inner join observations
        on observations.region_code = attainment.region_code
        and observations.indicator_code = attainment.indicator_code
    group by attainment.plan_id, attainment.region_code, attainment.department_code
)

select
    targets.plan_id,
    targets.region_code,
    targets.department_code,
    targets.department_zh,
    targets.department_en,
    targets.targets,
    targets.targets_reported,
    targets.targets_never_reported,
    targets.targets_overdue,
    targets.overdue_indicators,
    targets.overdue_names_zh,
    targets.overdue_since,
    last_sent.latest.sent_on as last_figures_sent_on,
    last_sent.latest.file as last_file,
    targets.freshness_checked_on,
from targets
left join last_sent
    on last_sent.plan_id = targets.plan_id
    and last_sent.region_code = targets.region_code
    and last_sent.department_code is not distinct from targets.department_code
