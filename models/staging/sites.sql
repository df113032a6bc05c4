-- Staging view over raw_makini.sites: renamed and typed, no business logic.
-- Timestamps become UTC TIMESTAMP, JSON text becomes JSON, money and quantities keep the
-- raw DECIMAL(38, 9) precision (canonical models round them).
with

source as (
    select * from raw_makini.sites
),

renamed as (
    select
        -- keys
        connection_id,
        key as site_key,
        organization_key,
        customer_key,
        -- attributes
        name as site_name,
        code as site_code,
        description,
        lat as latitude,
        lng as longitude,
        properties,
        notes,
        -- documents
        json(contact) as contact,
        json(address) as site_address,
        json(billing_address) as billing_address,
        -- timestamps
        cast(created_at at time zone 'UTC' as timestamp) as created_at,
        cast(updated_at at time zone 'UTC' as timestamp) as updated_at,
        cast(deleted_at at time zone 'UTC' as timestamp) as deleted_at,
        cast(_extracted_at at time zone 'UTC' as timestamp) as _extracted_at
    from source
)

select * from renamed
