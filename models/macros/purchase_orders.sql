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


{#- The rows of `relation` (a CTE with connection_id and po_key) that this build makes: in an
    incremental build only those of the orders in the `redo` CTE, else all. -#}
{% macro redone(relation) -%}
    select {{ relation }}.*
    from {{ relation }}
{%- if is_incremental() %}
    inner join redo
        on redo.connection_id = {{ relation }}.connection_id
        and redo.po_key = {{ relation }}.po_key
{%- endif %}
{%- endmacro %}
