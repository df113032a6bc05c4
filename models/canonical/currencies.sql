-- One row per currency of every connection, with its ISO 4217 alpha code.
-- Back ends send `code` as an alpha code (`EUR`), in any case and with stray spaces, or as the
-- numeric ISO code (`978`, sometimes without leading zeros); both resolve through the seed.
with

currencies as (
    select * from staging.currencies
),

iso_4217 as (
    select
        upper(trim(alpha_code)) as alpha_code,
        lpad(trim(cast(numeric_code as varchar)), 3, '0') as numeric_code,
        cast(exponent as integer) as exponent,
        name as iso_name
    from seeds.iso_4217
),

normalized as (
    select
        *,
        upper(trim(currency_code_raw)) as code_normalized
    from currencies
),

resolved as (
    select
        normalized.*,
        coalesce(by_alpha.alpha_code, by_numeric.alpha_code) as iso_alpha_code,
        coalesce(by_alpha.exponent, by_numeric.exponent) as iso_exponent
    from normalized
    left join iso_4217 as by_alpha
        on by_alpha.alpha_code = normalized.code_normalized
    -- lpad truncates longer strings, so only codes of up to three characters can be numeric
    left join iso_4217 as by_numeric
        on length(normalized.code_normalized) <= 3
        and by_numeric.numeric_code = lpad(normalized.code_normalized, 3, '0')
),

final as (
    select
        -- ids
        {{ surrogate_key('connection_id', 'currency_key') }} as currency_id,
        connection_id,
        currency_key,
        -- codes
        coalesce(iso_alpha_code, code_normalized) as currency_code,
        currency_code_raw,
        iso_alpha_code is not null as is_iso_code,
        -- minor-unit digits; 2 when the code is not in the seed
        coalesce(iso_exponent, 2) as exponent,
        currency_name,
        -- flags
        coalesce(is_base, false) as is_base,
        is_active,
        deleted_at is not null as is_deleted,
        -- timestamps
        created_at,
        updated_at,
        _extracted_at as _loaded_at
    from resolved
)

select * from final
