{#- The staging columns of the purchase-order tables, renamed and typed from raw rows.
    The staging views apply them to every raw row; the incremental canonical models apply them
    to only the raw rows of the orders they redo (`redone_orders`, `redone_lines`): DuckDB
    computes a view's columns for every row before a join filters them, and the JSON and
    time-zone conversions of 100,000 orders cost more than the rest of a small build. -#}

{#- staging.purchase_orders from `relation`, rows of raw_makini.purchase_orders. -#}
{% macro staged_purchase_orders(relation) -%}
select
    -- keys
    connection_id,
    key as po_key,
    site_key,
    organization_key,
    vendor_key,
    user_requested_key as requested_by_user_key,
    user_approved_key as approved_by_user_key,
    status_key,
    currency_key,
    location_key,
    -- attributes
    order_no as po_number,
    title,
    description,
    shipping_method,
    terms as payment_terms,
    notes,
    -- amounts
    cast(total_net_value as decimal(38, 9)) as total_net_value,
    cast(total_gross_value as decimal(38, 9)) as total_gross_value,
    -- documents
    json(shipment_address) as shipment_address,
    json(billing_address) as billing_address,
    json(delivery_address) as delivery_address,
    json(custom_fields) as custom_fields,
    -- timestamps
    cast(order_date at time zone 'UTC' as timestamp) as order_date,
    cast(due_at at time zone 'UTC' as timestamp) as due_at,
    cast(approved_at at time zone 'UTC' as timestamp) as approved_at,
    cast(completed_at at time zone 'UTC' as timestamp) as completed_at,
    cast(shipment_date at time zone 'UTC' as timestamp) as shipment_at,
    cast(created_at at time zone 'UTC' as timestamp) as created_at,
    cast(updated_at at time zone 'UTC' as timestamp) as updated_at,
    cast(deleted_at at time zone 'UTC' as timestamp) as deleted_at,
    cast(_extracted_at at time zone 'UTC' as timestamp) as _extracted_at
from {{ relation }}
{%- endmacro %}


{#- staging.purchase_order_lines from `relation`, rows of raw_makini.purchase_order_lines. -#}
{% macro staged_purchase_order_lines(relation) -%}
select
    -- keys
    connection_id,
    purchase_order_key as po_key,
    key as line_key,
    location_key,
    account_key,
    vendor_key,
    asset_key,
    material_key,
    product_key,
    status_key,
    storeroom_key,
    uom_key,
    currency_key,
    -- attributes
    line_no,
    code,
    type as line_type,
    name as line_name,
    description,
    line_ref,
    notes,
    -- amounts
    cast(quantity as decimal(38, 9)) as quantity,
    cast(received_quantity as decimal(38, 9)) as received_quantity,
    cast(price as decimal(38, 9)) as price,
    cast(discount as decimal(38, 9)) as discount,
    cast(line_tax_value as decimal(38, 9)) as line_tax_value,
    cast(line_total_value as decimal(38, 9)) as line_total_value,
    -- documents
    json(custom_fields) as custom_fields,
    -- timestamps
    cast(delivery_at at time zone 'UTC' as timestamp) as delivery_at,
    cast(due_at at time zone 'UTC' as timestamp) as due_at,
    cast(created_at at time zone 'UTC' as timestamp) as created_at,
    cast(updated_at at time zone 'UTC' as timestamp) as updated_at,
    cast(deleted_at at time zone 'UTC' as timestamp) as deleted_at,
    cast(_extracted_at at time zone 'UTC' as timestamp) as _extracted_at
from {{ relation }}
{%- endmacro %}
