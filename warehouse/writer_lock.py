"""One writer at a time per DuckDB warehouse, across processes, waiting with backoff.

An advisory `flock` on `<sync folder>/writer.lock`. The holder writes who it is into the file,
so a writer that gives up can say whom it waited for. The kernel drops the lock when its holder
dies, so a killed run never leaves the warehouse locked. Re-entrant within a thread: a step
that takes the lock may call code that takes it again.
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from warehouse.errors import WriterBusy

LOCK_FILE = "writer.lock"
_held: dict[tuple[Path, int], int] = {}
_held_lock = threading.Lock()


@contextmanager
def writer_lock(
    sync_dir: Path,
    holder: str,
    wait_s: float,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the writer lock of the warehouse whose sync folder is `sync_dir`.

    Waits up to `wait_s` seconds (backoff from 0.05 s doubling to 5 s, with jitter), telling
    `on_wait` once whom it waits for; then raises `WriterBusy` naming the holder.
    """
    path = (Path(sync_dir) / LOCK_FILE).resolve()
    key = (path, threading.get_ident())
    with _held_lock:
        if key in _held:
            _held[key] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _held_lock:
                _held[key] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, wait_s, on_wait)
        _write_holder(fd, holder)
        with _held_lock:
            _held[key] = 1
        try:
            yield
        finally:
            with _held_lock:
                del _held[key]
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def current_holder(sync_dir: Path) -> str:
    """Who holds (or last held) the lock, as its holder wrote it."""
    try:
        info = json.loads((Path(sync_dir) / LOCK_FILE).read_text() or "{}")
    except (OSError, ValueError):
        return "an unknown process"
    if not info:
        return "an unknown process"
    return (
        f"{info.get('holder', '?')} (pid {info.get('pid')} on {info.get('host')}, "
        f"since {info.get('since')})"
    )


def _acquire(fd: int, path: Path, wait_s: float, on_wait: Callable[[str], None] | None) -> None:
    deadline = time.monotonic() + wait_s
    delay = 0.05
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = current_holder(path.parent)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise WriterBusy(
                f"the warehouse is being written by {holder}; gave up after waiting "
                f"{wait_s:.0f}s (PLANTSYNC_WRITER_WAIT_S)"
            )
        if on_wait is not None and not told:
            on_wait(f"waiting for the warehouse writer lock held by {holder}")
            told = True
        time.sleep(min(remaining, delay * random.uniform(0.5, 1.0)))
        delay = min(delay * 2, 5.0)


def _write_holder(fd: int, holder: str) -> None:
    info = {
        "holder": holder,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(info).encode(), 0)
