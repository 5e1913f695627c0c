-- bi.evaluation_summary: marts.mart_evaluation_summary for BI tools, under a name that stays put; the view and its
-- columns carry the mart's documentation as comments.
{{ config(post_hook="{{ copy_comments_from('mart_evaluation_summary') }}") }}

select * from {{ ref('mart_evaluation_summary') }}
