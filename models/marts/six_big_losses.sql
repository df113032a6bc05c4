-- The six big losses per line and shift, in seconds of planned production time (Vorne):
-- breakdowns (every unplanned stop: breakdown and unplanned_other), setup_adjustments
-- (setup_adjustment stops), small_stops, reduced_speed (run time - small stops - ideal run
-- time, never below 0), production_rejects and startup_rejects (reject count x ideal cycle time).
with

shifts as (
    select * from marts.oee_by_shift
),

segments as (
    select * from marts.oee_shift_segments
),

rejects as (
    select * from canonical.quality_events
),

stop_losses as (
    select
        line_id,
        shift_id,
        sum(case when category = 'setup_adjustment' then segment_s else 0 end) as setup_s,
        sum(case when category <> 'setup_adjustment' then segment_s else 0 end) as breakdown_s
    from segments
    where time_class = 'downtime'
    group by line_id, shift_id
),

reject_losses as (
    select
        shifts.line_id,
        shifts.shift_id,
        sum(case when rejects.is_startup_reject then 0 else rejects.quantity
            * coalesce(rejects.ideal_cycle_time_s,
                       shifts.ideal_run_time_s / nullif(shifts.total_count, 0)) end)
            as production_reject_s,
        sum(case when rejects.is_startup_reject then rejects.quantity
            * coalesce(rejects.ideal_cycle_time_s,
                       shifts.ideal_run_time_s / nullif(shifts.total_count, 0)) else 0 end)
            as startup_reject_s
    from shifts
    inner join rejects
        on rejects.line_id = shifts.line_id
        and rejects.occurred_at >= shifts.shift_start
        and rejects.occurred_at < shifts.shift_end
    group by shifts.line_id, shifts.shift_id
),

per_shift as (
    select
        shifts.line_id,
        shifts.shift_id,
        shifts.shift_start,
        shifts.day,
        cast(coalesce(stop_losses.breakdown_s, 0) as decimal(18, 6)) as breakdowns,
        cast(coalesce(stop_losses.setup_s, 0) as decimal(18, 6)) as setup_adjustments,
        cast(shifts.small_stop_s as decimal(18, 6)) as small_stops,
        cast(
            case
                when shifts.run_time_s - shifts.small_stop_s - shifts.ideal_run_time_s > 0
                    then shifts.run_time_s - shifts.small_stop_s - shifts.ideal_run_time_s
                else 0
            end as decimal(18, 6)
        ) as reduced_speed,
        cast(coalesce(reject_losses.production_reject_s, 0) as decimal(18, 6))
            as production_rejects,
        cast(coalesce(reject_losses.startup_reject_s, 0) as decimal(18, 6)) as startup_rejects
    from shifts
    left join stop_losses
        on stop_losses.line_id = shifts.line_id
        and stop_losses.shift_id = shifts.shift_id
    left join reject_losses
        on reject_losses.line_id = shifts.line_id
        and reject_losses.shift_id = shifts.shift_id
),

unpivoted as (
    select line_id, shift_id, shift_start, day, 'breakdowns' as loss, 'availability' as oee_factor,
        breakdowns as seconds from per_shift
    union all
    select line_id, shift_id, shift_start, day, 'setup_adjustments', 'availability',
        setup_adjustments from per_shift
    union all
    select line_id, shift_id, shift_start, day, 'small_stops', 'performance',
        small_stops from per_shift
    union all
    select line_id, shift_id, shift_start, day, 'reduced_speed', 'performance',
        reduced_speed from per_shift
    union all
    select line_id, shift_id, shift_start, day, 'production_rejects', 'quality',
        production_rejects from per_shift
    union all
    select line_id, shift_id, shift_start, day, 'startup_rejects', 'quality',
        startup_rejects from per_shift
)

select * from unpivoted
