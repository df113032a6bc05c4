-- Downtime per line, local day and reason code, largest first, with its share of the day's
-- union downtime. Overlapping stops are attributed once (see oee_shift_segments), so per line
-- and day the reasons sum to marts.oee_daily.downtime_s.
with

segments as (
    select * from marts.oee_shift_segments
),

shifts as (
    select * from canonical.shifts
),

daily as (
    select * from marts.oee_daily
),

by_reason as (
    select
        segments.line_id,
        shifts.shift_day as day,
        coalesce(segments.reason_code, 'unknown') as reason_code,
        min(segments.category) as category,
        cast(sum(segments.segment_s) as bigint) as downtime_s,
        count(distinct segments.event_id) as events
    from segments
    inner join shifts
        on shifts.shift_id = segments.shift_id
    where segments.time_class = 'downtime'
    group by segments.line_id, shifts.shift_day, coalesce(segments.reason_code, 'unknown')
),

ranked as (
    select
        by_reason.*,
        daily.downtime_s as day_downtime_s,
        sum(by_reason.downtime_s) over (partition by by_reason.line_id, by_reason.day)
            as reasons_downtime_s,
        sum(by_reason.downtime_s) over (
            partition by by_reason.line_id, by_reason.day
            order by by_reason.downtime_s desc, by_reason.reason_code
            rows between unbounded preceding and current row
        ) as running_downtime_s,
        row_number() over (
            partition by by_reason.line_id, by_reason.day
            order by by_reason.downtime_s desc, by_reason.reason_code
        ) as reason_rank
    from by_reason
    left join daily
        on daily.line_id = by_reason.line_id
        and daily.day = by_reason.day
),

final as (
    select
        line_id,
        day,
        reason_code,
        category,
        reason_rank,
        downtime_s,
        events,
        {{ ratio('downtime_s', 'reasons_downtime_s') }} as share,
        {{ ratio('running_downtime_s', 'reasons_downtime_s') }} as cumulative_share,
        cast(reasons_downtime_s as bigint) as reasons_downtime_s,
        day_downtime_s
    from ranked
)

select * from final
