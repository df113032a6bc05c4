-- One row per purchase-order line still expecting goods: the line and its order are not
-- soft-deleted, the order is `open` or `partially_received`, the line is not
-- cancelled/closed/received/billed, and quantity - received quantity is above zero.
-- Lateness is measured against `as_of_date`: the UTC date of the connection's latest extraction
-- (max `_loaded_at` of its orders), so the mart is reproducible from the same raw data.
with

lines as (
    select * from canonical.purchase_order_lines
),

orders as (
    select * from canonical.purchase_orders
),

as_of as (
    select
        connection_id,
        cast(max(_loaded_at) as date) as as_of_date
    from orders
    group by connection_id
),

open_lines as (
    select
        lines.*,
        orders.po_number,
        orders.vendor_key,
        orders.vendor_code,
        orders.vendor_name,
        orders.site_key,
        orders.status as order_status,
        -- the line's own date first, then the line's planned delivery, then the order's
        cast(
            coalesce(lines.required_date, lines.delivery_date, orders.required_date) as date
        ) as due_date,
        lines.quantity - coalesce(lines.received_quantity, 0) as open_quantity_raw,
        as_of.as_of_date
    from lines
    inner join orders
        on orders.po_id = lines.po_id
    inner join as_of
        on as_of.connection_id = lines.connection_id
    where not lines.is_deleted
        and not orders.is_deleted
        and orders.status in ('open', 'partially_received')
        and lines.status not in ('cancelled', 'closed', 'received', 'billed')
        and lines.quantity - coalesce(lines.received_quantity, 0) > 0
),

final as (
    select
        -- ids
        po_line_id,
        po_id,
        connection_id,
        po_number,
        line_key,
        line_no,
        vendor_key,
        vendor_code,
        vendor_name,
        site_key,
        material_code,
        description,
        order_status,
        status as line_status,
        -- quantities
        quantity,
        coalesce(received_quantity, cast(0 as decimal(18, 6))) as received_quantity,
        cast(open_quantity_raw as decimal(18, 6)) as open_quantity,
        uom_code,
        -- money (open quantity at unit price, before discount and tax)
        unit_price,
        currency_code,
        cast(open_quantity_raw * unit_price as decimal(18, 4)) as open_value,
        -- lateness
        due_date,
        as_of_date,
        case
            when due_date is null then null
            when due_date < as_of_date then as_of_date - due_date
            else 0
        end as days_late,
        coalesce(due_date < as_of_date, false) as is_late,
        case
            when due_date is null then 'no_date'
            when due_date < as_of_date then 'overdue'
            when due_date <= as_of_date + 7 then 'due_7d'
            when due_date <= as_of_date + 30 then 'due_30d'
            else 'later'
        end as due_bucket
    from open_lines
)

select * from final
