-- Staging view over raw_makini.exchange_rates: renamed and typed, no business logic.
-- Timestamps become UTC TIMESTAMP, JSON text becomes JSON, money and quantities keep the
-- raw DECIMAL(38, 9) precision (canonical models round them).
with

source as (
    select * from raw_makini.exchange_rates
),

renamed as (
    select
        -- keys
        connection_id,
        key as exchange_rate_key,
        currency_key,
        base_currency_key,
        -- amounts
        cast(rate as decimal(38, 9)) as rate,
        -- timestamps
        cast(created_at at time zone 'UTC' as timestamp) as effective_at,
        cast(_extracted_at at time zone 'UTC' as timestamp) as _extracted_at
    from source
)

select * from renamed
