"""Simulate one production line's history: downtime events, 15-minute counts, quality events.

Pure: everything comes from the `random.Random` passed in, so a seed gives the same plant.
Times are naive UTC `datetime`s; rows are plain dicts ready for a bulk insert (ids are
assigned by the caller).
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sandbox.plant.calendar import Shift
from sandbox.plant.catalog import PRODUCTS, QUALITY_REASONS

PERIOD = timedelta(minutes=15)
MINUTE = 60.0
ICT_BY_PRODUCT = {product_id: ict for product_id, _, ict in PRODUCTS}
BREAKDOWN_COMMENTS = (
    "bearing replaced",
    "motor tripped, reset",
    "conveyor belt torn",
    "valve stuck",
    None,
    None,
)


@dataclass
class LineHistory:
    """Rows of one line, without ids."""

    downtime_events: list[dict] = field(default_factory=list)
    production_counts: list[dict] = field(default_factory=list)
    quality_events: list[dict] = field(default_factory=list)


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; means here are small)."""
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def seconds(value: float) -> timedelta:
    """Whole seconds: the OEE system stores second precision."""
    return timedelta(seconds=round(value))


class _Line:
    """Mutable state while one line is simulated."""

    def __init__(self, rng: random.Random, line_id: str, as_of: datetime) -> None:
        self.rng, self.line_id, self.as_of = rng, line_id, as_of
        self.history = LineHistory()
        first = rng.choice(PRODUCTS)[0]
        self.product_changes: list[tuple[datetime, str]] = [(datetime.min, first)]
        self.speed = rng.uniform(0.86, 0.95)

    def product_at(self, at: datetime) -> str:
        index = bisect.bisect_right(self.product_changes, (at, "\uffff")) - 1
        return self.product_changes[max(index, 0)][1]

    def stamp(self, happened: datetime, late_share: float) -> datetime:
        """`updated_at`: shortly after the fact, sometimes hours later (a late edit)."""
        delay = self.rng.uniform(5, 90)
        if self.rng.random() < late_share:
            delay = self.rng.uniform(3600, 48 * 3600)
        return min(happened + seconds(delay), self.as_of)

    def stop(self, started: datetime, duration_s: float, reason: str, comment: str | None = None):
        """Record a downtime event; one still running at `as_of` stays open (ended_at NULL)."""
        if started >= self.as_of:
            return
        ended: datetime | None = started + seconds(max(duration_s, 1))
        if ended > self.as_of:
            ended = None
        updated = self.stamp(ended, 0.1) if ended else min(started + seconds(5), self.as_of)
        self.history.downtime_events.append(
            {
                "line_id": self.line_id,
                "started_at": started,
                "ended_at": ended,
                "reason_code": reason,
                "comment": comment,
                "updated_at": updated,
            }
        )

    def reject(self, at: datetime, kind: str, quantity: int) -> None:
        if at >= self.as_of:
            return
        self.history.quality_events.append(
            {
                "line_id": self.line_id,
                "product_id": self.product_at(at),
                "occurred_at": at,
                "quantity": quantity,
                "kind": kind,
                "reason_code": self.rng.choice(QUALITY_REASONS[kind]),
                "updated_at": self.stamp(at, 0.05),
            }
        )

    def at(self, shift: Shift, fraction: float) -> datetime:
        length = (shift.ends_at - shift.starts_at).total_seconds()
        return shift.starts_at + seconds(fraction * length)


