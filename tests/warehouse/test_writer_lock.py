"""The DuckDB writer lock: one writer at a time across processes, a bounded wait that names
the holder, released when the holder dies."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from warehouse.errors import WriterBusy
from warehouse.writer_lock import writer_lock

HOLD = """
import sys, time
from pathlib import Path
from warehouse.writer_lock import writer_lock

with writer_lock(Path(sys.argv[1]), "run abc step makini_ingest", wait_s=5):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    print("releasing", flush=True)
"""
ROOT = Path(__file__).resolve().parents[2]


def _hold(sync_dir: Path, seconds: float) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(sync_dir), str(seconds)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "held"
    return process


def test_a_second_writer_waits_for_the_first(tmp_path: Path) -> None:
    holder = _hold(tmp_path, 1.0)
    waits: list[str] = []

    with writer_lock(tmp_path, "second", wait_s=30, on_wait=waits.append):
        # the first writer was done before the second got in
        assert holder.stdout.readline().strip() == "releasing"
    holder.wait()

    assert len(waits) == 1 and "run abc step makini_ingest" in waits[0]


def test_giving_up_names_the_holder(tmp_path: Path) -> None:
    holder = _hold(tmp_path, 30)
    try:
        busy = pytest.raises(WriterBusy, match=r"run abc step makini_ingest \(pid \d+")
        with busy, writer_lock(tmp_path, "second", wait_s=0.5):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_holder_releases_the_lock(tmp_path: Path) -> None:
    holder = _hold(tmp_path, 30)
    holder.kill()
    holder.wait()

    with writer_lock(tmp_path, "next", wait_s=2):
        pass


def test_re_entering_in_one_thread_does_not_deadlock(tmp_path: Path) -> None:
    with writer_lock(tmp_path, "outer", wait_s=1), writer_lock(tmp_path, "inner", wait_s=1):
        pass


def test_two_threads_are_serialized(tmp_path: Path) -> None:
    inside: list[int] = []
    overlap = threading.Event()

    def write(n: int) -> None:
        with writer_lock(tmp_path, f"thread {n}", wait_s=10):
            inside.append(n)
            if len(inside) > 1:
                overlap.set()
            threading.Event().wait(0.2)
            inside.remove(n)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not overlap.is_set()
