"""The shift calendar: local shift patterns turned into UTC shift instances."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sandbox.plant.catalog import ShiftPattern


@dataclass(frozen=True)
class Shift:
    """One shift instance of a line; `starts_at`/`ends_at` are naive UTC."""

    name: str
    starts_at: datetime
    ends_at: datetime


def to_utc(local_day: datetime, hour: int, tz: ZoneInfo) -> datetime:
    """Naive UTC instant of `hour` o'clock local time on `local_day` (DST gaps resolve forward)."""
    local = datetime.combine(local_day.date(), time(hour), tzinfo=tz)
    return local.astimezone(UTC).replace(tzinfo=None)


def shift_calendar(
    pattern: ShiftPattern, tz_name: str, start: datetime, as_of: datetime
) -> list[Shift]:
    """Shifts lying within [start, as_of], in time order.

    Only whole shifts: the history ends with the last shift finished by `as_of`, so no shift is
    cut off (stops still running at `as_of` stay open all the same).
    Shift lengths follow the wall clock, so a night shift over a DST change lasts 7 or 9 hours.
    """
    tz = ZoneInfo(tz_name)
    shifts: list[Shift] = []
    day = start - timedelta(days=1)
    while day < as_of + timedelta(days=1):
        weekday = day.weekday()
        if not (pattern.weekdays_only and weekday >= 5):
            for hour, name in zip(pattern.starts_local_h, pattern.names, strict=True):
                starts = to_utc(day, hour, tz)
                end_day = day + timedelta(days=1) if hour + pattern.length_h >= 24 else day
                ends = to_utc(end_day, (hour + pattern.length_h) % 24, tz)
                if start <= starts and ends <= as_of:
                    shifts.append(Shift(name, starts, ends))
        day += timedelta(days=1)
    return sorted(shifts, key=lambda s: s.starts_at)
