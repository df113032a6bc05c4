-- One row per unit of measure of every connection; `rate_to_base` converts to `base_uom_key`.
with

units as (
    select * from staging.units_of_measure
),

final as (
    select
        -- ids
        {{ surrogate_key('connection_id', 'uom_key') }} as uom_id,
        connection_id,
        uom_key,
        -- attributes
        trim(uom_code) as uom_code,
        trim(uom_name) as uom_name,
        base_uom_key,
        cast(rate_to_base as decimal(18, 6)) as rate_to_base,
        -- flags
        is_active,
        -- timestamps
        _extracted_at as _loaded_at
    from units
)

select * from final
