{#- The orders an incremental build of `this` must redo because the source sent them again, as
    (connection_id, po_key): per connection, every order extracted after the newest row `this`
    holds (`_loaded_at` is the raw row's extraction time; lines arrive inside their order, so
    they share it). A connection `this` has never seen is taken whole. What changed on the
    warehouse side (a renamed vendor, a remapped status) each model finds itself by comparing
    what it built with what it would build now. -#}
{% macro extracted_purchase_orders(this) -%}
    select orders.connection_id, orders.po_key
    from staging.purchase_orders as orders
    left join (
        select
            connection_id,
            max(_loaded_at) as loaded_through
        from {{ this }}
        group by connection_id
    ) as built
        on built.connection_id = orders.connection_id
    where built.loaded_through is null
        or orders._extracted_at > built.loaded_through
{%- endmacro %}


{#- The rows of `orders` (staging.purchase_orders) this build makes: in an incremental build only
    the orders in the `redo` CTE, typed from their raw rows after the join (macros/staging.sql),
    else all. -#}
{% macro redone_orders(orders) -%}
{%- if is_incremental() -%}
    {{ staged_purchase_orders(redone_raw('raw_makini.purchase_orders', 'key')) | indent(4) }}
{%- else -%}
    select * from {{ orders }}
{%- endif %}
{%- endmacro %}


{#- The rows of `lines` (staging.purchase_order_lines) this build makes: in an incremental build
    only the lines of the orders in the `redo` CTE, typed from their raw rows after the join,
    else all. -#}
{% macro redone_lines(lines) -%}
{%- if is_incremental() -%}
    {{ staged_purchase_order_lines(
        redone_raw('raw_makini.purchase_order_lines', 'purchase_order_key')
    ) | indent(4) }}
{%- else -%}
    select * from {{ lines }}
{%- endif %}
{%- endmacro %}


{#- The raw rows of `table` whose order (`po_key_column`) is in the `redo` CTE, as a subquery. -#}
{% macro redone_raw(table, po_key_column) -%}
(
    select raw.*
    from {{ table }} as raw
    inner join redo
        on redo.connection_id = raw.connection_id
        and redo.po_key = raw.{{ po_key_column }}
) as redone
{%- endmacro %}
