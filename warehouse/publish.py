"""The analysts' DuckDB file: a consistent copy of the sync's working database, published
atomically.

DuckDB lets one process write a file or many read it, never both. So the sync writes its own
working database and, at the end of each run, publishes it: checkpoint, copy to a temporary file
beside the analysts' file, fsync, check that the copy opens, then `rename` over the analysts'
file. A rename swaps the directory entry in one step: readers that have the old file open keep
reading the old snapshot until they reconnect (their file handle still points at it), new
connections open the new one, and nobody's lock is in the way. A crash at any point leaves
either the old or the new file in place, whole; a leftover temporary file is removed by the next
publish.

The copy is written around the page cache where the filesystem allows it (`O_DIRECT`): the
sync never reads it back, and through the page cache the kernel would first have to find memory
for every page of a large warehouse, then write them all back at the fsync.
"""

from __future__ import annotations

import errno
import mmap
import os
import shutil
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from settings.warehouse import open_duckdb
from warehouse.errors import WarehouseFileError
from warehouse.reboot_guard import fsync, wal_of

# Bytes 8-11 of every DuckDB database file.
DUCKDB_MAGIC = b"DUCK"
TMP_INFIX = ".publish-"
STAGES = ("checkpoint", "copy", "fsync", "verify", "rename", "done")
# O_DIRECT wants buffers, offsets and lengths aligned to the device's block size: 4 KiB covers
# the common ones, and a chunk of whole pages keeps every offset aligned.
DIRECT_ALIGNMENT = 4096
COPY_CHUNK_BYTES = 8 << 20
StageCallback = Callable[[str], None]


def is_duckdb_file(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(12)[8:12] == DUCKDB_MAGIC


def check_duckdb_file(path: Path, setting: str) -> None:
    """Fail with the setting and the cause when `path` can never be a DuckDB database here:
    a folder in its place, a parent that is a file, or a file that is not DuckDB's."""
    if path.is_dir():
        raise WarehouseFileError(f"{setting}: is a directory, not a DuckDB file")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise WarehouseFileError(f"{setting}: {parent} is a file, not a directory")
            break
    if path.is_file() and path.stat().st_size > 0 and not is_duckdb_file(path):
        raise WarehouseFileError(
            f"{setting}: {path} exists but is not a DuckDB database; "
            "plantsync will not overwrite it (move it away or choose another path)"
        )


def publish(
    work: Path,
    published: Path,
    on_stage: StageCallback | None = None,
    duckdb_config: Mapping[str, str] | None = None,
) -> float:
    """Publish the working database `work` as `published`; returns the seconds it took.

    The caller holds the writer lock, so no one writes `work` meanwhile and any temporary file
    beside `published` is a leftover of a crashed publish. `on_stage` is called as each stage
    begins (for tests that interrupt a publish); `duckdb_config` bounds both connections.
    """
    started = time.perf_counter()
    stage = on_stage or (lambda _stage: None)
    remove_leftovers(published)
    stage("checkpoint")
    with open_duckdb(work, config=duckdb_config) as connection:
        connection.execute("checkpoint")
    tmp = published.with_name(f".{published.name}{TMP_INFIX}{os.getpid()}.tmp")
    try:
        stage("copy")
        copy_around_page_cache(work, tmp)
        stage("fsync")
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        stage("verify")
        with open_duckdb(tmp, read_only=True, config=duckdb_config) as copy:
            copy.execute("select count(*) from information_schema.tables").fetchone()
        stage("rename")
        os.replace(tmp, published)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync(published.parent)
    # A write-ahead log left by someone who opened the old file read-write belongs to the old
    # file: DuckDB refuses to open the new one beside it ("WAL does not match database file").
    wal_of(published).unlink(missing_ok=True)
    stage("done")
    return time.perf_counter() - started


def copy_around_page_cache(source: Path, target: Path) -> None:
    """Copy `source` to a new file `target`, writing with `O_DIRECT` (no page cache) where the
    platform and filesystem allow it, else as `shutil.copyfile` does."""
    if hasattr(os, "O_DIRECT"):
        try:
            _copy_direct(source, target)
            return
        except OSError as exc:
            if exc.errno != errno.EINVAL:
                raise
    # no O_DIRECT on this platform (macOS) or filesystem (some FUSE mounts, older tmpfs);
    # copyfile truncates whatever a refused direct write left
    shutil.copyfile(source, target)


def _copy_direct(source: Path, target: Path) -> None:
    out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_DIRECT, 0o644)
    try:
        with source.open("rb") as reader, mmap.mmap(-1, COPY_CHUNK_BYTES) as buffer:
            copied = _copy_chunks(reader.fileno(), out, buffer)
        os.ftruncate(out, copied)  # the last chunk was padded to a whole block
    finally:
        os.close(out)


def _copy_chunks(reader: int, out: int, buffer: mmap.mmap) -> int:
    """Copy through the page-aligned `buffer`; returns the bytes read (the source's size)."""
    offset = 0
    while True:
        read = os.preadv(reader, [buffer], offset)
        if read == 0:
            return offset
        padded = -(-read // DIRECT_ALIGNMENT) * DIRECT_ALIGNMENT
        view = memoryview(buffer)[:padded]
        written = 0
        while written < padded:
            written += os.pwritev(out, [view[written:]], offset + written)
        view.release()
        offset += read


def remove_leftovers(published: Path) -> None:
    """Delete temporary files of interrupted publishes of `published`."""
    for leftover in published.parent.glob(f".{published.name}{TMP_INFIX}*.tmp"):
        leftover.unlink(missing_ok=True)


def seed_work_from_published(work: Path, published: Path) -> bool:
    """Start a missing working database from the published file (an upgrade from a layout
    without one, or a deleted sync folder): its raw data and sync state are consistent."""
    if work.exists() or not published.is_file() or published.stat().st_size == 0:
        return False
    work.parent.mkdir(parents=True, exist_ok=True)
    tmp = work.with_name(work.name + ".seed.tmp")
    shutil.copyfile(published, tmp)
    os.replace(tmp, work)
    return True
