with

source as (
    select * from {{ source('raw', 'observations') }}
),

renamed as (
    select
        region_code,
        department_code,
        indicator_code,
        period,
        period_type,
        cast(period_year as integer) as period_year,
        cast(period_end_month as integer) as period_end_month,
        -- Files loaded before days were accepted carry no end date: the month's last day.
        coalesce(
            cast(period_end_date as date),
            last_day(make_date(cast(period_year as integer), cast(period_end_month as integer), 1))
        ) as period_end_date,
        cast(value as double) as value,
        coalesce(is_outside_list, false) as is_outside_list,
        cast(comparable_growth_pct as double) as comparable_growth_pct,
        estimate_stage,
        unit,
        cast(value_original as double) as value_original,
        unit_original,
        value_text,
        missing_reason,
        note,
        source_file,
        source_checksum,
        source_sheet,
        cast(source_row as integer) as source_row,
        cast(submitted_on as date) as submitted_on,
        loaded_at,
    from source
)

select * from renamed
