-- One row per quality event (scrap, rework, startup rejects), with the product's ideal cycle time.
with

events as (
    select * from staging.oee_quality_events
),

products as (
    select * from staging.oee_products
),

final as (
    select
        -- ids
        events.quality_event_id,
        events.line_id,
        events.product_id,
        -- event
        events.occurred_at,
        cast(events.quantity as decimal(18, 6)) as quantity,
        events.kind,
        events.kind = 'startup' as is_startup_reject,
        events.reason_code,
        -- the product default, for reject losses in seconds (count x ideal cycle time)
        products.ideal_cycle_time_s,
        -- audit
        events.updated_at,
        events._extracted_at as _loaded_at
    from events
    left join products
        on products.product_id = events.product_id
)

select * from final
