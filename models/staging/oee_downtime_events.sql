-- Staging view over raw_oee.downtime_events: typed; ended_at stays NULL while the stop lasts.
with

source as (
    select * from raw_oee.downtime_events
),

renamed as (
    select
        cast(event_id as varchar) as event_id,
        cast(line_id as varchar) as line_id,
        cast(started_at as timestamp) as started_at,
        cast(ended_at as timestamp) as ended_at,
        cast(reason_code as varchar) as reason_code,
        comment,
        cast(updated_at as timestamp) as updated_at,
        cast(_extracted_at at time zone 'UTC' as timestamp) as _extracted_at
    from source
)

select * from renamed
