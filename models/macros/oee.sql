{#- OEE ratios (docs/oee.md, "OEE conventions"), shared by the per-shift and the daily marts.
    A zero denominator gives NULL; roll-ups call these on summed seconds and counts. -#}

{% macro ratio(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif({{ denominator }}, 0)
{%- endmacro %}

{#- Over run_time_s, planned_production_time_s, ideal_run_time_s, good_count, total_count. -#}
{% macro oee_ratios() -%}
    {{ ratio('run_time_s', 'planned_production_time_s') }} as availability,
    {{ ratio('ideal_run_time_s', 'run_time_s') }} as performance_raw,
    {{ ratio('good_count', 'total_count') }} as quality
{%- endmacro %}

{#- Running faster than the ideal cycle time means the ideal is wrong: performance is capped at
    1 and the capping flagged. -#}
{% macro capped_performance() -%}
    case when performance_raw > 1 then 1.0 else performance_raw end as performance,
    coalesce(performance_raw > 1, false) as performance_capped
{%- endmacro %}

{#- Over the columns of oee_ratios() and capped_performance(). -#}
{% macro oee() -%}
    availability * performance * quality
{%- endmacro %}
