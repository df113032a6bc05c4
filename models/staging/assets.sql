-- Staging view over raw_makini.assets: renamed and typed, no business logic.
-- Timestamps become UTC TIMESTAMP, JSON text becomes JSON, money and quantities keep the
-- raw DECIMAL(38, 9) precision (canonical models round them).
with

source as (
    select * from raw_makini.assets
),

renamed as (
    select
        -- keys
        connection_id,
        key as asset_key,
        site_key,
        parent_key as parent_asset_key,
        vendor_key,
        team_key,
        location_key,
        customer_key,
        make_company_key,
        asset_template_key,
        -- attributes
        account_keys,
        name as asset_name,
        description,
        notes,
        category_name,
        criticality,
        make_name,
        model_name,
        serial_number,
        -- flags
        cast(is_physical as boolean) as is_physical,
        cast(is_active as boolean) as is_active,
        -- timestamps
        cast(activated_at at time zone 'UTC' as timestamp) as activated_at,
        cast(deactivated_at at time zone 'UTC' as timestamp) as deactivated_at,
        cast(created_at at time zone 'UTC' as timestamp) as created_at,
        cast(updated_at at time zone 'UTC' as timestamp) as updated_at,
        cast(deleted_at at time zone 'UTC' as timestamp) as deleted_at,
        cast(_extracted_at at time zone 'UTC' as timestamp) as _extracted_at
    from source
)

select * from renamed
