{# The Chinese label of an attainment grade (dbt/docs/attainment.md). #}
{% macro grade_zh(grade) -%}
    case {{ grade }}
        when 'ahead_of_schedule' then '提前实现'
        when 'achieved' then '已实现'
        when 'faster_than_expected' then '快于预期'
        when 'as_expected' then '基本符合预期'
        when 'lagging' then '滞后'
        when 'not_achieved' then '未实现'
        when 'pending' then '待实现'
        when 'no_data' then '暂无数据'
        when 'not_applicable' then '不适用'
    end
{%- endmacro %}

{# The Chinese label of a final verdict (dbt/docs/attainment.md), as final evaluations write it. #}
{% macro verdict_zh(verdict) -%}
    case {{ verdict }}
        when 'met' then '完成'
        when 'partly_met' then '基本完成'
        when 'not_met' then '未完成'
        when 'no_final_data' then '无终期数据'
        when 'not_assessable' then '不可量化评估'
    end
{%- endmacro %}
