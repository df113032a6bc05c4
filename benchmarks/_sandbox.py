"""Shared by the benchmarks: the Makini sandbox in a process of its own (so that serving does not
compete with the measured process), as `plantsync sandbox serve` runs it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def served_sandbox(prefix: str, connections: int, orders: int) -> Iterator[tuple[Path, str]]:
    """A temporary working folder and `plantsync sandbox serve` on a free port, its connections
    file in that folder; yields the folder and the sandbox's base URL, and stops it on exit."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        workdir = Path(tmp)
        process = subprocess.Popen(
            [
                sys.executable, "-m", "plantsync", "sandbox", "serve", "--port", "0",
                "--connections", str(connections), "--purchase-orders", str(orders // connections),
                "--connections-file", str(workdir / "connections.json"),
            ],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        try:
            line = process.stdout.readline()
            url = re.search(r"http://\S+", line)
            if not url:
                raise SystemExit(f"the sandbox did not start: {line!r}")
            _wait_until_serving(url.group(0), process)
            yield workdir, url.group(0)
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_until_serving(url: str, process: subprocess.Popen, timeout_s: float = 60) -> None:
    """The sandbox names its URL before its server listens: wait for it to answer."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_sandbox/health", timeout=2):
                return
        except OSError:
            if process.poll() is not None:
                raise SystemExit("the sandbox exited before it served") from None
            time.sleep(0.2)
    raise SystemExit(f"the sandbox did not answer at {url} within {timeout_s:.0f} s")


def advance(url: str, changed_fraction: float, new_orders: int = 0, step_s: int = 3600) -> dict:
    """Time passes in the sandbox: `step_s` seconds, over which `changed_fraction` of every
    connection's orders change, each at a time of its own."""
    body = {
        "changed_fraction": changed_fraction,
        "new_purchase_orders": new_orders,
        "step_s": step_s,
        "spread_changes": True,
    }
    request = urllib.request.Request(
        f"{url}/_sandbox/advance",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=600) as answer:
        return json.load(answer)


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_rss_mb: float
    output: str  # what the command printed, both streams


def measured_run(command: list[str], env: dict[str, str], cwd: Path = ROOT) -> Measured:
    """Run `command` under `/usr/bin/time -v`: wall seconds and peak RSS (MB); must succeed."""
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-v", *command], cwd=cwd, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    rss_kb = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    peak_mb = int(rss_kb.group(1)) / 1024 if rss_kb else float("nan")
    return Measured(seconds, peak_mb, done.stdout + done.stderr)


def warehouse_env(
    workdir: Path, url: str, connections: Path | None = None, *, dagster_home: bool = False
) -> dict[str, str]:
    """A run's environment: the sandbox's connections (`connections`, default the sandbox's
    file in `workdir`), a warehouse and report in `workdir`, and a Dagster home of its own there
    (telemetry off) or none."""
    env = {
        **os.environ,
        "MAKINI_BASE_URL": url,
        "MAKINI_CONNECTIONS": str(connections or workdir / "connections.json"),
        "PLANTSYNC_DUCKDB_PATH": str(workdir / "warehouse.duckdb"),
        "PLANTSYNC_REPORT_DIR": str(workdir / "report"),
        "PLANTSYNC_RUN_RETRIES": "0",
    }
    env.pop("DAGSTER_HOME", None)
    if dagster_home:
        home = workdir / "dagster_home"
        home.mkdir(parents=True)
        (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        env["DAGSTER_HOME"] = str(home)
    return env
