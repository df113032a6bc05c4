"""Read-only queries for the report: written in DuckDB SQL, run on the warehouse's dialect.

Values come back as plain JSON types (floats, ISO dates, UTC ISO timestamps), so the figures
the charts draw are the figures the page embeds.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from warehouse.compile import compile_sql
from warehouse.connections import Warehouse


def fetch(warehouse: Warehouse, sql: str, *, origin: str) -> list[dict[str, Any]]:
    """Rows of `sql` as dicts of plain values; `origin` names the query in compile errors."""
    rows = warehouse.query(compile_sql(sql, warehouse.dialect, origin=f"report:{origin}"))
    return [dict(zip(rows.columns, (plain(v) for v in row), strict=True)) for row in rows]


def plain(value: Any) -> Any:
    """A database value as a JSON value: decimals as floats, dates and times as ISO text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        # naive values are UTC by the warehouse's convention; aware ones are converted
        at = value.astimezone(UTC) if value.tzinfo else value
        return at.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return value


def date_literal(day: date | str) -> str:
    """A DATE literal every dialect reads the same."""
    return f"cast('{date.fromisoformat(str(day)).isoformat()}' as date)"


def all_exist(warehouse: Warehouse, tables: tuple[str, ...]) -> bool:
    return all(warehouse.table_exists(table) for table in tables)
