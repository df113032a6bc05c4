-- Staging view over raw_makini.purchase_orders: renamed and typed, no business logic.
-- Timestamps become UTC TIMESTAMP, JSON text becomes JSON, money and quantities keep the
-- raw DECIMAL(38, 9) precision (canonical models round them).
with

source as (
    select * from raw_makini.purchase_orders
),

renamed as (
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
    from source
)

select * from renamed
