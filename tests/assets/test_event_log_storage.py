"""plantsync's SQLite event log: Dagster's files, read and written over connections kept open."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log import SqliteEventLogStorage

from assets.event_log_storage import OPEN_RUN_DATABASES, PooledSqliteEventLogStorage
from plantsync.demo import dev_instance

WRITES = 100


@dg.asset(check_specs=[dg.AssetCheckSpec("positive", asset="reading")])
def reading() -> dg.MaterializeResult:
    return dg.MaterializeResult(
        metadata={"value": 7}, check_results=[dg.AssetCheckResult(passed=True)]
    )


@pytest.fixture
def home(isolated_env: Path) -> Path:
    """A DAGSTER_HOME with the demo's instance settings (this storage for the event log)."""
    home = isolated_env / "dagster_home"
    (home / "dagster.yaml").write_text(dev_instance(home))
    return home


def _message(run_id: str, text: str) -> EventLogEntry:
    return EventLogEntry(
        error_info=None, level="INFO", user_message=text, run_id=run_id, timestamp=time.time()
    )


def _messages(storage: SqliteEventLogStorage, run_id: str) -> list[str]:
    return [r.event_log_entry.user_message for r in storage.get_records_for_run(run_id).records]


def _open_databases(folder: Path) -> set[str]:
    """The SQLite databases in `folder` that this process holds open."""
    fds = Path("/proc/self/fd")
    targets = {os.path.realpath(fds / fd) for fd in os.listdir(fds)}
    return {Path(t).name for t in targets if Path(t).parent == folder and t.endswith(".db")}


def test_the_demo_instance_records_runs_that_dagsters_own_storage_reads(home: Path) -> None:
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        result = dg.materialize([reading], instance=instance)
        assert result.success

    # The same files through Dagster's default storage, as after switching back.
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    with dg.DagsterInstance.get() as instance:
        assert type(instance.event_log_storage) is SqliteEventLogStorage
        materialization = instance.get_latest_materialization_event(dg.AssetKey("reading"))
        assert materialization.run_id == result.run_id
        assert materialization.asset_materialization.metadata["value"].value == 7
        check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(dg.AssetKey("reading"), "positive")]
        )
        assert check[dg.AssetCheckKey(dg.AssetKey("reading"), "positive")].run_id == result.run_id
        assert instance.get_run_by_id(result.run_id).status == dg.DagsterRunStatus.SUCCESS


def test_at_most_the_index_and_the_latest_runs_databases_stay_open(tmp_path: Path) -> None:
    storage = PooledSqliteEventLogStorage(str(tmp_path / "runs"))
    try:
        run_ids = [f"run-{n:02d}" for n in range(OPEN_RUN_DATABASES + 4)]
        for run_id in run_ids:
            storage.store_event(_message(run_id, f"hello {run_id}"))
        latest = {f"{r}.db" for r in run_ids[-OPEN_RUN_DATABASES:]}
        assert _open_databases(tmp_path / "runs") == latest | {"index.db"}
        # A run whose database was closed is reopened on its next event; nothing was lost.
        storage.store_event(_message(run_ids[0], "again"))
        assert _messages(storage, run_ids[0]) == ["hello run-00", "again"]
    finally:
        storage.dispose()
    assert _open_databases(tmp_path / "runs") == set()


def test_another_process_watching_a_run_sees_each_event_as_it_is_written(tmp_path: Path) -> None:
    """Dagster's UI follows a running run by watching its database file: every transaction
    must reach that file while the writer's connection stays open."""
    writer = PooledSqliteEventLogStorage(str(tmp_path / "runs"))
    watcher = SqliteEventLogStorage(str(tmp_path / "runs"))
    seen: list[str] = []
    arrived = threading.Event()

    def callback(entry: EventLogEntry, _cursor: str) -> None:
        seen.append(entry.user_message)
        arrived.set()

    try:
        writer.store_event(_message("r1", "first"))
        watcher.watch("r1", None, callback)
        for text in ("second", "third"):
            arrived.clear()
            writer.store_event(_message("r1", text))
            assert arrived.wait(timeout=10), f"the watcher never saw {text!r}; it saw {seen}"
        assert seen[-1] == "third"
        assert "second" in seen
    finally:
        watcher.end_watch("r1", callback)
        watcher.dispose()
        writer.dispose()


def test_wipe_removes_run_databases_that_were_open(tmp_path: Path) -> None:
    storage = PooledSqliteEventLogStorage(str(tmp_path / "runs"))
    try:
        storage.store_event(_message("r1", "before"))
        storage.wipe()
        assert not (tmp_path / "runs" / "r1.db").exists()
        storage.store_event(_message("r1", "after"))
        # Written to the new file, not to the unlinked one a kept connection would still hold.
        assert _messages(SqliteEventLogStorage(str(tmp_path / "runs")), "r1") == ["after"]
    finally:
        storage.dispose()


def _store_in_child(storage: PooledSqliteEventLogStorage) -> None:
    for n in range(WRITES):
        storage.store_event(_message("r1", f"child {n}"))
    storage.dispose()  # as a worker process does when it ends


def test_a_forked_process_and_its_parent_write_side_by_side(tmp_path: Path) -> None:
    """A Celery worker or step process forked from a process with open connections writes
    the same run's database at the same time as its parent; neither loses an event."""
    storage = PooledSqliteEventLogStorage(str(tmp_path / "runs"))
    try:
        storage.store_event(_message("r1", "parent first"))
        child = multiprocessing.get_context("fork").Process(target=_store_in_child, args=(storage,))
        child.start()
        for n in range(WRITES):
            storage.store_event(_message("r1", f"parent {n}"))
        child.join(timeout=60)
        assert child.exitcode == 0
        storage.store_event(_message("r1", "parent last"))
        messages = _messages(storage, "r1")
        assert [m for m in messages if m.startswith("child")] == [
            f"child {n}" for n in range(WRITES)
        ]
        assert [m for m in messages if m.startswith("parent")] == [
            "parent first",
            *(f"parent {n}" for n in range(WRITES)),
            "parent last",
        ]
    finally:
        storage.dispose()
