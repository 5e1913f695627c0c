-- bi.observations: marts.fct_indicator_observation for BI tools, under a name that stays put; the view and its
-- columns carry the mart's documentation as comments.
{{ config(post_hook="{{ copy_comments_from('fct_indicator_observation') }}") }}

select * from {{ ref('fct_indicator_observation') }}
