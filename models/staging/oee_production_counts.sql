-- Staging view over raw_oee.production_counts: typed; a NULL cycle time means the product's.
with

source as (
    select * from raw_oee.production_counts
),

renamed as (
    select
        cast(count_id as varchar) as count_id,
        cast(line_id as varchar) as line_id,
        cast(product_id as varchar) as product_id,
        cast(period_start as timestamp) as period_start,
        cast(period_end as timestamp) as period_end,
        cast(total_count as bigint) as total_count,
        cast(ideal_cycle_time_s as decimal(18, 6)) as ideal_cycle_time_s,
        cast(updated_at as timestamp) as updated_at,
        cast(_extracted_at at time zone 'UTC' as timestamp) as _extracted_at
    from source
)

select * from renamed
