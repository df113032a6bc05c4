-- Staging view over raw_oee.products: typed, dlt columns dropped.
with

source as (
    select * from raw_oee.products
),

renamed as (
    select
        cast(product_id as varchar) as product_id,
        name as product_name,
        cast(ideal_cycle_time_s as decimal(18, 6)) as ideal_cycle_time_s,
        cast(_extracted_at at time zone 'UTC' as timestamp) as _extracted_at
    from source
)

select * from renamed
