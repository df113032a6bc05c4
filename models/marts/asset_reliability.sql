-- Reliability per Makini asset and UTC calendar month (ISO 22400 / IEC 60050 style):
-- failures = breakdown events starting in the month; repair time = their full durations;
-- operating time = the month (up to the latest extraction) minus the union of all the asset's
-- downtime in it; MTBF = operating time / failures; MTTR = repair time / failures;
-- inherent availability = MTBF / (MTBF + MTTR). No failures gives NULL ratios.
with

events as (
    select * from canonical.downtime_events
    where source = 'makini'
        and ended_at > started_at
),

extraction as (
    select max(_loaded_at) as extracted_at from events
),

ordered as (
    select
        connection_id,
        asset_key,
        started_at,
        ended_at,
        max(ended_at) over (
            partition by connection_id, asset_key
            order by started_at, event_id
            rows between unbounded preceding and 1 preceding
        ) as previous_end
    from events
),

island_starts as (
    select
        *,
        sum(case when previous_end is null or started_at > previous_end then 1 else 0 end)
            over (partition by connection_id, asset_key order by started_at
                  rows between unbounded preceding and current row) as island_no
    from ordered
),

islands as (
    select
        connection_id,
        asset_key,
        min(started_at) as island_start,
        max(ended_at) as island_end
    from island_starts
    group by connection_id, asset_key, island_no
),

months as (
    -- the months an event starts or ends in (an outage spanning more is rare in an EAM)
    select connection_id, asset_key, date_trunc('month', started_at) as month_start from events
    union
    select connection_id, asset_key, date_trunc('month', ended_at) as month_start from events
),

month_spans as (
    select
        months.connection_id,
        months.asset_key,
        months.month_start,
        least(months.month_start + interval 1 month, extraction.extracted_at) as month_end
    from months
    cross join extraction
),

month_downtime as (
    select
        month_spans.connection_id,
        month_spans.asset_key,
        month_spans.month_start,
        sum(date_diff(
            'second',
            greatest(islands.island_start, month_spans.month_start),
            least(islands.island_end, month_spans.month_end)
        )) as downtime_s
    from month_spans
    inner join islands
        on islands.connection_id = month_spans.connection_id
        and islands.asset_key = month_spans.asset_key
        and islands.island_start < month_spans.month_end
        and islands.island_end > month_spans.month_start
    group by month_spans.connection_id, month_spans.asset_key, month_spans.month_start
),

month_failures as (
    select
        connection_id,
        asset_key,
        date_trunc('month', started_at) as month_start,
        count(*) as failures,
        sum(duration_s) as repair_time_s
    from events
    where category = 'breakdown'
    group by connection_id, asset_key, date_trunc('month', started_at)
),

measures as (
    select
        month_spans.connection_id,
        month_spans.asset_key,
        cast(month_spans.month_start as date) as month,
        date_diff('second', month_spans.month_start, month_spans.month_end) as period_s,
        cast(coalesce(month_downtime.downtime_s, 0) as bigint) as downtime_s,
        cast(coalesce(month_failures.failures, 0) as bigint) as failures,
        cast(coalesce(month_failures.repair_time_s, 0) as bigint) as repair_time_s
    from month_spans
    left join month_downtime
        on month_downtime.connection_id = month_spans.connection_id
        and month_downtime.asset_key = month_spans.asset_key
        and month_downtime.month_start = month_spans.month_start
    left join month_failures
        on month_failures.connection_id = month_spans.connection_id
        and month_failures.asset_key = month_spans.asset_key
        and month_failures.month_start = month_spans.month_start
),

final as (
    select
        connection_id,
        asset_key,
        month,
        period_s,
        downtime_s,
        period_s - downtime_s as operating_time_s,
        failures,
        repair_time_s,
        {{ ratio('period_s - downtime_s', 'failures') }} as mtbf_s,
        {{ ratio('repair_time_s', 'failures') }} as mttr_s,
        -- MTBF / (MTBF + MTTR): the failure counts cancel
        case
            when failures > 0
                then {{ ratio('period_s - downtime_s', 'period_s - downtime_s + repair_time_s') }}
        end as inherent_availability
    from measures
)

select * from final
