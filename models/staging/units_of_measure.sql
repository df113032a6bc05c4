-- Staging view over raw_makini.units_of_measure: renamed and typed, no business logic.
-- Timestamps become UTC TIMESTAMP, JSON text becomes JSON, money and quantities keep the
-- raw DECIMAL(38, 9) precision (canonical models round them).
with

source as (
    select * from raw_makini.units_of_measure
),

renamed as (
    select
        -- keys
        connection_id,
        key as uom_key,
        rate_base_key as base_uom_key,
        -- attributes
        name as uom_name,
        code as uom_code,
        -- amounts
        cast(rate as decimal(38, 9)) as rate_to_base,
        -- flags
        cast(is_active as boolean) as is_active,
        -- timestamps
        cast(_extracted_at at time zone 'UTC' as timestamp) as _extracted_at
    from source
)

select * from renamed
