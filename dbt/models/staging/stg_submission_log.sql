with

source as (
    select * from {{ source('raw', 'submission_log') }}
),

renamed as (
    select
        source_file,
        source_checksum,
        cast(size_bytes as bigint) as size_bytes,
        region_code,
        department_code,
        status,
        cast(rows_read as integer) as rows_read,
        cast(rows_accepted as integer) as rows_accepted,
        cast(rows_rejected as integer) as rows_rejected,
        cast(issue_count as integer) as issue_count,
        errors,
        checked_at,
    from source
)

select * from renamed
