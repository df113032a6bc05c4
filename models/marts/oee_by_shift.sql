-- OEE per line and shift instance (oee.com / Vorne definitions, docs/oee.md "OEE conventions").
-- Counts are attributed to shifts by time overlap (a period spanning two shifts is shared in
-- proportion); rejects by the time they occurred. Zero denominators give NULL.
with

shifts as (
    select * from canonical.shifts
),

segments as (
    select * from marts.oee_shift_segments
),

counts as (
    select * from canonical.production_counts
),

rejects as (
    select * from canonical.quality_events
),

extraction as (
    select max(_loaded_at) as extracted_at from canonical.shifts
),

segment_time as (
    select
        line_id,
        shift_id,
        sum(case when time_class = 'excluded' then segment_s else 0 end) as excluded_s,
        sum(case when time_class = 'downtime' then segment_s else 0 end) as downtime_s,
        sum(case when time_class = 'small_stop' then segment_s else 0 end) as small_stop_s
    from segments
    group by line_id, shift_id
),

count_overlap as (
    select
        shifts.line_id,
        shifts.shift_id,
        counts.total_count,
        counts.ideal_cycle_time_s,
        cast(date_diff(
            'second',
            greatest(counts.period_start, shifts.starts_at),
            least(counts.period_end, shifts.ends_at)
        ) as double) / counts.period_s as share
    from shifts
    inner join counts
        on counts.line_id = shifts.line_id
        and counts.period_start < shifts.ends_at
        and counts.period_end > shifts.starts_at
    where counts.period_s > 0
),

shift_counts as (
    select
        line_id,
        shift_id,
        cast(sum(total_count * share) as decimal(18, 6)) as total_count,
        cast(sum(total_count * ideal_cycle_time_s * share) as decimal(18, 6)) as ideal_run_time_s
    from count_overlap
    group by line_id, shift_id
),

shift_rejects as (
    select
        shifts.line_id,
        shifts.shift_id,
        cast(sum(rejects.quantity) as decimal(18, 6)) as reject_count,
        cast(sum(case when rejects.is_startup_reject then rejects.quantity else 0 end)
            as decimal(18, 6)) as startup_reject_count
    from shifts
    inner join rejects
        on rejects.line_id = shifts.line_id
        and rejects.occurred_at >= shifts.starts_at
        and rejects.occurred_at < shifts.ends_at
    group by shifts.line_id, shifts.shift_id
),

times as (
    select
        shifts.line_id,
        shifts.shift_id,
        shifts.shift_name,
        shifts.starts_at as shift_start,
        shifts.ends_at as shift_end,
        shifts.shift_day as day,
        shifts.ends_at <= extraction.extracted_at as is_complete,
        cast(shifts.duration_s as bigint) as all_time_s,
        cast(coalesce(segment_time.excluded_s, 0) as bigint) as excluded_s,
        cast(shifts.duration_s - coalesce(segment_time.excluded_s, 0) as bigint)
            as planned_production_time_s,
        cast(coalesce(segment_time.downtime_s, 0) as bigint) as downtime_s,
        cast(coalesce(segment_time.small_stop_s, 0) as bigint) as small_stop_s,
        coalesce(shift_counts.ideal_run_time_s, 0) as ideal_run_time_s,
        coalesce(shift_counts.total_count, 0) as total_count,
        coalesce(shift_rejects.reject_count, 0) as reject_count,
        coalesce(shift_rejects.startup_reject_count, 0) as startup_reject_count
    from shifts
    cross join extraction
    left join segment_time
        on segment_time.line_id = shifts.line_id
        and segment_time.shift_id = shifts.shift_id
    left join shift_counts
        on shift_counts.line_id = shifts.line_id
        and shift_counts.shift_id = shifts.shift_id
    left join shift_rejects
        on shift_rejects.line_id = shifts.line_id
        and shift_rejects.shift_id = shifts.shift_id
),

measures as (
    select
        *,
        planned_production_time_s - downtime_s as run_time_s,
        -- rejects beyond the count (bad data) cannot make good production negative
        case when total_count > reject_count then total_count - reject_count else 0 end
            as good_count
    from times
),

ratios as (
    select
        *,
        {{ oee_ratios() }}
    from measures
),

scores as (
    select
        *,
        {{ capped_performance() }}
    from ratios
),

final as (
    select
        line_id,
        shift_id,
        shift_name,
        shift_start,
        shift_end,
        day,
        is_complete,
        -- seconds
        all_time_s,
        excluded_s,
        planned_production_time_s,
        downtime_s,
        small_stop_s,
        run_time_s,
        ideal_run_time_s,
        -- counts
        total_count,
        reject_count,
        startup_reject_count,
        good_count,
        -- ratios
        availability,
        performance_raw,
        performance,
        performance_capped,
        quality,
        {{ oee() }} as oee,
        {{ oee() }} * planned_production_time_s / nullif(all_time_s, 0) as teep
    from scores
)

select * from final
