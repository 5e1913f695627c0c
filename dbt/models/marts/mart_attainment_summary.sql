-- How many targets stand where: counts and shares of targets by status and by grade, for
-- each plan and region as a whole, by pillar and by responsible department (one row per
-- group and category; categories with no target are not listed).
with

attainment as (
    select * from {{ ref('mart_indicator_attainment') }}
),

grouped as (
    select
        plan_id, region_code, 'all' as group_type, 'all' as group_code,
        '全部指标' as group_name_zh, 'All targets' as group_name_en, status, grade,
    from attainment
    union all
    select
        plan_id, region_code, 'pillar', pillar_zh, pillar_zh, pillar_en, status, grade,
    from attainment
    union all
    select
        plan_id, region_code, 'department', department_code, department_zh, department_en,
        status, grade,
    from attainment
),

by_category as (
    select
        plan_id, region_code, group_type, group_code, group_name_zh, group_name_en,
        'status' as classification, status as category, count(*) as targets,
    from grouped
    group by all
    union all
    select
        plan_id, region_code, group_type, group_code, group_name_zh, group_name_en,
        'grade', grade, count(*),
    from grouped
    group by all
)

select
    plan_id,
    region_code,
    group_type,
    group_code,
    group_name_zh,
    group_name_en,
    classification,
    category,
    case when classification = 'grade' then {{ grade_zh('category') }} end as category_zh,
    targets,
    sum(targets) over (
        partition by plan_id, region_code, group_type, group_code, classification
    ) as targets_in_group,
    round(targets / targets_in_group, 4) as share,
    -- Share among the targets that can be assessed (not qualitative, with data).
    round(
        case when category not in ('not_assessable', 'not_applicable', 'no_data') then
            targets / nullif(sum(case when category not in ('not_assessable', 'not_applicable', 'no_data') then targets end) over (
                partition by plan_id, region_code, group_type, group_code, classification
            ), 0)
        end,
        4
    ) as share_of_assessed,
from by_category
