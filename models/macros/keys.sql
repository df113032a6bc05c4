{#- Readable keys: surrogate_key('connection_id', 'po_key') is connection_id || ':' || po_key,
    the ids of every canonical table (not a hash, unlike dbt_utils' macro of the same name). -#}
{% macro surrogate_key() -%}
    {{ varargs | join(" || ':' || ") }}
{%- endmacro %}
