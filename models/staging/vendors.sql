-- Staging view over raw_makini.vendors: renamed and typed, no business logic.
-- Timestamps become UTC TIMESTAMP, JSON text becomes JSON, money and quantities keep the
-- raw DECIMAL(38, 9) precision (canonical models round them).
with

source as (
    select * from raw_makini.vendors
),

renamed as (
    select
        -- keys
        connection_id,
        key as vendor_key,
        company_key,
        organization_key,
        -- attributes
        name as vendor_name,
        code as vendor_code,
        -- timestamps
        cast(created_at at time zone 'UTC' as timestamp) as created_at,
        cast(updated_at at time zone 'UTC' as timestamp) as updated_at,
        cast(deleted_at at time zone 'UTC' as timestamp) as deleted_at,
        cast(_extracted_at at time zone 'UTC' as timestamp) as _extracted_at
    from source
)

select * from renamed
