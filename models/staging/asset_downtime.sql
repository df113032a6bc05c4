-- Staging view over raw_makini.asset_downtime: renamed and typed, no business logic.
-- Timestamps become UTC TIMESTAMP, JSON text becomes JSON, money and quantities keep the
-- raw DECIMAL(38, 9) precision (canonical models round them).
with

source as (
    select * from raw_makini.asset_downtime
),

renamed as (
    select
        -- keys
        connection_id,
        key as downtime_key,
        asset_key,
        -- attributes
        description,
        category_name,
        severity,
        notes,
        -- timestamps
        cast(started_at at time zone 'UTC' as timestamp) as started_at,
        cast(ended_at at time zone 'UTC' as timestamp) as ended_at,
        cast(created_at at time zone 'UTC' as timestamp) as created_at,
        cast(updated_at at time zone 'UTC' as timestamp) as updated_at,
        cast(_extracted_at at time zone 'UTC' as timestamp) as _extracted_at
    from source
)

select * from renamed
