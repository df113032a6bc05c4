"""Opening the warehouse to read or to write, whatever the destination.

Readers get what analysts see: on DuckDB the published file, read-only, so they never hold a
lock a sync needs. Writers go through `writing()`: on DuckDB it takes the writer lock, opens
the sync's working database and publishes it for analysts when the block ends without error.
PostgreSQL and Snowflake take concurrent readers and writers themselves: there `writing()`
only connects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

from settings.warehouse import WarehouseSettings
from warehouse.connections import Warehouse, connect, connect_settings
from warehouse.errors import WarehouseFileError
from warehouse.publish import check_duckdb_file, publish, seed_work_from_published
from warehouse.reboot_guard import unsynced_session
from warehouse.writer_lock import writer_lock


def check_location(warehouse: WarehouseSettings) -> None:
    """Fail at once, naming the setting, when the DuckDB file or its folder cannot work."""
    if warehouse.is_duckdb:
        check_duckdb_file(warehouse.duckdb_path, warehouse.setting())
        check_duckdb_file(warehouse.work_path, f"{warehouse.setting()} (working copy)")


def open_reader(warehouse: WarehouseSettings) -> Warehouse:
    """A connection that reads what analysts read; never creates a DuckDB file."""
    if not warehouse.is_duckdb:
        return connect_settings(warehouse)
    check_duckdb_file(warehouse.duckdb_path, warehouse.setting())
    if not warehouse.duckdb_path.is_file():
        raise WarehouseFileError(
            f"{warehouse.setting()}: no warehouse there yet (`plantsync run` creates it)"
        )
    return connect(
        "duckdb",
        duckdb_path=warehouse.duckdb_path,
        read_only=True,
        duckdb_config=warehouse.duckdb_config(),
    )


class Writer:
    """The open writing session of `writing()`."""

    def __init__(self, warehouse: WarehouseSettings) -> None:
        self.warehouse = warehouse
        self.published_s: float | None = None

    def connect(self) -> Warehouse:
        """A connection to what the sync writes (close it before the session ends)."""
        return connect_settings(self.warehouse)

    def publish(self) -> float | None:
        """Publish the DuckDB working database now; seconds taken (None elsewhere)."""
        if self.warehouse.is_duckdb:
            self.published_s = publish(
                self.warehouse.work_path,
                self.warehouse.duckdb_path,
                duckdb_config=self.warehouse.duckdb_config(),
            )
        return self.published_s


@contextmanager
def writing(
    warehouse: WarehouseSettings,
    holder: str,
    *,
    wait_s: float,
    publish_at_end: bool = True,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[Writer]:
    """Write `warehouse` as `holder` (named to other writers that have to wait).

    On DuckDB: waits up to `wait_s` for the writer lock, starts the working database from the
    published file when it has none or when a reboot cut its last session short (commits skip
    the fsync: `warehouse.reboot_guard`), and publishes when the block ends without error
    (unless `publish_at_end` is false: the caller then decides).
    """
    check_location(warehouse)
    if not warehouse.is_duckdb:
        yield Writer(warehouse)
        return
    with (
        writer_lock(warehouse.sync_dir, holder, wait_s, on_wait),
        unsynced_session(warehouse.work_path) as unsynced,
    ):
        seed_work_from_published(warehouse.work_path, warehouse.duckdb_path)
        writer = Writer(replace(warehouse, fsync_commits=not unsynced))
        yield writer
        if publish_at_end:
            writer.publish()
