{#- Use the folder's schema (staging, intermediate, marts) as it is, not prefixed
    with the target schema, so analysts find `marts.mart_indicator_attainment`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
