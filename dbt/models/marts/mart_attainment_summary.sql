-- How many targets stand where: counts and shares of targets by status, by grade and (for
-- targets whose year has ended) by final verdict, for each plan and region as a whole, by
-- pillar and by responsible department (one row per group and category; categories with no
-- target are not listed). Shares are given twice, with names that say over what: over all
-- the group's targets (no data and not assessable included), and over the assessed ones.
with

attainment as (
    select * from {{ of_changed_regions(ref('mart_indicator_attainment')) }}
),

grouped as (
    {{ attainment_groups('attainment', ['status', 'grade', 'final_verdict']) }}
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
    union all
    select
        plan_id, region_code, group_type, group_code, group_name_zh, group_name_en,
        'final_verdict', final_verdict, count(*),
    from grouped
    where final_verdict is not null
    group by all
),

counted as (
    select
        *,
        category not in ('not_assessable', 'not_applicable', 'no_data', 'no_final_data')
            as is_assessed_category,
        sum(targets) over group_categories as targets_in_group,
        sum(case when is_assessed_category then targets else 0 end) over group_categories
            as assessed_targets_in_group,
    from by_category
    window group_categories as (
        partition by plan_id, region_code, group_type, group_code, classification
    )
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
    case
        when classification = 'grade' then {{ grade_zh('category') }}
        when classification = 'final_verdict' then {{ verdict_zh('category') }}
    end as category_zh,
    targets,
    targets_in_group,
    assessed_targets_in_group,
    round(targets / targets_in_group, 4) as share_of_all_targets,
    round(
        case when is_assessed_category then targets / nullif(assessed_targets_in_group, 0) end, 4
    ) as share_of_assessed_targets,
from counted
