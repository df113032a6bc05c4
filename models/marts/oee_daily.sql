-- OEE per line and local day (the line's calendar date of the shift start). Ratios are
-- recomputed from the summed seconds and counts, never averaged over shifts.
with

shifts as (
    select * from marts.oee_by_shift
),

sums as (
    select
        line_id,
        day,
        count(*) as shifts,
        min(shift_start) as first_shift_start,
        max(shift_end) as last_shift_end,
        cast(sum(all_time_s) as bigint) as all_time_s,
        cast(sum(excluded_s) as bigint) as excluded_s,
        cast(sum(planned_production_time_s) as bigint) as planned_production_time_s,
        cast(sum(downtime_s) as bigint) as downtime_s,
        cast(sum(small_stop_s) as bigint) as small_stop_s,
        cast(sum(run_time_s) as bigint) as run_time_s,
        cast(sum(ideal_run_time_s) as decimal(18, 6)) as ideal_run_time_s,
        cast(sum(total_count) as decimal(18, 6)) as total_count,
        cast(sum(reject_count) as decimal(18, 6)) as reject_count,
        cast(sum(good_count) as decimal(18, 6)) as good_count
    from shifts
    group by line_id, day
),

ratios as (
    select
        *,
        {{ oee_ratios() }}
    from sums
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
        day,
        shifts,
        first_shift_start,
        last_shift_end,
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
