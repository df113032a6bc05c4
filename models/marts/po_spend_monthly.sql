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

spend_lines as (
    select
        lines.connection_id,
        orders.vendor_key,
        orders.vendor_code,
        orders.vendor_name,
        orders.site_key,
        cast(date_trunc('month', coalesce(orders.order_date, orders.created_at)) as date) as month,
        coalesce(orders.order_date, orders.created_at) as rate_date,
        lines.po_id,
        lines.currency_code,
        lines.line_net
    from lines
    inner join orders
        on orders.po_id = lines.po_id
    where not lines.is_deleted
        and not orders.is_deleted
        and orders.status <> 'cancelled'
),

converted as (
    select
        spend_lines.*,
        rates.base_currency_code,
        rates.rate_to_base
    from spend_lines
    left join rates
        on rates.connection_id = spend_lines.connection_id
        and rates.currency_code is not distinct from spend_lines.currency_code
        and rates.rate_date is not distinct from spend_lines.rate_date
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
        -- volume
        count(distinct po_id) as order_count,
        count(*) as line_count,
        -- money
        cast(sum(line_net) as decimal(18, 4)) as spend,
        case
            when sum(case when rate_to_base is null then 1 else 0 end) = 0
                then cast(sum(line_net * rate_to_base) as decimal(18, 4))
        end as spend_base,
        sum(case when rate_to_base is null then 1 else 0 end) as unconverted_line_count
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
