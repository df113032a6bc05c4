"""`generate`: create and fill an OEE system database (SQLite, PostgreSQL or MariaDB)."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa

from sandbox.plant import schema
from sandbox.plant.calendar import shift_calendar
from sandbox.plant.catalog import PRODUCTS, REASON_CODES, SHIFT_PATTERNS, SITES, line_ids
from sandbox.plant.simulate import simulate_line

# A fixed calendar start keeps a seed's database identical from run to run (a Monday, UTC).
DEFAULT_START = datetime(2026, 1, 5)
INSERT_CHUNK = 5_000


def engine_for(url: str) -> sa.Engine:
    """An engine for the OEE database URL (SQLite files are created on first use)."""
    return sa.create_engine(url)


def _insert(conn: sa.Connection, table: sa.Table, rows: Iterable[dict]) -> int:
    batch: list[dict] = []
    total = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= INSERT_CHUNK:
            conn.execute(table.insert(), batch)
            total += len(batch)
            batch = []
    if batch:
        conn.execute(table.insert(), batch)
        total += len(batch)
    return total


def _numbered(rows: Iterable[dict], key: str, first: int) -> Iterable[dict]:
    for number, row in enumerate(rows, start=first):
        yield {key: number, **row}


def generate(
    url: str, lines: int, days: int, seed: int, start: datetime = DEFAULT_START
) -> dict[str, int]:
    """Drop, create and fill the OEE tables at `url`; return the row count of each table.

    Args:
        url: SQLAlchemy URL (`sqlite:///data/plant.db`, `postgresql://...`, `mysql+pymysql://...`).
        lines: number of production lines (`L01`...), spread over sites and time zones.
        days: days of history from `start` (naive UTC); the database is "read" at start + days.
        seed: the same seed gives the same rows.
        start: first day of the calendar.

    Returns:
        Rows written per table, in insertion order.
    """
    if lines < 1 or days < 1:
        raise ValueError(f"lines and days must be positive, got lines={lines} days={days}")
    as_of = start + timedelta(days=days)
    engine = engine_for(url)
    schema.recreate(engine)
    counts = {table.name: 0 for table in schema.TABLES}
    ids = {"shift": 1, "event": 1, "count": 1, "quality": 1}
    with engine.begin() as conn:
        line_rows = []
        for index, line_id in enumerate(line_ids(lines)):
            site, tz_name = SITES[index % len(SITES)]
            line_rows.append(
                {
                    "line_id": line_id,
                    "site": site,
                    "name": f"{site} line {index + 1}",
                    "timezone": tz_name,
                }
            )
        counts["lines"] = _insert(conn, schema.lines, line_rows)
        counts["products"] = _insert(
            conn,
            schema.products,
            ({"product_id": p, "name": n, "ideal_cycle_time_s": ict} for p, n, ict in PRODUCTS),
        )
        counts["reason_codes"] = _insert(
            conn,
            schema.reason_codes,
            ({"reason_code": r, "description": d, "category": c} for r, d, c in REASON_CODES),
        )
        for index, line in enumerate(line_rows):
            pattern = SHIFT_PATTERNS[index % len(SHIFT_PATTERNS)]
            shifts = shift_calendar(pattern, line["timezone"], start, as_of)
            history = simulate_line(
                random.Random(seed * 1_000 + index), line["line_id"], shifts, as_of
            )
            shift_rows = [
                {
                    "line_id": line["line_id"],
                    "name": s.name,
                    "starts_at": s.starts_at,
                    "ends_at": s.ends_at,
                }
                for s in shifts
            ]
            for table, rows, key, id_name in (
                (schema.shifts, shift_rows, "shift_id", "shift"),
                (schema.downtime_events, history.downtime_events, "event_id", "event"),
                (schema.production_counts, history.production_counts, "count_id", "count"),
                (schema.quality_events, history.quality_events, "event_id", "quality"),
            ):
                written = _insert(conn, table, _numbered(rows, key, ids[id_name]))
                ids[id_name] += written
                counts[table.name] += written
    engine.dispose()
    return counts
