"""The sync's working DuckDB database is written without waiting for the disk at every commit;
a reboot in the middle of a writing session discards it.

By default DuckDB waits at every commit until the disk holds its write-ahead log (an fsync). A
run commits dozens of times (every model, every load, every bookkeeping row), and on a busy or
virtual disk each wait takes from a millisecond to most of a second. Analysts never open the
working database: they read the published copy, which the publish writes and fsyncs itself. So
the working database has two things to survive:

- the process dying (a crash, a kill, a lost worker): what it wrote is in the kernel's page
  cache, which reaches the disk whether or not anyone waited for it;
- the machine going down: writes nobody waited for may be lost, in any order, and the file torn.

The boot tells them apart. A writing session records the current boot's id in a marker beside
the working database, durably, before it writes anything; at its end, failed or not, it makes
the working files durable and removes the marker. A marker from another boot means the machine
went down mid-session: the working database is discarded and started again from the published
file, whose data and sync state (watermarks) were published together, so the next run fetches
again whatever the lost session had loaded.

Where the boot cannot be identified (no `/proc/sys/kernel/random/boot_id`: not Linux), every
commit waits for the disk as before.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
MARKER_SUFFIX = ".writing"

logger = logging.getLogger("plantsync")


def boot_id() -> str | None:
    """This boot's id, or None where the system does not say."""
    try:
        return BOOT_ID.read_text().strip() or None
    except OSError:
        return None


def wal_of(work: Path) -> Path:
    """DuckDB's write-ahead log of the database file `work`."""
    return work.with_name(work.name + ".wal")


@contextmanager
def unsynced_session(work: Path) -> Iterator[bool]:
    """Hold a writing session of the working database `work` (under the writer lock); yields
    whether its commits may skip the fsync: False where the boot cannot be identified."""
    boot = boot_id()
    if boot is None:
        yield False
        return
    marker = work.with_name(work.name + MARKER_SUFFIX)
    left_by = _boot_of(marker)
    if left_by is not None and left_by != boot:
        _discard(work)
    _write_durably(marker, boot)
    try:
        yield True
    finally:
        for path in (work, wal_of(work)):
            fsync(path)
        marker.unlink(missing_ok=True)


def _boot_of(marker: Path) -> str | None:
    try:
        return marker.read_text().strip()
    except FileNotFoundError:
        return None


def _discard(work: Path) -> None:
    """The machine went down while a session wrote `work`: it may be torn, so it goes."""
    if work.exists():
        logger.warning(
            "%s: the machine went down while a sync was writing it; starting it again from "
            "the published warehouse (the next run fetches again what that sync had loaded)",
            work,
        )
    for path in (work, wal_of(work)):
        path.unlink(missing_ok=True)


def _write_durably(marker: Path, boot: str) -> None:
    marker.parent.mkdir(parents=True, exist_ok=True)
    partial = marker.with_name(marker.name + ".partial")
    with partial.open("w") as handle:
        handle.write(boot)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(marker)
    fsync(marker.parent)


def fsync(path: Path) -> None:
    """Wait until the disk holds `path` (a file or a folder); nothing to do if it is gone."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
