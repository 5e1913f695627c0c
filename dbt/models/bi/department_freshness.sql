-- bi.department_freshness: marts.mart_department_freshness for BI tools, under a name that stays
-- put; the view and its columns carry the mart's documentation as comments.
{{ config(post_hook="{{ copy_comments_from('mart_department_freshness') }}") }}

select * from {{ ref('mart_department_freshness') }}
