"""Publishing the working DuckDB database for analysts: atomic, crash-safe, no reader locks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from warehouse.errors import WarehouseFileError
from warehouse.publish import (
    COPY_CHUNK_BYTES,
    DIRECT_ALIGNMENT,
    STAGES,
    check_duckdb_file,
    copy_around_page_cache,
    publish,
)

ROOT = Path(__file__).resolve().parents[2]


def _work(path: Path, version: int, rows: int = 1000) -> None:
    """A working database whose two tables agree on `version` (a consistent state)."""
    with duckdb.connect(str(path)) as con:
        con.execute(
            f"create or replace table orders as select range as id, {version} as version "
            f"from range({rows * version})"
        )
        con.execute(
            f"create or replace table summary as select {version} as version, "
            f"{rows * version} as orders"
        )


def _read(path: Path) -> tuple[int, int, int]:
    """(version, orders counted, orders the summary says), in a fresh process: DuckDB hands a
    process that still has the file open its old copy, which is what readers should get."""
    code = textwrap.dedent(
        f"""
        import duckdb
        with duckdb.connect({str(path)!r}, read_only=True) as con:
            print(*con.execute(
                "select (select version from summary), (select count(*) from orders), "
                "(select orders from summary)").fetchone())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    version, counted, said = map(int, out.stdout.split())
    return version, counted, said


@pytest.fixture
def paths(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "sync" / "work.duckdb", tmp_path / "warehouse.duckdb"


def test_reader_keeps_its_snapshot_and_a_new_connection_sees_the_new_one(paths) -> None:
    work, published = paths
    work.parent.mkdir()
    _work(work, 1)
    publish(work, published)
    reader = duckdb.connect(str(published), read_only=True)

    _work(work, 2)
    publish(work, published)

    assert reader.execute("select version, count(*) from orders group by 1").fetchall() == [
        (1, 1000)
    ]
    reader.close()
    assert _read(published) == (2, 2000, 2000)


def test_a_reader_that_opened_the_file_read_write_does_not_block_publishing(paths) -> None:
    work, published = paths
    work.parent.mkdir()
    _work(work, 1)
    publish(work, published)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time\ncon = duckdb.connect({str(published)!r})\n"
            "con.execute('create table mine as select 1')\nprint('open', flush=True)\n"
            "time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        _work(work, 2)
        publish(work, published)
        assert _read(published) == (2, 2000, 2000)
    finally:
        holder.kill()
        holder.wait()


def test_stale_write_ahead_log_beside_the_published_file_is_removed(paths) -> None:
    work, published = paths
    work.parent.mkdir()
    _work(work, 1)
    publish(work, published)
    published.with_name(published.name + ".wal").write_bytes(b"left by a crashed writer")

    publish(work, published)

    assert not published.with_name(published.name + ".wal").exists()
    assert _read(published) == (1, 1000, 1000)


_PUBLISH_AND_STALL = """
import sys, time
from pathlib import Path
from warehouse.publish import publish

def stall(stage):
    if stage == sys.argv[3]:
        print(stage, flush=True)
        time.sleep(60)

publish(Path(sys.argv[1]), Path(sys.argv[2]), on_stage=stall)
print("done", flush=True)
"""


@pytest.mark.parametrize("stage", STAGES)
def test_kill_9_at_any_stage_leaves_a_whole_warehouse_and_the_next_publish_works(
    paths, stage: str
) -> None:
    work, published = paths
    work.parent.mkdir()
    _work(work, 1, rows=50_000)
    publish(work, published)
    _work(work, 2, rows=50_000)
    process = subprocess.Popen(
        [sys.executable, "-c", _PUBLISH_AND_STALL, str(work), str(published), stage],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == stage
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)

    # Before the rename the old file is whole, after it the new one.
    after_rename = STAGES.index(stage) > STAGES.index("rename")
    expected = (2, 100_000, 100_000) if after_rename else (1, 50_000, 50_000)
    assert _read(published) == expected
    publish(work, published)
    assert _read(published) == (2, 100_000, 100_000)
    assert [p.name for p in published.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_random_bytes_are_refused_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    path.write_bytes(os.urandom(4096))

    with pytest.raises(WarehouseFileError, match=r"PLANTSYNC_DUCKDB_PATH=.*not a DuckDB database"):
        check_duckdb_file(path, f"PLANTSYNC_DUCKDB_PATH={path}")


def test_a_path_under_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    path = tmp_path / "file" / "warehouse.duckdb"

    with pytest.raises(WarehouseFileError, match="is a file, not a directory"):
        check_duckdb_file(path, f"PLANTSYNC_DUCKDB_PATH={path}")


def test_publish_reports_how_long_it_took(paths) -> None:
    work, published = paths
    work.parent.mkdir()
    _work(work, 1)
    started = time.perf_counter()
    seconds = publish(work, published)
    assert 0 < seconds <= time.perf_counter() - started


@pytest.mark.parametrize(
    "size",
    [0, 1, DIRECT_ALIGNMENT - 1, DIRECT_ALIGNMENT, 3 * COPY_CHUNK_BYTES + 12_345],
    ids=["empty", "one byte", "short of a block", "one block", "chunks and a tail"],
)
def test_the_copy_is_the_file_byte_for_byte_whatever_its_size(tmp_path: Path, size: int) -> None:
    # writes around the page cache go in whole blocks: the tail is padded, then cut back
    source, target = tmp_path / "work.duckdb", tmp_path / "copy.tmp"
    source.write_bytes(os.urandom(size))
    copy_around_page_cache(source, target)
    assert target.read_bytes() == source.read_bytes()
