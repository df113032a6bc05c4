"""Pure helpers of the OEE source: URL handling, reflection checks, Arrow row stamping."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.engine import make_url


def absolute_sqlite_url(db_url: str) -> str:
    """Make a relative SQLite URL absolute; other URLs pass through unchanged.

    `sqlite:///data/plant.db` means "relative to the working directory", which differs between
    the CLI, Dagster's run workers and tests. A missing SQLite file is an error: SQLite would
    silently create an empty database and reflection would then find no tables.
    """
    url = make_url(db_url)
    if not url.drivername.startswith("sqlite"):
        return db_url
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return db_url
    path = Path(database).expanduser().resolve()
    if not path.exists():
        raise FileNotFoundError(f"OEE database {db_url!r}: SQLite file {path} does not exist")
    return url.set(database=str(path)).render_as_string(hide_password=False)


def primary_key(table: sa.Table) -> list[str]:
    """The reflected primary key columns; the merge key of the table's resource."""
    columns = [column.name for column in table.primary_key.columns]
    if not columns:
        raise ValueError(
            f"OEE table {table.name!r} has no primary key: it cannot be merged incrementally"
        )
    return columns


def naive_timestamps(sql_type: Any) -> Any:
    """`type_adapter_callback`: read timezone-aware timestamp columns as naive (UTC) ones."""
    if isinstance(sql_type, sa.DateTime) and sql_type.timezone:
        return sa.DateTime(timezone=False)
    return sql_type


def to_naive_utc(table: pa.Table) -> pa.Table:
    """Convert timezone-aware timestamp columns to naive UTC (Arrow stores them in UTC)."""
    for index, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            naive = pc.cast(
                pc.cast(table.column(index), pa.timestamp(field.type.unit, "UTC")),
                pa.timestamp(field.type.unit),
            )
            table = table.set_column(index, field.name, naive)
    return table


def utc_stamp(at: datetime) -> datetime:
    """Whole-second, timezone-aware UTC time; a naive `at` is taken as UTC."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).replace(microsecond=0)


def stamp_extracted_at(item: Any, extracted_at: datetime, column: str) -> Any:
    """Add the extraction time to a page of rows (Arrow table or batch, or dicts)."""
    if isinstance(item, pa.RecordBatch):
        item = pa.Table.from_batches([item])
    if isinstance(item, pa.Table):
        item = to_naive_utc(item)
        values = pa.array([extracted_at] * item.num_rows, type=pa.timestamp("us", "UTC"))
        if column in item.column_names:
            return item.set_column(item.column_names.index(column), column, values)
        return item.append_column(column, values)
    if isinstance(item, dict):
        return {**item, column: extracted_at}
    if isinstance(item, list):
        # an empty list may be dlt's "materialize this table" marker: keep its type
        return [{**row, column: extracted_at} for row in item] if item else item
    return item
