with

indicators as (
    select * from {{ ref('stg_plan_indicators') }}
)

select
    plan_id,
    region_code,
    indicator_code,
    name_zh,
    name_en,
    unit,
    kind,
    comparator,
    target_value,
    base_year,
    target_year,
    clause,
    source_quote,
    source_file,
from indicators
