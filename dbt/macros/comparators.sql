{#- How a figure is compared with its target (plan.yaml `comparator`, pipelines/vocabulary.py):
    at_least ≥, above > (strict), at_most ≤, below < (strict), about ≈ within the tolerance;
    `within` (a range) and `equals` (a milestone's 1) are met from the lower bound up. -#}

{% macro meets(value, target, comparator, tolerance) -%}
    case
        when {{ comparator }} = 'at_most' then {{ value }} <= {{ target }}
        when {{ comparator }} = 'below' then {{ value }} < {{ target }}
        when {{ comparator }} = 'above' then {{ value }} > {{ target }}
        when {{ comparator }} = 'about'
            then abs({{ value }} - {{ target }}) <= {{ tolerance }} * abs({{ target }})
        else {{ value }} >= {{ target }}
    end
{%- endmacro %}

{#- A ceiling (≤ or <): less is better, and progress is target / actual. -#}
{% macro is_ceiling(comparator) -%}
    ({{ comparator }} in ('at_most', 'below'))
{%- endmacro %}
