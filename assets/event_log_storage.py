"""Dagster's SQLite event log with its databases' connections kept open between events.

Dagster's own `SqliteEventLogStorage` makes a new SQLAlchemy engine and SQLite connection for
every event it reads or writes and closes both after it; the close of a database's last
connection folds the write-ahead log into the database file and deletes it. A run writes a few
hundred events (before its first step alone, one per asset and check it plans), each over up to
three connections (the run's database and the cross-run index): seconds of every run on a disk
that syncs slowly.

This storage keeps one engine per database: the index and the most recently used runs'. Files,
schema, journal mode and durability (every commit synced) are Dagster's, so a `DAGSTER_HOME` can
switch to it and back. After each transaction on a run's database, the log is folded into the
database file as a closing connection did: Dagster's UI follows a running run by watching that
file. Configured in `$DAGSTER_HOME/dagster.yaml` by the block `settings_for(home)` gives.
"""

from __future__ import annotations

import json
import os
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine

# Run databases kept open besides the index: a run worker writes one; the UI reads recent runs.
OPEN_RUN_DATABASES = 8

_storages: weakref.WeakSet[PooledSqliteEventLogStorage] = weakref.WeakSet()


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` with one engine, and so one open connection, per database."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        # Least recently used first; the index shard is never closed while the storage lives.
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir, inst_data)
        _storages.add(self)

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: dict
    ) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # As Dagster's own: one connection of this storage in use at a time, in a transaction.
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as connection:
                with connection.begin():
                    yield connection
                if shard != INDEX_SHARD_NAME:
                    connection.exec_driver_sql("pragma wal_checkpoint(passive)")

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is None:
            engine = sqlalchemy.create_engine(
                self.conn_string_for_shard(shard),
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            self._engines[shard] = engine
            runs = [s for s in self._engines if s != INDEX_SHARD_NAME]
            for oldest in runs[: max(0, len(runs) - OPEN_RUN_DATABASES)]:
                self._engines.pop(oldest).dispose()
        self._engines.move_to_end(shard)
        return engine

    def _close_engines(self, *, keep_index: bool) -> None:
        with self._db_lock:
            for shard in [s for s in self._engines if not (keep_index and s == INDEX_SHARD_NAME)]:
                self._engines.pop(shard).dispose()

    def wipe(self) -> None:
        # Dagster's wipe deletes the run databases' files: nothing may hold them open.
        self._close_engines(keep_index=True)
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        self._close_engines(keep_index=False)


def _forget_parent_connections() -> None:
    """A forked process (a Celery worker, a step process) must not use its parent's SQLite
    connections: it drops them unclosed, as SQLAlchemy prescribes, and opens its own."""
    for storage in list(_storages):
        for engine in storage._engines.values():
            engine.dispose(close=False)
        storage._engines.clear()


os.register_at_fork(after_in_child=_forget_parent_connections)


def settings_for(home: Path) -> str:
    """The `dagster.yaml` block that puts the event log of the instance in `home` (absolute)
    on this storage, where Dagster's default keeps it."""
    base_dir = json.dumps(str(home / "history" / "runs"))
    return (
        "event_log_storage:\n"
        f"  module: {__name__}\n"
        f"  class: {PooledSqliteEventLogStorage.__name__}\n"
        f"  config:\n    base_dir: {base_dir}\n"
    )
