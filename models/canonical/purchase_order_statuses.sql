-- One row per purchase-order status of every connection, mapped to the canonical status.
-- Match on the status name first, then on the code, both case-insensitive and with spaces
-- removed (so `Pending Receipt`, `pending receipt` and `pendingReceipt` are one value);
-- anything the seed does not know becomes `unknown`.
with

statuses as (
    select * from staging.purchase_order_statuses
),

status_map as (
    select
        match_on,
        lower(replace(trim(source_value), ' ', '')) as match_value,
        status
    from seeds.po_status_map
),

normalized as (
    select
        *,
        lower(replace(trim(status_name), ' ', '')) as name_normalized,
        lower(replace(trim(status_code), ' ', '')) as code_normalized
    from statuses
),

mapped as (
    select
        normalized.*,
        by_name.status as status_by_name,
        by_code.status as status_by_code
    from normalized
    left join status_map as by_name
        on by_name.match_on = 'name'
        and by_name.match_value = normalized.name_normalized
    left join status_map as by_code
        on by_code.match_on = 'code'
        and by_code.match_value = normalized.code_normalized
),

final as (
    select
        -- ids
        {{ surrogate_key('connection_id', 'status_key') }} as status_id,
        connection_id,
        status_key,
        -- mapping
        coalesce(status_by_name, status_by_code, 'unknown') as status,
        case
            when status_by_name is not null then 'name'
            when status_by_code is not null then 'code'
        end as matched_on,
        status_name,
        status_code,
        -- flags
        is_active,
        deleted_at is not null as is_deleted,
        -- timestamps
        created_at,
        updated_at,
        _extracted_at as _loaded_at
    from mapped
)

select * from final
