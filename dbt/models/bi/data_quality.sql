-- bi.data_quality: marts.mart_data_quality for BI tools, under a name that stays put; the view and its
-- columns carry the mart's documentation as comments.
{{ config(post_hook="{{ copy_comments_from('mart_data_quality') }}") }}

select * from {{ ref('mart_data_quality') }}
