-- One row per purchase order of every connection (soft-deleted orders included, flagged).
-- Header money comes from the order itself; `lines_net` and `net_tolerance` are here so the
-- reconciliation check (`total_net` = sum of active line net) is a plain row expression.
-- Incremental: a run redoes the orders the source sent again (extracted_purchase_orders) or whose
-- vendor, status or currency now reads differently, and merges them on po_id; --full-refresh
-- rebuilds every order and gives the same rows.
{{ config(materialized='incremental', unique_key='po_id') }}
with

orders as (
    select * from staging.purchase_orders
),

lines as (
    select * from staging.purchase_order_lines
),

vendors as (
    select * from canonical.vendors
),

statuses as (
    select * from canonical.purchase_order_statuses
),

currencies as (
    select * from canonical.currencies
),

readings as (
    -- what every order's vendor, status and currency say today. Narrow, from the staging view
    -- itself: a second reference to the wide `orders` would have DuckDB materialize every
    -- column of every order only to compare these few.
    select
        orders.connection_id,
        orders.po_key,
        vendors.vendor_code,
        vendors.vendor_name,
        coalesce(statuses.status, 'unknown') as status,
        coalesce(statuses.status_name, statuses.status_code, orders.status_key) as status_raw,
        currencies.currency_code,
        coalesce(currencies.exponent, 2) as currency_exponent
    from staging.purchase_orders as orders
    left join vendors
        on vendors.connection_id = orders.connection_id
        and vendors.vendor_key = orders.vendor_key
    left join statuses
        on statuses.connection_id = orders.connection_id
        and statuses.status_key = orders.status_key
    left join currencies
        on currencies.connection_id = orders.connection_id
        and currencies.currency_key = orders.currency_key
),

{% if is_incremental() %}
redo as (
    {{ extracted_purchase_orders(this) }}
    union
    -- orders whose vendor, status or currency reads differently now
    select readings.connection_id, readings.po_key
    from readings
    inner join {{ this }} as built
        on built.connection_id = readings.connection_id
        and built.po_key = readings.po_key
    where built.vendor_code is distinct from readings.vendor_code
        or built.vendor_name is distinct from readings.vendor_name
        or built.status is distinct from readings.status
        or built.status_raw is distinct from readings.status_raw
        or built.currency_code is distinct from readings.currency_code
),
{% endif %}

chosen_orders as (
    {{ redone_orders('orders') }}
),

chosen as (
    select
        chosen_orders.*,
        readings.vendor_code,
        readings.vendor_name,
        readings.status,
        readings.status_raw,
        readings.currency_code,
        readings.currency_exponent
    from chosen_orders
    inner join readings
        on readings.connection_id = chosen_orders.connection_id
        and readings.po_key = chosen_orders.po_key
),

chosen_lines as (
    {{ redone_lines('lines') }}
),

line_totals as (
    select
        connection_id,
        po_key,
        sum(case when deleted_at is null then 1 else 0 end) as line_count,
        -- the same per-line rounding as canonical.purchase_order_lines.line_net
        cast(
            sum(
                case
                    when deleted_at is null
                        then cast(line_total_value - line_tax_value as decimal(18, 4))
                end
            ) as decimal(18, 4)
        ) as lines_net,
        min(created_at) as first_line_created_at
    from chosen_lines
    group by connection_id, po_key
),

joined as (
    select
        chosen.*,
        coalesce(line_totals.line_count, 0) as line_count,
        coalesce(line_totals.lines_net, cast(0 as decimal(18, 4))) as lines_net,
        line_totals.first_line_created_at
    from chosen
    left join line_totals
        on line_totals.connection_id = chosen.connection_id
        and line_totals.po_key = chosen.po_key
),

final as (
    select
        -- ids
        {{ surrogate_key('connection_id', 'po_key') }} as po_id,
        connection_id,
        po_key,
        po_number,
        vendor_key,
        vendor_code,
        vendor_name,
        site_key,
        -- status
        status,
        status_raw,
        -- dates
        order_date,
        due_at as required_date,
        shipment_at as delivery_date,
        approved_at,
        completed_at,
        -- money
        currency_code,
        cast(total_net_value as decimal(18, 4)) as total_net,
        cast(total_gross_value - total_net_value as decimal(18, 4)) as total_tax,
        cast(total_gross_value as decimal(18, 4)) as total_gross,
        payment_terms,
        -- documents
        coalesce(shipment_address, delivery_address) as ship_to,
        billing_address as bill_to,
        custom_fields,
        -- lines
        line_count,
        -- audit
        coalesce(created_at, first_line_created_at) as created_at,
        updated_at,
        deleted_at is not null as is_deleted,
        -- reconciliation helpers: half a minor unit of rounding per active line (at least one)
        lines_net,
        cast(
            case currency_exponent
                when 0 then 0.5
                when 1 then 0.05
                when 2 then 0.005
                when 3 then 0.0005
                else 0.00005
            end * (case when line_count > 1 then line_count else 1 end)
            as decimal(18, 6)
        ) as net_tolerance,
        _extracted_at as _loaded_at
    from joined
)

select * from final
