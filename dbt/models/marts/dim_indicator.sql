with

indicators as (
    select * from {{ ref('stg_plan_indicators') }}
)

select
    plan_id,
    plan_title_zh,
    plan_adopted_on,
    region_code,
    region_name_zh,
    indicator_code,
    name_zh,
    name_en,
    chapter,
    chapter_title,
    clause,
    clause_title,
    pillar_zh,
    pillar_en,
    department_code,
    department_zh,
    department_en,
    department_source,
    unit,
    kind,
    comparator,
    target_value,
    target_upper,
    tolerance,
    each_year,
    base_year,
    target_year,
    cadence,
    path,
    nature,
    reference_indicator_code,
    notes,
    source_quote,
    source_start,
    source_end,
    source_file,
from indicators
