-- Purchase-order spend per connection, vendor, site, month and document currency, in the
-- document currency and in the connection's base currency.
-- Spend is line net (before tax) of lines that are not soft-deleted, on orders that are neither
-- soft-deleted nor cancelled. The month is the order date's (the creation time when an order
-- has no order date). Each line converts at its order date's rate to the base currency
-- (canonical.purchase_order_exchange_rates); a group with an unconverted line has no spend_base.
with

lines as (
    select * from canonical.purchase_order_lines
),

orders as (
    select * from canonical.purchase_orders
),

rates as (
    select * from canonical.purchase_order_exchange_rates
),

order_spend as (
    -- each order's counted lines per currency, summed first: all of them convert at the same
    -- rate (the order date's), and an order is one row per currency from here on
    select
        po_id,
        currency_code,
        count(*) as line_count,
        sum(line_net) as line_net
    from lines
    where not is_deleted
    group by po_id, currency_code
),

spend_orders as (
    select
        orders.connection_id,
        orders.vendor_key,
        orders.vendor_code,
        orders.vendor_name,
        orders.site_key,
        cast(date_trunc('month', coalesce(orders.order_date, orders.created_at)) as date) as month,
        coalesce(orders.order_date, orders.created_at) as rate_date,
        order_spend.po_id,
        order_spend.currency_code,
        order_spend.line_count,
        order_spend.line_net
    from order_spend
    inner join orders
        on orders.po_id = order_spend.po_id
    where not orders.is_deleted
        and orders.status <> 'cancelled'
),

converted as (
    select
        spend_orders.*,
        rates.base_currency_code,
        rates.rate_to_base,
        case when rates.rate_to_base is null then spend_orders.line_count else 0 end
            as unconverted_lines
    from spend_orders
    left join rates
        on rates.connection_id = spend_orders.connection_id
        and rates.currency_code is not distinct from spend_orders.currency_code
        and rates.rate_date is not distinct from spend_orders.rate_date
),

final as (
    select
        -- grain
        connection_id || '|' || coalesce(vendor_key, '') || '|' || coalesce(site_key, '')
            || '|' || coalesce(cast(month as varchar), '') || '|' || coalesce(currency_code, '')
            as spend_key,
        connection_id,
        vendor_key,
        vendor_code,
        vendor_name,
        site_key,
        month,
        currency_code,
        base_currency_code,
        -- volume (an order is one row per currency, and currency is part of the grain)
        count(*) as order_count,
        cast(sum(line_count) as bigint) as line_count,
        -- money
        cast(sum(line_net) as decimal(18, 4)) as spend,
        case
            when sum(unconverted_lines) = 0
                then cast(sum(line_net * rate_to_base) as decimal(18, 4))
        end as spend_base,
        sum(unconverted_lines) as unconverted_line_count
    from converted
    group by
        connection_id,
        vendor_key,
        vendor_code,
        vendor_name,
        site_key,
        month,
        currency_code,
        base_currency_code
)

select * from final
