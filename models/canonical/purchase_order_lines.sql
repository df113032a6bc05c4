-- One row per line embedded in a purchase order (soft-deleted lines included, flagged).
-- unit_price honours SAP-style price units (`customFields.priceUnit`: price is per N units);
-- line_net = line total - line tax; currency and status fall back to the order's.
-- Incremental: a run replaces every line of the orders the source sent again
-- (extracted_purchase_orders) or with a line whose status, currency or unit now reads
-- differently, so a line removed from an order goes with it; --full-refresh gives the same rows.
{{ config(materialized='incremental', unique_key='po_id', incremental_strategy='delete+insert') }}
with

lines as (
    select * from staging.purchase_order_lines
),

orders as (
    select * from canonical.purchase_orders
),

statuses as (
    select * from canonical.purchase_order_statuses
),

currencies as (
    select * from canonical.currencies
),

units as (
    select * from canonical.units_of_measure
),

readings as (
    -- what every line's status, currency and unit say today, else its order's. Narrow, from
    -- the staging view itself: a second reference to the wide `lines` would have DuckDB
    -- materialize every column of every line only to compare these few.
    select
        lines.connection_id,
        lines.po_key,
        lines.line_key,
        coalesce(statuses.status, orders.status) as line_status,
        coalesce(currencies.currency_code, orders.currency_code) as line_currency_code,
        units.uom_code
    from staging.purchase_order_lines as lines
    left join orders
        on orders.connection_id = lines.connection_id
        and orders.po_key = lines.po_key
    left join statuses
        on statuses.connection_id = lines.connection_id
        and statuses.status_key = lines.status_key
    left join currencies
        on currencies.connection_id = lines.connection_id
        and currencies.currency_key = lines.currency_key
    left join units
        on units.connection_id = lines.connection_id
        and units.uom_key = lines.uom_key
),

{% if is_incremental() %}
redo as (
    {{ extracted_purchase_orders(this) }}
    union
    -- orders with a line whose status, currency or unit reads differently now
    select readings.connection_id, readings.po_key
    from readings
    inner join {{ this }} as built
        on built.connection_id = readings.connection_id
        and built.line_key = readings.line_key
        and built.po_id = {{ surrogate_key('readings.connection_id', 'readings.po_key') }}
    where built.status is distinct from readings.line_status
        or built.currency_code is distinct from readings.line_currency_code
        or built.uom_code is distinct from readings.uom_code
),
{% endif %}

chosen_lines as (
    {{ redone_lines('lines') }}
),

chosen as (
    select
        chosen_lines.*,
        readings.line_status,
        readings.line_currency_code,
        readings.uom_code
    from chosen_lines
    inner join readings
        on readings.connection_id = chosen_lines.connection_id
        and readings.po_key = chosen_lines.po_key
        and readings.line_key = chosen_lines.line_key
),

priced as (
    select
        *,
        case
            when cast(json_extract_string(custom_fields, '$.priceUnit') as decimal(18, 6)) > 0
                then cast(json_extract_string(custom_fields, '$.priceUnit') as decimal(18, 6))
            else cast(1 as decimal(18, 6))
        end as price_unit
    from chosen
),

unit_priced as (
    select
        *,
        -- DuckDB divides decimals in DOUBLE: multiply by the exact reciprocal for the
        -- power-of-ten units SAP uses so those stay exact decimals on every target; every branch
        -- is cast so a DOUBLE branch cannot turn the whole case into DOUBLE
        case
            when price_unit = 1 then cast(price as decimal(38, 13))
            when price_unit = 10 then cast(price * 0.1 as decimal(38, 13))
            when price_unit = 100 then cast(price * 0.01 as decimal(38, 13))
            when price_unit = 1000 then cast(price * 0.001 as decimal(38, 13))
            when price_unit = 10000 then cast(price * 0.0001 as decimal(38, 13))
            else cast(price / price_unit as decimal(38, 13))
        end as unit_price_exact
    from priced
),

final as (
    select
        -- ids
        {{ surrogate_key('connection_id', 'po_key', 'line_key') }} as po_line_id,
        {{ surrogate_key('connection_id', 'po_key') }} as po_id,
        connection_id,
        line_key,
        line_no,
        -- item
        coalesce(code, material_key) as material_code,
        coalesce(description, line_name) as description,
        -- quantities
        cast(quantity as decimal(18, 6)) as quantity,
        cast(received_quantity as decimal(18, 6)) as received_quantity,
        uom_code,
        -- money
        cast(unit_price_exact as decimal(18, 6)) as unit_price,
        cast(discount as decimal(18, 4)) as discount,
        cast(line_total_value - line_tax_value as decimal(18, 4)) as line_net,
        cast(line_tax_value as decimal(18, 4)) as line_tax,
        cast(line_total_value as decimal(18, 4)) as line_total,
        line_currency_code as currency_code,
        asset_key,
        -- dates
        due_at as required_date,
        delivery_at as delivery_date,
        line_status as status,
        updated_at,
        deleted_at is not null as is_deleted,
        -- helpers
        {{ surrogate_key('connection_id', 'line_key') }} as connection_line_key,
        price_unit,
        _extracted_at as _loaded_at
    from unit_priced
)

select * from final
