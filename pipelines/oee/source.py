"""The OEE system source: the plant database's tables, found by reflection, loaded with dlt."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import dlt
import sqlalchemy as sa
from dlt.extract.resource import DltResource
from dlt.sources.sql_database import sql_table
from dlt.sources.sql_database.helpers import TableLoader

from pipelines.oee.helpers import (
    absolute_sqlite_url,
    naive_timestamps,
    primary_key,
    stamp_extracted_at,
    utc_stamp,
)
from pipelines.oee.settings import CURSOR_COLUMN, EXTRACTED_AT_COLUMN, OEE_TABLES


def reflect(engine: sa.Engine, tables: Sequence[str]) -> sa.MetaData:
    """Reflect `tables` from the plant database; a missing table is named in the error."""
    metadata = sa.MetaData()
    available = set(sa.inspect(engine).get_table_names())
    missing = [name for name in tables if name not in available]
    if missing:
        raise ValueError(
            f"the OEE database lacks table(s) {', '.join(missing)} "
            f"(it has: {', '.join(sorted(available)) or 'no tables'})"
        )
    metadata.reflect(engine, only=list(tables))
    return metadata


EXTRACTED_AT_HINT = {"name": EXTRACTED_AT_COLUMN, "data_type": "timestamp", "timezone": True}


class SchemaFirstTableLoader(TableLoader):
    """Announces the table before its rows, so an empty plant table still exists downstream.

    dlt creates destination tables only for data it has seen; models over a plant without,
    say, quality events yet would otherwise fail on a missing raw table.
    """

    def load_rows(self, backend_kwargs: dict[str, Any] | None = None) -> Iterator[Any]:
        # The column the map step adds is declared here rather than as a resource hint, which
        # sql_table would report as "not a reflected column" on every run.
        yield dlt.mark.with_hints(
            dlt.mark.materialize_table_schema(),
            dlt.mark.make_hints(columns=[EXTRACTED_AT_HINT]),
        )
        yield from super().load_rows(backend_kwargs)


@dlt.source(name="oee", max_table_nesting=0)
def oee_source(
    db_url: str,
    tables: Sequence[str] = OEE_TABLES,
    lag_s: float = 0.0,
    chunk_size: int = 50_000,
    extracted_at: datetime | None = None,
) -> Iterator[DltResource]:
    """The plant OEE database as dlt resources named like its tables.

    Tables with an `updated_at` column load incrementally on it; the others (lines, products,
    reason codes, shifts) are read whole every run. Every resource merges on the table's
    reflected primary key, so an event closed after it was first loaded is updated in place.
    Every row gets `_extracted_at`, the time of this run (UTC, `TIMESTAMP WITH TIME ZONE` like
    the Makini tables' `_extracted_at`; the plant's own timestamps stay naive UTC).

    Args:
        db_url: SQLAlchemy URL of the plant database (SQLite, PostgreSQL, MariaDB...).
        tables: which tables to load (default: the design's seven).
        lag_s: incremental lookback in seconds, for rows written late with an older
            `updated_at` (merge makes the overlap harmless).
        chunk_size: rows per Arrow batch.
        extracted_at: override the extraction time (tests; naive means UTC); default now.

    Returns:
        One resource per table.
    """
    engine = sa.create_engine(absolute_sqlite_url(db_url))
    metadata = reflect(engine, tables)
    stamp = utc_stamp(extracted_at or datetime.now(UTC))
    for name in tables:
        table = metadata.tables[name]
        incremental = None
        if CURSOR_COLUMN in table.columns:
            incremental = dlt.sources.incremental(CURSOR_COLUMN, lag=lag_s or None)
        resource = sql_table(
            credentials=engine,
            table=name,
            metadata=metadata,
            incremental=incremental,
            chunk_size=chunk_size,
            backend="pyarrow",
            reflection_level="full",
            type_adapter_callback=naive_timestamps,
            write_disposition="merge",
            primary_key=primary_key(table),
            table_loader_class=SchemaFirstTableLoader,
        )
        yield resource.add_map(_stamper(stamp))


def _stamper(extracted_at: datetime) -> Callable[[Any], Any]:
    """A one-argument map step (dlt passes extra positional arguments to partials)."""

    def stamp(item: Any) -> Any:
        return stamp_extracted_at(item, extracted_at, EXTRACTED_AT_COLUMN)

    return stamp
