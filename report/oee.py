"""The OEE figures of the report, read from the OEE marts.

Every OEE figure covers complete days only (every shift of the line's day has ended, per
`marts.oee_by_shift.is_complete`): a running shift would make its day look better or worse than
it will be. The charts cover the WINDOW_DAYS days ending with the latest complete day; the
headline uses each line's own latest complete day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from report.sql import all_exist, date_literal, fetch
from warehouse.connections import Warehouse

WINDOW_DAYS = 30
TOP_REASONS = 8
# The six big losses in waterfall order, with the OEE factor each one lowers.
LOSSES = (
    ("breakdowns", "availability"),
    ("setup_adjustments", "availability"),
    ("small_stops", "performance"),
    ("reduced_speed", "performance"),
    ("production_rejects", "quality"),
    ("startup_rejects", "quality"),
)
OEE_MARTS = (
    "marts.oee_by_shift",
    "marts.oee_daily",
    "marts.six_big_losses",
    "marts.downtime_pareto",
)

COMPLETE_DAYS = """
    select line_id, day
    from marts.oee_by_shift
    group by line_id, day
    having min(case when is_complete then 1 else 0 end) = 1
"""


@dataclass(frozen=True)
class Window:
    """The days the OEE charts cover (local dates of the lines, both ends included): the last
    WINDOW_DAYS days up to the latest complete day, or fewer when the history is shorter."""

    first_day: str
    last_day: str

    def days_cte(self) -> str:
        """A `days (line_id, day)` CTE: the complete days of each line inside the window."""
        return (
            f"days as (select line_id, day from ({COMPLETE_DAYS}) as complete_days "
            f"where day between {date_literal(self.first_day)} and {date_literal(self.last_day)})"
        )


def window(warehouse: Warehouse) -> Window | None:
    """The chart window, or None before any complete day exists."""
    if not all_exist(warehouse, OEE_MARTS):
        return None
    days = fetch(
        warehouse,
        f"select min(day) as first_day, max(day) as last_day from ({COMPLETE_DAYS}) as complete",
        origin="oee_window",
    )[0]
    if days["last_day"] is None:
        return None
    start = date.fromisoformat(days["last_day"]) - timedelta(days=WINDOW_DAYS - 1)
    return Window(max(start.isoformat(), days["first_day"]), days["last_day"])


def trend(warehouse: Warehouse) -> list[dict[str, Any]]:
    """OEE, availability, performance and quality per line and complete day of the window."""
    span = window(warehouse)
    if span is None:
        return []
    return fetch(
        warehouse,
        f"""
        with {span.days_cte()}
        select daily.line_id, daily.day, daily.oee, daily.availability, daily.performance,
            daily.quality
        from marts.oee_daily as daily
        inner join days on days.line_id = daily.line_id and days.day = daily.day
        order by daily.line_id, daily.day
        """,
        origin="oee_trend",
    )


def losses(warehouse: Warehouse) -> list[dict[str, Any]]:
    """Per line over the window: all time, planned stops (excluded time) and the six losses,
    in seconds: the steps of the waterfall from all time to fully productive time."""
    span = window(warehouse)
    if span is None:
        return []
    loss_sums = ",\n".join(
        f"sum(case when loss = '{loss}' then seconds else 0 end) as {loss}" for loss, _ in LOSSES
    )
    loss_columns = ", ".join(f"loss_sums.{loss}" for loss, _ in LOSSES)
    return fetch(
        warehouse,
        f"""
        with {span.days_cte()},
        time_sums as (
            select shifts.line_id, sum(shifts.all_time_s) as all_time_s,
                sum(shifts.excluded_s) as excluded_s
            from marts.oee_by_shift as shifts
            inner join days on days.line_id = shifts.line_id and days.day = shifts.day
            group by shifts.line_id
        ),
        loss_sums as (
            select six.line_id, {loss_sums}
            from marts.six_big_losses as six
            inner join days on days.line_id = six.line_id and days.day = six.day
            group by six.line_id
        )
        select time_sums.line_id, time_sums.all_time_s, time_sums.excluded_s, {loss_columns}
        from time_sums
        inner join loss_sums on loss_sums.line_id = time_sums.line_id
        order by time_sums.line_id
        """,
        origin="oee_losses",
    )


def pareto(warehouse: Warehouse) -> list[dict[str, Any]]:
    """Per line over the window: the TOP_REASONS largest downtime reasons (the rest summed as
    "other"), largest first, with each one's share and the running share of the line's total."""
    span = window(warehouse)
    if span is None:
        return []
    by_reason = fetch(
        warehouse,
        f"""
        with {span.days_cte()}
        select pareto.line_id, pareto.reason_code, min(pareto.category) as category,
            sum(pareto.downtime_s) as downtime_s
        from marts.downtime_pareto as pareto
        inner join days on days.line_id = pareto.line_id and days.day = pareto.day
        group by pareto.line_id, pareto.reason_code
        order by pareto.line_id, downtime_s desc, pareto.reason_code
        """,
        origin="oee_pareto",
    )
    result: list[dict[str, Any]] = []
    for line_id in dict.fromkeys(r["line_id"] for r in by_reason):
        reasons = [r for r in by_reason if r["line_id"] == line_id]
        result += _ranked(line_id, reasons)
    return result


def _ranked(line_id: str, reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The top reasons of one line (already sorted largest first) plus "other" for the rest."""
    total = sum(r["downtime_s"] for r in reasons)
    top = reasons[:TOP_REASONS]
    rest = reasons[TOP_REASONS:]
    bars = [(r["reason_code"], r["category"], r["downtime_s"]) for r in top]
    if rest:
        label = f"other ({len(rest)} {'reason' if len(rest) == 1 else 'reasons'})"
        bars.append((label, None, sum(r["downtime_s"] for r in rest)))
    rows, running = [], 0
    for rank, (reason, category, seconds) in enumerate(bars, start=1):
        running += seconds
        rows.append(
            {
                "line_id": line_id,
                "rank": rank,
                "reason": reason,
                "category": category,
                "downtime_s": seconds,
                "share": seconds / total if total else None,
                "cumulative_share": running / total if total else None,
            }
        )
    return rows


