with

source as (
    select * from {{ source('raw', 'plan_indicators') }}
),

renamed as (
    select
        plan_id,
        region_code,
        indicator_code,
        name_zh,
        name_en,
        unit,
        kind,
        comparator,
        cast(target_value as double) as target_value,
        cast(base_year as integer) as base_year,
        cast(target_year as integer) as target_year,
        clause,
        source_quote,
        source_file
    from source
)

select * from renamed
