"""Late changes to an existing plant database, for incremental-load tests and demos."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from sandbox.plant import schema
from sandbox.plant.generator import engine_for

PERIOD = timedelta(minutes=15)


def latest_update(conn: sa.Connection) -> datetime | None:
    """The newest `updated_at` in the database: the time it was last written."""
    values = [
        conn.execute(sa.select(sa.func.max(table.c.updated_at))).scalar()
        for table in (schema.downtime_events, schema.production_counts, schema.quality_events)
    ]
    found = [v for v in values if v is not None]
    return max(found) if found else None


def apply_late_updates(url: str, at: datetime | None = None) -> dict[str, int]:
    """Close every open downtime event at `at` and append one 15-minute count per line.

    Both changes carry `updated_at = at`, so an incremental load picks them up: the closed
    events must be updated in place (merge on `event_id`), the counts appended.

    Args:
        url: SQLAlchemy URL of a database made by `generate`.
        at: naive UTC time of the changes; default one hour after the newest `updated_at`.

    Returns:
        `{"closed_events": n, "added_counts": m}`.
    """
    engine = engine_for(url)
    with engine.begin() as conn:
        at = at or (latest_update(conn) or datetime(2026, 1, 1)) + timedelta(hours=1)
        events = schema.downtime_events
        closed = conn.execute(
            events.update()
            .where(events.c.ended_at.is_(None))
            .values(ended_at=at, updated_at=at, comment="closed late")
        ).rowcount
        counts = schema.production_counts
        next_id = (conn.execute(sa.select(sa.func.max(counts.c.count_id))).scalar() or 0) + 1
        rows = []
        latest = conn.execute(
            sa.select(counts.c.line_id, sa.func.max(counts.c.period_end)).group_by(counts.c.line_id)
        ).all()
        for number, (line_id, period_end) in enumerate(sorted(latest), start=next_id):
            product_id = conn.execute(
                sa.select(counts.c.product_id)
                .where(counts.c.line_id == line_id, counts.c.period_end == period_end)
                .limit(1)
            ).scalar()
            rows.append(
                {
                    "count_id": number,
                    "line_id": line_id,
                    "product_id": product_id,
                    "period_start": period_end,
                    "period_end": period_end + PERIOD,
                    "total_count": 500,
                    "ideal_cycle_time_s": None,
                    "updated_at": at,
                }
            )
        if rows:
            conn.execute(counts.insert(), rows)
    engine.dispose()
    return {"closed_events": closed, "added_counts": len(rows)}