def headline(warehouse: Warehouse) -> list[dict[str, Any]]:
    """Per line, its latest complete day: OEE, A, P, Q, TEEP, the worst of the six losses and
    the top downtime reason of that day."""
    if window(warehouse) is None:
        return []
    last_days = (
        f"last_days as (select line_id, max(day) as day from ({COMPLETE_DAYS}) as complete_days "
        "group by line_id)"
    )
    days = fetch(
        warehouse,
        f"""
        with {last_days}
        select daily.line_id, daily.day, daily.oee, daily.availability, daily.performance,
            daily.quality, daily.teep
        from marts.oee_daily as daily
        inner join last_days on last_days.line_id = daily.line_id and last_days.day = daily.day
        order by daily.line_id
        """,
        origin="headline_days",
    )
    day_losses = fetch(
        warehouse,
        f"""
        with {last_days}
        select six.line_id, six.loss, sum(six.seconds) as seconds
        from marts.six_big_losses as six
        inner join last_days on last_days.line_id = six.line_id and last_days.day = six.day
        group by six.line_id, six.loss
        """,
        origin="headline_losses",
    )
    top_reasons = fetch(
        warehouse,
        f"""
        with {last_days}
        select pareto.line_id, pareto.reason_code, pareto.downtime_s
        from marts.downtime_pareto as pareto
        inner join last_days on last_days.line_id = pareto.line_id and last_days.day = pareto.day
        where pareto.reason_rank = 1
        """,
        origin="headline_reasons",
    )
    order = {loss: i for i, (loss, _) in enumerate(LOSSES)}
    for day in days:
        line_losses = [r for r in day_losses if r["line_id"] == day["line_id"] and r["seconds"]]
        # the largest loss; on a tie the one earlier in the waterfall
        worst = min(line_losses, key=lambda r: (-r["seconds"], order[r["loss"]]), default=None)
        reason = next((r for r in top_reasons if r["line_id"] == day["line_id"]), None)
        day["worst_loss"] = worst["loss"] if worst else None
        day["worst_loss_s"] = worst["seconds"] if worst else None
        day["top_reason"] = reason["reason_code"] if reason else None
        day["top_reason_s"] = reason["downtime_s"] if reason else None
    return days
