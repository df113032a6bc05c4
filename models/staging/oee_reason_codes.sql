-- Staging view over raw_oee.reason_codes: typed, category lower-cased.
with

source as (
    select * from raw_oee.reason_codes
),

renamed as (
    select
        cast(reason_code as varchar) as reason_code,
        description,
        lower(trim(category)) as category,
        cast(_extracted_at at time zone 'UTC' as timestamp) as _extracted_at
    from source
)

select * from renamed
