-- Staging view over raw_makini.purchase_orders: renamed and typed, no business logic.
-- Timestamps become UTC TIMESTAMP, JSON text becomes JSON, money and quantities keep the
-- raw DECIMAL(38, 9) precision (canonical models round them).
-- The columns are the macro staged_purchase_orders (macros/staging.sql): the incremental
-- canonical models type only the raw rows of the orders they redo with it.
with

source as (
    select * from raw_makini.purchase_orders
),

renamed as (
    {{ staged_purchase_orders('source') | indent(4) }}
)

select * from renamed
