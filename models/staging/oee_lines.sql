-- Staging view over raw_oee.lines: typed, dlt columns dropped.
with

source as (
    select * from raw_oee.lines
),

renamed as (
    select
        cast(line_id as varchar) as line_id,
        site,
        name as line_name,
        timezone,
        cast(_extracted_at at time zone 'UTC' as timestamp) as _extracted_at
    from source
)

select * from renamed
