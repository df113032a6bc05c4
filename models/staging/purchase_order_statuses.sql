-- Staging view over raw_makini.purchase_order_statuses: renamed and typed, no business logic.
-- Timestamps become UTC TIMESTAMP, JSON text becomes JSON, money and quantities keep the
-- raw DECIMAL(38, 9) precision (canonical models round them).
with

source as (
    select * from raw_makini.purchase_order_statuses
),

renamed as (
    select
        -- keys
        connection_id,
        key as status_key,
        organization_key,
        parent_key as parent_status_key,
        -- attributes
        name as status_name,
        code as status_code,
        sub_code as status_sub_code,
        scope,
        -- flags
        cast(is_active as boolean) as is_active,
        -- timestamps
        cast(created_at at time zone 'UTC' as timestamp) as created_at,
        cast(updated_at at time zone 'UTC' as timestamp) as updated_at,
        cast(deleted_at at time zone 'UTC' as timestamp) as deleted_at,
        cast(_extracted_at at time zone 'UTC' as timestamp) as _extracted_at
    from source
)

select * from renamed
