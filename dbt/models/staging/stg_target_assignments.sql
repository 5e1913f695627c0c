with

source as (
    select * from {{ source('raw', 'target_assignments') }}
),

renamed as (
    select
        plan_id,
        region_code,
        indicator_code,
        cast(target_year as integer) as target_year,
        cast(target_value as double) as target_value,
        document,
        reviewed_by,
        cast(reviewed_on as date) as reviewed_on,
        source_file,
        cast(source_row as integer) as source_row,
    from source
)

select * from renamed
