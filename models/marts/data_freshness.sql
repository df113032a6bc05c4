-- How fresh each part of the warehouse is: per source and scope (a Makini connection, or the
-- plant database), when it last synced, whether that worked, and if not since when its rows
-- have been stale. A view: it is current the moment a sync has logged its outcome.
with

sync_log as (
    select * from canonical.sync_log
),

attempts as (
    select
        *,
        row_number() over (
            partition by source, scope order by finished_at desc
        ) as newest_first
    from sync_log
),

successes as (
    select
        source,
        scope,
        max(finished_at) as data_as_of
    from sync_log
    where succeeded
    group by source, scope
),

failures_since_success as (
    select
        sync_log.source,
        sync_log.scope,
        min(sync_log.finished_at) as failing_since
    from sync_log
    left join successes
        on sync_log.source = successes.source and sync_log.scope = successes.scope
    where
        not sync_log.succeeded
        and (successes.data_as_of is null or sync_log.finished_at > successes.data_as_of)
    group by sync_log.source, sync_log.scope
),

final as (
    select
        latest.source,
        latest.scope,
        latest.finished_at as last_sync_at,
        latest.succeeded as last_sync_succeeded,
        latest.rows_loaded as last_sync_rows,
        successes.data_as_of,
        case when not latest.succeeded then failures_since_success.failing_since end
            as failing_since,
        case when not latest.succeeded then latest.error end as last_error
    from attempts as latest
    left join successes
        on latest.source = successes.source and latest.scope = successes.scope
    left join failures_since_success
        on latest.source = failures_since_success.source
        and latest.scope = failures_since_success.scope
    where latest.newest_first = 1
)

select * from final
