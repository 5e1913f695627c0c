with

source as (
    select * from {{ source('raw', 'observations') }}
),

renamed as (
    select
        region_code,
        indicator_code,
        period,
        case
            when period like '%-Q%' then 'quarter'
            when period like '%-%' then 'month'
            else 'year'
        end as period_type,
        cast(substr(period, 1, 4) as integer) as period_year,
        case
            when period like '%-Q%' then cast(substr(period, 7, 1) as integer) * 3
            when period like '%-%' then cast(substr(period, 6, 2) as integer)
            else 12
        end as period_end_month,
        cast(value as double) as value,
        value_text,
        unit,
        source_file,
        source_sheet,
        cast(source_row as integer) as source_row
    from source
),

dated as (
    select
        region_code,
        indicator_code,
        period,
        period_type,
        period_year,
        last_day(make_date(period_year, period_end_month, 1)) as period_end_date,
        value,
        value_text,
        unit,
        source_file,
        source_sheet,
        source_row
    from renamed
)

select * from dated
