with

source as (
    select * from {{ source('raw', 'plan_indicators') }}
),

renamed as (
    select
        plan_id,
        plan_title_zh,
        cast(plan_adopted_on as date) as plan_adopted_on,
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
        unit_family,
        measure,
        kind,
        comparator,
        cast(target_value as double) as target_value,
        cast(target_upper as double) as target_upper,
        target_source,
        cast(plan_base_value as double) as plan_base_value,
        change_basis,
        change_direction,
        reported_as,
        cast(tolerance as double) as tolerance,
        cast(plausible_max as double) as plausible_max,
        each_year,
        cast(base_year as integer) as base_year,
        cast(target_year as integer) as target_year,
        cadence,
        path,
        nature,
        reference_indicator_code,
        notes,
        source_quote,
        cast(source_start as integer) as source_start,
        cast(source_end as integer) as source_end,
        source_file,
    from source
)

select * from renamed
