-- Staging view over raw_oee.quality_events: typed, kind lower-cased.
with

source as (
    select * from raw_oee.quality_events
),

renamed as (
    select
        cast(event_id as varchar) as quality_event_id,
        cast(line_id as varchar) as line_id,
        cast(product_id as varchar) as product_id,
        cast(occurred_at as timestamp) as occurred_at,
        cast(quantity as bigint) as quantity,
        lower(trim(kind)) as kind,
        cast(reason_code as varchar) as reason_code,
        cast(updated_at as timestamp) as updated_at,
        cast(_extracted_at at time zone 'UTC' as timestamp) as _extracted_at
    from source
)

select * from renamed
