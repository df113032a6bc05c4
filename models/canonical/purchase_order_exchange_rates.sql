-- The exchange rate each purchase-order line needs: from the line's currency to its connection's
-- base currency, as of the order date (created_at when an order has no order date). The rate is
-- the latest effective on or before that date, else the earliest; the base currency converts
-- at 1. No inverse rates are derived: a pair without rates has rate_to_base NULL.
with

lines as (
    select * from canonical.purchase_order_lines
),

orders as (
    select * from canonical.purchase_orders
),

currencies as (
    select * from canonical.currencies
),

exchange_rates as (
    select * from canonical.exchange_rates
    where not is_superseded
),

base_currencies as (
    -- one base currency per connection (the first code if a back end flags several)
    select
        connection_id,
        min(currency_code) as base_currency_code
    from currencies
    where is_base and not is_deleted
    group by connection_id
),

rate_requests as (
    select distinct
        lines.connection_id,
        lines.currency_code,
        coalesce(orders.order_date, orders.created_at) as rate_date
    from lines
    inner join orders
        on orders.po_id = lines.po_id
),

chosen_rate_times as (
    select
        rate_requests.connection_id,
        rate_requests.currency_code,
        rate_requests.rate_date,
        coalesce(
            max(
                case
                    when exchange_rates.effective_at <= rate_requests.rate_date
                        then exchange_rates.effective_at
                end
            ),
            min(exchange_rates.effective_at)
        ) as effective_at
    from rate_requests
    inner join base_currencies
        on base_currencies.connection_id = rate_requests.connection_id
    inner join exchange_rates
        on exchange_rates.connection_id = rate_requests.connection_id
        and exchange_rates.currency_code = rate_requests.currency_code
        and exchange_rates.base_currency_code = base_currencies.base_currency_code
    group by rate_requests.connection_id, rate_requests.currency_code, rate_requests.rate_date
),

chosen_rates as (
    -- grouped so that two currency keys with the same ISO code cannot duplicate a request
    select
        chosen_rate_times.connection_id,
        chosen_rate_times.currency_code,
        chosen_rate_times.rate_date,
        max(exchange_rates.rate) as rate
    from chosen_rate_times
    inner join base_currencies
        on base_currencies.connection_id = chosen_rate_times.connection_id
    inner join exchange_rates
        on exchange_rates.connection_id = chosen_rate_times.connection_id
        and exchange_rates.currency_code = chosen_rate_times.currency_code
        and exchange_rates.base_currency_code = base_currencies.base_currency_code
        and exchange_rates.effective_at = chosen_rate_times.effective_at
    group by
        chosen_rate_times.connection_id,
        chosen_rate_times.currency_code,
        chosen_rate_times.rate_date
),

final as (
    select
        rate_requests.connection_id,
        rate_requests.currency_code,
        rate_requests.rate_date,
        base_currencies.base_currency_code,
        case
            when rate_requests.currency_code = base_currencies.base_currency_code
                then cast(1 as decimal(38, 9))
            else chosen_rates.rate
        end as rate_to_base
    from rate_requests
    left join base_currencies
        on base_currencies.connection_id = rate_requests.connection_id
    left join chosen_rates
        on chosen_rates.connection_id = rate_requests.connection_id
        and chosen_rates.currency_code = rate_requests.currency_code
        and chosen_rates.rate_date is not distinct from rate_requests.rate_date
)

select * from final
