{#-
    Incremental builds by region (pipelines/warehouse/changes.py).

    A region's intermediate and mart rows depend on that region's registry rows, files and
    overrides only. When the pipeline has marked the regions whose files changed
    (meta.regions_to_rebuild) and nothing else changed since the last build of the whole
    project passed, it runs `dbt build` with PLAN_CHANGED_REGIONS_ONLY=1: each incremental
    model deletes the rows of those regions and inserts them again, computed from its
    upstream models' rows of those regions only, and the data tests read those regions'
    rows. Every other region's rows stay as they were, and were tested when they were built.

    Without the variable (any `dbt build` by hand), an incremental model deletes every row
    and inserts every row again: the same tables as `--full-refresh`, in place.
-#}

{% macro changed_regions_only() -%}
    {#- Read only when models and tests run, never while dbt parses the project. -#}
    {{- return(execute and env_var('PLAN_CHANGED_REGIONS_ONLY', '') == '1' and not flags.FULL_REFRESH) -}}
{%- endmacro %}


{% macro in_changed_regions(column='region_code') -%}
    coalesce({{ column }}, '') in (select region_code from meta.regions_to_rebuild)
{%- endmacro %}


{#- An upstream relation, limited to the changed regions when this build is incremental
    (never in a unit test, which has no `this`). -#}
{% macro of_changed_regions(relation) -%}
    {%- if this is not none and is_incremental() and changed_regions_only() -%}
        (select * from {{ relation }} where {{ in_changed_regions() }})
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}


{#- The pre-hook of every incremental model: make room for the rows the model inserts. -#}
{% macro delete_rows_to_rebuild() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        {%- if changed_regions_only() %} where {{ in_changed_regions() }}{% endif %}
    {%- endif -%}
{%- endmacro %}


{#-
    dbt wraps the model a data test reads in this macro. Tests configured with
    `where: __changed_regions__` (every test of this project, dbt_project.yml) read the
    changed regions' rows in an incremental build, and every row otherwise.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where == '__changed_regions__' -%}
        {%- if changed_regions_only() -%}
            {%- do return('(select * from ' ~ relation ~ ' where ' ~ in_changed_regions() ~ ') dbt_subquery') -%}
        {%- else -%}
            {%- do return(relation) -%}
        {%- endif -%}
    {%- elif where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
