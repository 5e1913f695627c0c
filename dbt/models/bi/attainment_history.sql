-- bi.attainment_history: marts.mart_attainment_history for BI tools, under a name that stays put; the view and its
-- columns carry the mart's documentation as comments.
{{ config(post_hook="{{ copy_comments_from('mart_attainment_history') }}") }}

select * from {{ ref('mart_attainment_history') }}
