{#-
    Every column rule of a model in one pass over its rows: the `not_null` columns, and the
    `accepted_values` columns with their values (null is accepted, as in dbt's own
    accepted_values test). One test per model instead of one per column and rule: a build
    pays dbt's cost per test (about 40 ms) a few times instead of 150 times.

    Fails with one row per broken rule: the rule (`status is null`, `grade not accepted`)
    and how many rows break it.
-#}
{% test column_rules(model, not_null=[], accepted_values={}) %}
with counted as (
    select
    {%- for column in not_null %}
        count(*) filter (where {{ adapter.quote(column) }} is null)
            as {{ adapter.quote(column ~ ' is null') }},
    {%- endfor %}
    {%- for column, values in accepted_values.items() %}
        count(*) filter (
            where {{ adapter.quote(column) }} not in (
                {%- for value in values %}'{{ value | replace("'", "''") }}'{{ ', ' if not loop.last }}{% endfor -%}
            )
        ) as {{ adapter.quote(column ~ ' not accepted') }},
    {%- endfor %}
    from {{ model }}
),

rules as (
    unpivot counted on columns(*) into name rule value failing_rows
)

select rule, failing_rows
from rules
where failing_rows > 0
{% endtest %}
