-- Purchase-order line spend per Makini asset (lines referencing it through assetKey), per
-- currency (amounts in different currencies are never added), against the asset's downtime
-- (union of its downtime, from asset_reliability) and failures.
with

po_lines as (
    select * from canonical.purchase_order_lines
    where asset_key is not null
        and not coalesce(is_deleted, false)
        and coalesce(status, '') <> 'cancelled'
),

reliability as (
    select * from marts.asset_reliability
),

assets as (
    select * from canonical.assets
),

spend as (
    select
        connection_id,
        asset_key,
        currency_code,
        count(*) as po_lines,
        cast(sum(line_net) as decimal(18, 4)) as po_spend_net
    from po_lines
    group by connection_id, asset_key, currency_code
),

downtime as (
    select
        connection_id,
        asset_key,
        cast(sum(downtime_s) as bigint) as downtime_s,
        cast(sum(failures) as bigint) as failures
    from reliability
    group by connection_id, asset_key
),

joined as (
    select
        coalesce(spend.connection_id, downtime.connection_id) as connection_id,
        coalesce(spend.asset_key, downtime.asset_key) as asset_key,
        spend.currency_code,
        coalesce(spend.po_lines, 0) as po_lines,
        coalesce(spend.po_spend_net, 0) as po_spend_net,
        coalesce(downtime.downtime_s, 0) as downtime_s,
        coalesce(downtime.failures, 0) as failures
    from spend
    full outer join downtime
        on downtime.connection_id = spend.connection_id
        and downtime.asset_key = spend.asset_key
),

final as (
    select
        joined.connection_id,
        joined.asset_key,
        {{ surrogate_key('joined.connection_id', 'joined.asset_key') }} as asset_id,
        assets.asset_name,
        assets.criticality,
        joined.currency_code,
        joined.po_lines,
        joined.po_spend_net,
        joined.downtime_s,
        cast(joined.downtime_s as double) / 3600 as downtime_h,
        joined.failures,
        {{ ratio('joined.po_spend_net', 'cast(joined.downtime_s as double) / 3600') }}
            as spend_per_downtime_hour
    from joined
    left join assets
        on assets.connection_id = joined.connection_id
        and assets.asset_key = joined.asset_key
)

select * from final
