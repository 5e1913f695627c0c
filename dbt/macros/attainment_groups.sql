{#
  Every target of `relation` (a row per plan, region and indicator) four times: in the
  plan and region as a whole (group_type `all`), in its pillar, in its responsible
  department and by its nature (约束性 binding, 预期性 anticipatory: reviews report binding
  targets apart), with `columns` carried along. The groups every summary counts in.
#}
{% macro attainment_groups(relation, columns) -%}
    select
        plan_id, region_code, 'all' as group_type, 'all' as group_code,
        '全部指标' as group_name_zh, 'All targets' as group_name_en, {{ columns | join(', ') }},
    from {{ relation }}
    union all
    select
        plan_id, region_code, 'pillar', pillar_zh, pillar_zh, pillar_en, {{ columns | join(', ') }},
    from {{ relation }}
    union all
    select
        plan_id, region_code, 'department', department_code, department_zh, department_en,
        {{ columns | join(', ') }},
    from {{ relation }}
    union all
    select
        plan_id, region_code, 'nature', coalesce(nature, 'anticipatory'),
        case nature when 'binding' then '约束性指标' else '预期性指标' end,
        case nature when 'binding' then 'Binding targets' else 'Anticipatory targets' end,
        {{ columns | join(', ') }},
    from {{ relation }}
{%- endmacro %}
