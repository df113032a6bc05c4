-- The event-boundary sweep behind every OEE mart: each shift is cut at every start and end of
-- the downtime events touching it (clipped to the shift), and each elementary segment covered
-- by at least one event is attributed to exactly one event. The class decides what the time is:
-- 'excluded' (a planned_excluded event covers it) beats 'downtime' (an event at least
-- micro_stop_threshold_s long) beats 'small_stop' (shorter events, which stay in run time).
-- Overlaps of the same class go to the event that started first (then the lower event_id),
-- so overlapping stops are counted once and every second has one reason.
with

shifts as (
    select * from canonical.shifts
),

events as (
    select * from canonical.downtime_events
    where source = 'oee'
        and ended_at > started_at
),

settings as (
    select
        line_id,
        cast(micro_stop_threshold_s as integer) as micro_stop_threshold_s
    from seeds.oee_settings
),

classified as (
    select
        events.event_id,
        events.line_id,
        events.started_at,
        events.ended_at,
        events.reason_code,
        events.category,
        case
            when events.category = 'planned_excluded' then 'excluded'
            -- the whole event's length decides, even when a shift boundary splits it
            when events.duration_s >= coalesce(
                settings.micro_stop_threshold_s, {{ var('micro_stop_threshold_s') }}
            ) then 'downtime'
            else 'small_stop'
        end as time_class
    from events
    left join settings
        on settings.line_id = events.line_id
),

clipped as (
    select
        shifts.line_id,
        shifts.shift_id,
        classified.event_id,
        classified.reason_code,
        classified.category,
        classified.time_class,
        classified.started_at,
        greatest(classified.started_at, shifts.starts_at) as clip_start,
        least(classified.ended_at, shifts.ends_at) as clip_end
    from shifts
    inner join classified
        on classified.line_id = shifts.line_id
        and classified.started_at < shifts.ends_at
        and classified.ended_at > shifts.starts_at
),

boundaries as (
    select line_id, shift_id, clip_start as boundary_at from clipped
    union
    select line_id, shift_id, clip_end as boundary_at from clipped
),

segments as (
    select
        line_id,
        shift_id,
        boundary_at as segment_start,
        lead(boundary_at) over (partition by line_id, shift_id order by boundary_at) as segment_end
    from boundaries
),

covered as (
    select
        segments.line_id,
        segments.shift_id,
        segments.segment_start,
        segments.segment_end,
        clipped.event_id,
        clipped.reason_code,
        clipped.category,
        clipped.time_class,
        row_number() over (
            partition by segments.line_id, segments.shift_id, segments.segment_start
            order by
                case clipped.time_class when 'excluded' then 1 when 'downtime' then 2 else 3 end,
                clipped.started_at,
                clipped.event_id
        ) as cover_rank
    from segments
    inner join clipped
        on clipped.line_id = segments.line_id
        and clipped.shift_id = segments.shift_id
        and clipped.clip_start <= segments.segment_start
        and clipped.clip_end >= segments.segment_end
    where segments.segment_end is not null
),

final as (
    select
        line_id,
        shift_id,
        segment_start,
        segment_end,
        date_diff('second', segment_start, segment_end) as segment_s,
        time_class,
        event_id,
        reason_code,
        category
    from covered
    where cover_rank = 1
)

select * from final
