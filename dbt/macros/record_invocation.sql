{#
  Every dbt command that runs nodes records itself in the file it builds, in
  `meta.dbt_invocations`: when it started, and when it ended with whether every model and
  test passed. `python -m pipelines publish` and the publish asset refuse a working file
  whose last command did not pass or never ended (killed half-way), whoever ran it: Dagster
  or dbt by hand.
#}
{% macro record_invocation_start() -%}
    create schema if not exists meta;
    create table if not exists meta.dbt_invocations (
        invocation_id varchar primary key,
        command varchar,
        as_of date,
        started_at timestamptz,
        finished_at timestamptz,
        passed boolean,
        failures integer
    );
    insert into meta.dbt_invocations (invocation_id, command, as_of, started_at)
    values (
        '{{ invocation_id }}',
        '{{ flags.WHICH }}',
        {% if var('as_of', none) %}cast('{{ var("as_of") }}' as date){% else %}null{% endif %},
        now()
    );
{%- endmacro %}

{% macro record_invocation_end(results) -%}
    {%- set failures = results | selectattr('status', 'in', ['error', 'fail', 'runtime error']) | list | length -%}
    update meta.dbt_invocations
    set finished_at = now(), passed = {{ 'true' if failures == 0 else 'false' }}, failures = {{ failures }}
    where invocation_id = '{{ invocation_id }}';
{%- endmacro %}
