-- One row per shift instance of a production line, with the line's local date of the start.
with

shifts as (
    select * from staging.oee_shifts
),

lines as (
    select * from staging.oee_lines
),

final as (
    select
        -- ids
        shifts.shift_id,
        shifts.line_id,
        shifts.shift_name,
        lines.site,
        lines.timezone,
        -- timestamps (UTC)
        shifts.starts_at,
        shifts.ends_at,
        -- the line's local calendar day of the shift start: daily roll-ups group by it
        cast(shifts.starts_at at time zone 'UTC' at time zone lines.timezone as date) as shift_day,
        date_diff('second', shifts.starts_at, shifts.ends_at) as duration_s,
        shifts._extracted_at as _loaded_at
    from shifts
    left join lines
        on lines.line_id = shifts.line_id
)

select * from final
