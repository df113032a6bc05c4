"""The OEE system's tables as the generator creates them (docs/oee.md, "The plant database").

Timestamps are naive UTC in the database's native type: `TIMESTAMP` on SQLite (text
`YYYY-MM-DD HH:MM:SS[.ffffff]`), `TIMESTAMP WITHOUT TIME ZONE` on PostgreSQL, `DATETIME` on
MariaDB (MariaDB's `TIMESTAMP` auto-updates and stops in 2038, so it is avoided there).
"""

from __future__ import annotations

import sqlalchemy as sa

# SQLite keeps the declared type name, so the reflected DDL says TIMESTAMP as in the design.
UTC_TIMESTAMP = sa.DateTime().with_variant(sa.TIMESTAMP(), "sqlite", "postgresql")
CYCLE_TIME = sa.Numeric(10, 4)

metadata = sa.MetaData()

lines = sa.Table(
    "lines",
    metadata,
    sa.Column("line_id", sa.String(32), primary_key=True),
    sa.Column("site", sa.String(64), nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
)

products = sa.Table(
    "products",
    metadata,
    sa.Column("product_id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("ideal_cycle_time_s", CYCLE_TIME, nullable=False),
)

shifts = sa.Table(
    "shifts",
    metadata,
    sa.Column("shift_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("line_id", sa.String(32), nullable=False, index=True),
    sa.Column("name", sa.String(32), nullable=False),
    sa.Column("starts_at", UTC_TIMESTAMP, nullable=False),
    sa.Column("ends_at", UTC_TIMESTAMP, nullable=False),
)

reason_codes = sa.Table(
    "reason_codes",
    metadata,
    sa.Column("reason_code", sa.String(32), primary_key=True),
    sa.Column("description", sa.String(128), nullable=False),
    sa.Column("category", sa.String(32), nullable=False),
)

downtime_events = sa.Table(
    "downtime_events",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("line_id", sa.String(32), nullable=False),
    sa.Column("started_at", UTC_TIMESTAMP, nullable=False),
    sa.Column("ended_at", UTC_TIMESTAMP, nullable=True),
    sa.Column("reason_code", sa.String(32), nullable=True),
    sa.Column("comment", sa.String(255), nullable=True),
    sa.Column("updated_at", UTC_TIMESTAMP, nullable=False, index=True),
)

production_counts = sa.Table(
    "production_counts",
    metadata,
    sa.Column("count_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("line_id", sa.String(32), nullable=False),
    sa.Column("product_id", sa.String(32), nullable=False),
    sa.Column("period_start", UTC_TIMESTAMP, nullable=False),
    sa.Column("period_end", UTC_TIMESTAMP, nullable=False),
    sa.Column("total_count", sa.Integer, nullable=False),
    sa.Column("ideal_cycle_time_s", CYCLE_TIME, nullable=True),
    sa.Column("updated_at", UTC_TIMESTAMP, nullable=False, index=True),
)

quality_events = sa.Table(
    "quality_events",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("line_id", sa.String(32), nullable=False),
    sa.Column("product_id", sa.String(32), nullable=True),
    sa.Column("occurred_at", UTC_TIMESTAMP, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("reason_code", sa.String(32), nullable=True),
    sa.Column("updated_at", UTC_TIMESTAMP, nullable=False, index=True),
)

# Insertion order (dimensions first) and the order `generate` reports counts in.
TABLES: tuple[sa.Table, ...] = (
    lines,
    products,
    reason_codes,
    shifts,
    downtime_events,
    production_counts,
    quality_events,
)

DOWNTIME_CATEGORIES = ("breakdown", "setup_adjustment", "planned_excluded", "unplanned_other")
QUALITY_KINDS = ("scrap", "rework", "startup")


def recreate(engine: sa.Engine) -> None:
    """Drop and create the OEE tables (only these: other tables in the database are kept)."""
    metadata.drop_all(engine)
    metadata.create_all(engine)
