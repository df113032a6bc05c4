-- One row per asset of every Makini connection (EAM /api/eam/assets).
with

assets as (
    select * from staging.assets
),

final as (
    select
        -- ids
        {{ surrogate_key('connection_id', 'asset_key') }} as asset_id,
        connection_id,
        asset_key,
        parent_asset_key,
        site_key,
        vendor_key,
        location_key,
        -- attributes
        asset_name,
        description,
        category_name,
        criticality,
        make_name,
        model_name,
        serial_number,
        is_physical,
        coalesce(is_active, true) and deleted_at is null as is_active,
        -- timestamps
        activated_at,
        deactivated_at,
        created_at,
        updated_at,
        deleted_at is not null as is_deleted,
        _extracted_at as _loaded_at
    from assets
)

select * from final
