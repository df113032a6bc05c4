"""Makini loads into PostgreSQL from concurrent runs: a dlt pipeline per connection, and one load
at a time per dataset.

Per-connection runs (the daily schedule, on several workers) load the same raw tables at once.
With one dlt pipeline for every connection, two things break:

- state: the `makini` pipeline keeps the watermarks of every connection in one state row, read
  when a run starts and written whole when it ends, so concurrent runs undo each other's
  watermarks (lost updates);
- loading: dlt's merge stages rows in `raw_makini_staging`, whose tables every load truncates
  when it starts, and creates or alters tables the first time it sees them, so two loads at once
  wipe each other's staged rows or race on the same DDL.

So each connection has its own pipeline, `makini__<connection>` (its own state row; on its first
load its watermarks are taken from the `makini` state written before this existed). Extracting
(the HTTP part) and normalizing run concurrently; the load itself (staging, merge, schema
changes and the state row, all of which dlt commits as one package) holds a PostgreSQL advisory
lock per dataset. A loader that dies ends its session, which releases the lock, and an
unfinished package is never marked loaded, so its state is never restored. A run of every
connection (`plantsync run`) loads them one after another, each in its own pipeline: scheduled
and manual runs share the same watermarks.

DuckDB and Snowflake keep the single `makini` pipeline: DuckDB has one writer, and Snowflake's
loads are kept one at a time by the `warehouse_writer` pool (see docs/deploy.md).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from pipelines.makini.tables import DATASET, PIPELINE_NAME
from settings import Connection
from settings.warehouse import WarehouseSettings
from warehouse.errors import WriterBusy

if TYPE_CHECKING:
    import dlt

    from assets.resources import MakiniResource
    from pipelines.makini.source import ExtractionReport

# The key under which the Makini source keeps its state (`sources.makini.watermarks`).
SOURCE_STATE_KEY = "makini"
_SAFE_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def connection_pipeline_name(connection_id: str) -> str:
    """`makini__<id>`; an id that is no safe folder name is replaced by its hash."""
    if _SAFE_ID.fullmatch(connection_id) and connection_id not in (".", ".."):
        return f"{PIPELINE_NAME}__{connection_id}"
    return f"{PIPELINE_NAME}__{hashlib.sha256(connection_id.encode()).hexdigest()[:16]}"


def sync_each_connection(
    location: WarehouseSettings,
    makini: MakiniResource,
    connections: Sequence[Connection],
    tables: Sequence[str],
    keys: dict[str, list[str]] | None,
    wait_s: float,
    on_wait: Callable[[str], None],
) -> ExtractionReport:
    """Load every connection through its own pipeline; failures are in the report."""
    from pipelines.destinations import warehouse_pipeline
    from pipelines.makini.source import ExtractionReport, makini_source

    report = ExtractionReport()
    if not connections:  # as with one pipeline: the raw tables exist, empty, after a first run
        with warehouse_pipeline(PIPELINE_NAME, DATASET, location) as pipeline:
            pipeline.sync_destination()  # keeps the shared state's watermarks
            pipeline.extract(makini_source(makini.base_url, [], tables=tables, report=report))
            pipeline.normalize()
            with load_lock(location, DATASET, wait_s, on_wait):
                pipeline.load()
    for connection in connections:
        name = connection_pipeline_name(connection.id)
        with warehouse_pipeline(name, DATASET, location) as pipeline:
            pipeline.sync_destination()
            adopt_shared_watermarks(pipeline, connection.id, location)
            source = makini_source(
                makini.base_url,
                [connection],
                tables=tables,
                keys=keys or None,
                lookback_s=makini.lookback_s,
                per_page=makini.per_page,
                retry=makini.retry(),
                report=report,
            )
            pipeline.extract(source, loader_file_format="parquet")
            pipeline.normalize()
            with load_lock(location, DATASET, wait_s, on_wait):
                pipeline.load()
    return report


def adopt_shared_watermarks(
    pipeline: dlt.Pipeline, connection_id: str, location: WarehouseSettings
) -> None:
    """On a connection's first load through its own pipeline, start from its watermarks in the
    shared `makini` state, so moving to per-connection pipelines refetches nothing."""
    if SOURCE_STATE_KEY in pipeline.state.get("sources", {}):
        return
    shared = shared_state(location)
    if shared is None:
        return
    watermarks = shared.get("sources", {}).get(SOURCE_STATE_KEY, {}).get("watermarks", {})
    mine = {
        table: {connection_id: by_connection[connection_id]}
        for table, by_connection in watermarks.items()
        if connection_id in by_connection
    }
    if mine:
        with pipeline.managed_state() as state:
            state.setdefault("sources", {})[SOURCE_STATE_KEY] = {"watermarks": mine}


def shared_state(location: WarehouseSettings) -> dict | None:
    """The state the shared `makini` pipeline last committed to the warehouse, or None."""
    from dlt.common.destination.exceptions import DestinationUndefinedEntity
    from dlt.pipeline.state_sync import load_pipeline_state_from_destination

    from pipelines.destinations import warehouse_pipeline

    with warehouse_pipeline(PIPELINE_NAME, DATASET, location) as pipeline:
        try:
            with pipeline.destination_client() as client:
                return load_pipeline_state_from_destination(PIPELINE_NAME, client)
        except DestinationUndefinedEntity:
            return None


def lock_key(dataset: str) -> int:
    """The advisory lock id of loads into `dataset` (a signed 64-bit integer)."""
    digest = hashlib.sha256(f"plantsync dlt load {dataset}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def load_lock(
    location: WarehouseSettings, dataset: str, wait_s: float, on_wait: Callable[[str], None]
) -> Iterator[None]:
    """Hold the load lock of `dataset` in `location` (PostgreSQL) for the block, waiting up to
    `wait_s` seconds for another load to finish."""
    import psycopg2

    key = lock_key(dataset)
    session = psycopg2.connect(
        location.postgres_url,
        application_name=f"plantsync load {dataset}",
        keepalives=1,
        keepalives_idle=30,
        keepalives_interval=10,
        keepalives_count=3,
    )
    session.autocommit = True
    try:
        with session.cursor() as cursor:
            cursor.execute("select pg_try_advisory_lock(%s)", (key,))
            if not cursor.fetchone()[0]:
                on_wait(f"waiting for another load into {dataset} to finish")
                cursor.execute("select set_config('lock_timeout', %s, false)", (f"{wait_s}s",))
                try:
                    cursor.execute("select pg_advisory_lock(%s)", (key,))
                except psycopg2.errors.LockNotAvailable:
                    raise WriterBusy(
                        f"another load into {dataset} held {location.setting()} for more than "
                        f"PLANTSYNC_WRITER_WAIT_S={wait_s:g}s"
                    ) from None
        yield
    finally:
        session.close()  # ends the session, which releases the lock
