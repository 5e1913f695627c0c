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

{#- The mid-term grade a progress ratio earns (快于预期, 基本符合预期, 滞后), with the band around
    1.0 widened for a short series (dbt/docs/attainment.md, Grade). -#}
{% macro grade_by_pace(ratio, years_elapsed) -%}
    {%- set widen -%}
        case when {{ years_elapsed }} < {{ var('short_series_years') }}
            then {{ var('short_series_band_factor') }} else 1 end
    {%- endset -%}
    case
        when {{ ratio }} >= 1 + ({{ var('faster_ratio') }} - 1) * {{ widen }} then 'faster_than_expected'
        when {{ ratio }} >= 1 - (1 - {{ var('on_track_ratio') }}) * {{ widen }} then 'as_expected'
        else 'lagging'
    end
{%- endmacro %}
