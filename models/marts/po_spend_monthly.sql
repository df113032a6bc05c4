-- Purchase-order spend per connection, vendor, site, month and document currency, in the
-- document currency and in the connection's base currency.
-- Spend is line net (before tax) of lines that are not soft-deleted, on orders that are neither
-- soft-deleted nor cancelled. The month is the order date's (the creation time when an order
-- has no order date). Conversion: 1 unit of the line currency = `rate` units of the base
-- currency, using the latest rate effective on or before the order date, else the earliest.
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

rate_requests as (
    select distinct
        spend_lines.connection_id,
        spend_lines.currency_code,
        spend_lines.rate_date,
        base_currencies.base_currency_code
    from spend_lines
    inner join base_currencies
        on base_currencies.connection_id = spend_lines.connection_id
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
    inner join exchange_rates
        on exchange_rates.connection_id = rate_requests.connection_id
        and exchange_rates.currency_code = rate_requests.currency_code
        and exchange_rates.base_currency_code = rate_requests.base_currency_code
    group by rate_requests.connection_id, rate_requests.currency_code, rate_requests.rate_date
),

chosen_rates as (
    -- grouped so that two currency keys with the same ISO code cannot duplicate spend lines
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

converted as (
    select
        spend_lines.*,
        base_currencies.base_currency_code,
        case
            when spend_lines.currency_code = base_currencies.base_currency_code
                then cast(1 as decimal(38, 9))
            else chosen_rates.rate
        end as rate_to_base
    from spend_lines
    left join base_currencies
        on base_currencies.connection_id = spend_lines.connection_id
    left join chosen_rates
        on chosen_rates.connection_id = spend_lines.connection_id
        and chosen_rates.currency_code = spend_lines.currency_code
        and chosen_rates.rate_date is not distinct from spend_lines.rate_date
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
