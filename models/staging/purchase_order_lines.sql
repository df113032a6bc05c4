-- Staging view over raw_makini.purchase_order_lines: renamed and typed, no business logic.
-- Timestamps become UTC TIMESTAMP, JSON text becomes JSON, money and quantities keep the
-- raw DECIMAL(38, 9) precision (canonical models round them).
with

source as (
    select * from raw_makini.purchase_order_lines
),

renamed as (
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
    from source
)

select * from renamed
