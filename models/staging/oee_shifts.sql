-- Staging view over raw_oee.shifts: typed (naive UTC timestamps), clear names.
with

source as (
    select * from raw_oee.shifts
),

renamed as (
    select
        cast(shift_id as varchar) as shift_id,
        cast(line_id as varchar) as line_id,
        name as shift_name,
        cast(starts_at as timestamp) as starts_at,
        cast(ends_at as timestamp) as ends_at,
        cast(_extracted_at at time zone 'UTC' as timestamp) as _extracted_at
    from source
)

select * from renamed
