"""`make dev` is a good citizen: its own Dagster home with a writer pool limit and no telemetry,
and SIGTERM or Ctrl-C stops the webserver, the daemon, the code server and the sandbox within
15 s, leaving nothing running."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 240
STOP_WITHIN_S = 15


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _descendants(pid: int) -> set[int]:
    """Every live process below `pid` (from /proc), whatever session it moved to."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _wait_for_ui(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, "make dev exited before serving"
        try:
            if requests.get(f"http://127.0.0.1:{port}/server_info", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise AssertionError(f"the UI did not answer on port {port} in {STARTUP_TIMEOUT_S}s")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_dev_stops_everything_it_started(tmp_path: Path, signum: int) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    process = subprocess.Popen(
        [sys.executable, "-m", "plantsync.demo", "--dev", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for_ui(port, process)
        started = _descendants(process.pid)
        instance = yaml.safe_load((tmp_path / "data" / "dagster_home" / "dagster.yaml").read_text())

        os.kill(process.pid, signum)
        process.wait(timeout=STOP_WITHIN_S + 5)
        deadline = time.monotonic() + STOP_WITHIN_S
        while _alive(started) and time.monotonic() < deadline:
            time.sleep(0.5)
        left = _alive(started)
    finally:
        for pid in _alive(_descendants(process.pid)) | (
            {process.pid} if process.poll() is None else set()
        ):
            os.kill(pid, signal.SIGKILL)

    assert len(started) >= 3  # dagster dev, its webserver, daemon and code server
    assert left == set()
    assert instance["concurrency"]["pools"]["default_limit"] == 1
    assert instance["telemetry"]["enabled"] is False
    # The UI above answered on plantsync's event log storage.
    assert instance["event_log_storage"]["class"] == "PooledSqliteEventLogStorage"
    with pytest.raises(requests.RequestException):
        requests.get(f"http://127.0.0.1:{port}/server_info", timeout=2)
