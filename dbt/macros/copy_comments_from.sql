{#
  Comment a view (and each of its columns) with the description of the model it shows,
  so a BI tool browsing the `bi` schema sees the same documentation as the marts' YAML.
  Used as a post-hook of the `bi` views.
#}
{% macro copy_comments_from(model_name) -%}
    {%- if execute -%}
        {%- set node = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
            | selectattr('name', 'equalto', model_name) | first -%}
        comment on view {{ this }} is {{ duckdb_escape_comment(node.description | trim) }};
        {%- for name, column in node.columns.items() if column.description %}
        comment on column {{ this }}.{{ adapter.quote(name) }} is {{ duckdb_escape_comment(column.description | trim) }};
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}
