-- One row per production count period, with the ideal cycle time resolved (row, else product).
with

counts as (
    select * from staging.oee_production_counts
),

products as (
    select * from staging.oee_products
),

final as (
    select
        -- ids
        counts.count_id,
        counts.line_id,
        counts.product_id,
        -- period (UTC)
        counts.period_start,
        counts.period_end,
        date_diff('second', counts.period_start, counts.period_end) as period_s,
        -- quantities
        counts.total_count,
        coalesce(counts.ideal_cycle_time_s, products.ideal_cycle_time_s) as ideal_cycle_time_s,
        case
            when counts.ideal_cycle_time_s is not null then 'count'
            when products.ideal_cycle_time_s is not null then 'product'
        end as ideal_cycle_time_source,
        cast(
            counts.total_count * coalesce(counts.ideal_cycle_time_s, products.ideal_cycle_time_s)
            as decimal(18, 6)
        ) as ideal_run_time_s,
        -- audit
        counts.updated_at,
        counts._extracted_at as _loaded_at
    from counts
    left join products
        on products.product_id = counts.product_id
)

select * from final
