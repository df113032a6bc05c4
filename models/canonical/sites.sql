-- One row per site (plant, warehouse, facility) of every connection.
with

sites as (
    select * from staging.sites
),

final as (
    select
        -- ids
        {{ surrogate_key('connection_id', 'site_key') }} as site_id,
        connection_id,
        site_key,
        -- attributes
        trim(site_code) as site_code,
        trim(site_name) as site_name,
        description,
        organization_key,
        customer_key,
        -- coordinates stay text: the API sends free-form strings
        latitude,
        longitude,
        -- documents
        site_address as address,
        billing_address,
        contact,
        properties,
        notes,
        -- flags
        deleted_at is not null as is_deleted,
        -- timestamps
        created_at,
        updated_at,
        _extracted_at as _loaded_at
    from sites
)

select * from final
