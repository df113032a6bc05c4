-- One row per exchange rate of every connection, with ISO codes on both sides:
-- 1 unit of currency_code = rate units of base_currency_code, effective from effective_at.
with

rates as (
    select * from staging.exchange_rates
),

currencies as (
    select * from canonical.currencies
),

coded as (
    select
        rates.*,
        quoted.currency_code,
        base.currency_code as base_currency_code,
        -- two rates for the same pair and time: the higher key wins, the other is superseded
        row_number() over (
            partition by
                rates.connection_id,
                rates.currency_key,
                rates.base_currency_key,
                rates.effective_at
            order by rates.exchange_rate_key desc
        ) as time_rank
    from rates
    left join currencies as quoted
        on quoted.connection_id = rates.connection_id
        and quoted.currency_key = rates.currency_key
    left join currencies as base
        on base.connection_id = rates.connection_id
        and base.currency_key = rates.base_currency_key
),

final as (
    select
        -- ids
        {{ surrogate_key('connection_id', 'exchange_rate_key') }} as exchange_rate_id,
        connection_id,
        exchange_rate_key,
        currency_key,
        base_currency_key,
        -- rate
        currency_code,
        base_currency_code,
        cast(rate as decimal(38, 9)) as rate,
        effective_at,
        time_rank > 1 as is_superseded,
        _extracted_at as _loaded_at
    from coded
)

select * from final