def _shift_events(line: _Line, shift: Shift) -> None:
    """Breaks, planned maintenance, breakdowns, changeovers, other stops and micro stops."""
    rng = line.rng
    hours = (shift.ends_at - shift.starts_at).total_seconds() / 3600
    for offset_h in range(4, int(hours), 4):
        start = shift.starts_at + timedelta(hours=offset_h) + seconds(rng.uniform(-15, 15) * 60)
        line.stop(start, 30 * MINUTE, "BRK")
    if rng.random() < 0.03:
        line.stop(line.at(shift, rng.uniform(0.05, 0.6)), rng.uniform(60, 150) * MINUTE, "PM")
    if rng.random() < 0.02:
        line.stop(shift.starts_at, 15 * MINUTE, "MEET")
    for _ in range(poisson(rng, 0.5 * hours / 8)):
        start = line.at(shift, rng.random())
        # Long-tailed repair times: median 15 min, a few last hours and cross shift boundaries.
        duration = min(max(rng.lognormvariate(math.log(900), 1.1), 150), 8 * 3600)
        line.stop(
            start,
            duration,
            rng.choice(("BD-MECH", "BD-ELEC", "BD-PNEU")),
            rng.choice(BREAKDOWN_COMMENTS),
        )
        if rng.random() < 0.15:  # a second, overlapping report of the same stoppage
            line.stop(
                start + seconds(rng.uniform(0, duration)),
                rng.uniform(5, 30) * MINUTE,
                "BD-ELEC",
                "reported twice",
            )
    if rng.random() < 0.4:
        start = line.at(shift, rng.uniform(0.1, 0.9))
        duration = max(rng.gauss(25, 8), 5) * MINUTE
        line.stop(start, duration, "CO", "product change")
        ended = start + seconds(duration)
        current = line.product_at(start)
        line.product_changes.append(
            (ended, rng.choice([p[0] for p in PRODUCTS if p[0] != current]))
        )
        line.reject(ended + seconds(rng.uniform(60, 600)), "startup", rng.randint(10, 60))
    if rng.random() < 0.3:
        line.stop(line.at(shift, rng.random()), rng.uniform(3, 15) * MINUTE, "ADJ")
    if rng.random() < 0.25:
        duration = min(rng.lognormvariate(math.log(480), 0.8), 3 * 3600)
        line.stop(line.at(shift, rng.random()), duration, "NOMAT")
    if rng.random() < 0.04:
        line.stop(line.at(shift, rng.random()), rng.uniform(20, 90) * MINUTE, "QHOLD")
    for _ in range(poisson(rng, 14 * hours / 8)):
        line.stop(
            line.at(shift, rng.random()), rng.uniform(10, 110), rng.choice(("JAM", "JAM", "SENSOR"))
        )


def _shift_rejects(line: _Line, shift: Shift) -> None:
    rng = line.rng
    line.reject(shift.starts_at + seconds(rng.uniform(300, 1200)), "startup", rng.randint(5, 30))
    for _ in range(poisson(rng, 3)):
        line.reject(line.at(shift, rng.random()), "scrap", rng.randint(1, 25))
    for _ in range(poisson(rng, 1)):
        line.reject(line.at(shift, rng.random()), "rework", rng.randint(1, 12))


def _union(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _counts(line: _Line, shifts: list[Shift]) -> None:
    """One count row per 15 minutes of shift time, reduced by the stops in that period."""
    rng = line.rng
    stopped = _union(
        [(e["started_at"], e["ended_at"] or line.as_of) for e in line.history.downtime_events]
    )
    cursor = 0
    for shift in shifts:
        period = shift.starts_at
        while period < shift.ends_at and period + PERIOD <= line.as_of:
            period_end = period + PERIOD
            while cursor < len(stopped) and stopped[cursor][1] <= period:
                cursor += 1
            down_s, i = 0.0, cursor
            while i < len(stopped) and stopped[i][0] < period_end:
                down_s += (
                    min(stopped[i][1], period_end) - max(stopped[i][0], period)
                ).total_seconds()
                i += 1
            product = line.product_at(period)
            ict = ICT_BY_PRODUCT[product]
            speed = rng.gauss(line.speed, 0.03)
            if rng.random() < 0.02:  # the standard is too slow for this run: performance > 100%
                speed = rng.uniform(1.03, 1.10)
            override = round(ict * 0.9, 4) if rng.random() < 0.03 else None
            line.history.production_counts.append(
                {
                    "line_id": line.line_id,
                    "product_id": product,
                    "period_start": period,
                    "period_end": period_end,
                    "total_count": max(int((900 - down_s) * speed / ict), 0),
                    "ideal_cycle_time_s": override,
                    "updated_at": line.stamp(period_end, 0.01),
                }
            )
            period = period_end


def simulate_line(
    rng: random.Random, line_id: str, shifts: list[Shift], as_of: datetime
) -> LineHistory:
    """The history of one line over its shifts, as read at `as_of`."""
    line = _Line(rng, line_id, as_of)
    for shift in shifts:
        _shift_events(line, shift)
        _shift_rejects(line, shift)
    if shifts and rng.random() < 0.6:
        # The machine broke down near the end of the last shift and is still down when the
        # database is read: the event stays open (ended_at NULL).
        started = shifts[-1].ends_at - seconds(rng.uniform(10, 90) * MINUTE)
        line.stop(started, (as_of - started).total_seconds() + 3600, "BD-MECH", "still down")
    line.product_changes.sort()
    line.history.downtime_events.sort(key=lambda e: e["started_at"])
    line.history.quality_events.sort(key=lambda e: e["occurred_at"])
    _counts(line, shifts)
    return line.history
