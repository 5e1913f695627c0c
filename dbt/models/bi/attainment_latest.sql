-- bi.attainment_latest: marts.mart_indicator_attainment for BI tools, under a name that stays put; the view and its
-- columns carry the mart's documentation as comments.
{{ config(post_hook="{{ copy_comments_from('mart_indicator_attainment') }}") }}

select * from {{ ref('mart_indicator_attainment') }}
