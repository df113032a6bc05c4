-- Staging view over raw_makini.purchase_order_line_items: renamed and typed, no business logic.
-- Timestamps become UTC TIMESTAMP, JSON text becomes JSON, money and quantities keep the
-- raw DECIMAL(38, 9) precision (canonical models round them).
with

source as (
    select * from raw_makini.purchase_order_line_items
),

renamed as (
    select
        -- keys
        connection_id,
        key as line_key,
        -- The line-items endpoint has no order key: (connection_id, line key) is how a line item
        -- is matched to an order's embedded line (the orphan-line check uses it).
        {{ surrogate_key('connection_id', 'key') }} as connection_line_key,
        location_key,
        asset_key,
        status_key,
        material_key,
        storeroom_key,
        vendor_key,
        product_key,
        uom_key,
        currency_key,
        -- attributes
        line_no,
        code,
        name as line_name,
        description,
        line_ref,
        type as line_type,
        notes,
        -- amounts
        cast(price as decimal(38, 9)) as price,
        cast(discount as decimal(38, 9)) as discount,
        cast(quantity as decimal(38, 9)) as quantity,
        cast(received_quantity as decimal(38, 9)) as received_quantity,
        cast(cost as decimal(38, 9)) as cost,
        cast(line_total_value as decimal(38, 9)) as line_total_value,
        cast(line_tax_value as decimal(38, 9)) as line_tax_value,
        -- documents
        json(custom_fields) as custom_fields,
        -- timestamps
        cast(delivery_at at time zone 'UTC' as timestamp) as delivery_at,
        cast(due_at at time zone 'UTC' as timestamp) as due_at,
        cast(created_at at time zone 'UTC' as timestamp) as created_at,
        cast(updated_at at time zone 'UTC' as timestamp) as updated_at,
        cast(_extracted_at at time zone 'UTC' as timestamp) as _extracted_at
    from source
)

select * from renamed
