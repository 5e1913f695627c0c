-- The validation log for departments and data engineers: one row per file version read,
-- with its verdict and every problem found.
with

log as (
    select * from {{ of_changed_regions(ref('stg_submission_log')) }}
)

select
    source_file as file,
    source_checksum as checksum,
    region_code,
    department_code as department,
    status,
    rows_read,
    rows_accepted,
    rows_rejected,
    issue_count,
    errors,
    size_bytes,
    checked_at,
from log
