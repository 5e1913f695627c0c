-- bi.indicators: marts.dim_indicator for BI tools, under a name that stays put; the view and its
-- columns carry the mart's documentation as comments.
{{ config(post_hook="{{ copy_comments_from('dim_indicator') }}") }}

select * from {{ ref('dim_indicator') }}
