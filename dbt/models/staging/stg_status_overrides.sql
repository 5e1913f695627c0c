with

source as (
    select * from {{ source('raw', 'status_overrides') }}
),

renamed as (
    select
        plan_id,
        region_code,
        indicator_code,
        period,
        cast(period_year as integer) as period_year,
        cast(period_end_month as integer) as period_end_month,
        last_day(make_date(cast(period_year as integer), cast(period_end_month as integer), 1))
            as period_end_date,
        status,
        reason,
        reviewed_by,
        cast(reviewed_on as date) as reviewed_on,
        source_file,
        cast(source_row as integer) as source_row,
    from source
)

select * from renamed
