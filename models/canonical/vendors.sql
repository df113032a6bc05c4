-- One row per vendor of every connection.
with

vendors as (
    select * from staging.vendors
),

final as (
    select
        -- ids
        {{ surrogate_key('connection_id', 'vendor_key') }} as vendor_id,
        connection_id,
        vendor_key,
        -- attributes
        trim(vendor_code) as vendor_code,
        trim(vendor_name) as vendor_name,
        company_key,
        organization_key,
        -- flags
        deleted_at is not null as is_deleted,
        -- timestamps
        created_at,
        updated_at,
        _extracted_at as _loaded_at
    from vendors
)

select * from final
