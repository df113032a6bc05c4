"""Startup: `plantsync --help` and a run's fixed cost before its first request, against bounds.

(a) `plantsync --help` and each `plantsync <group> --help`, wall time over `--runs` runs each,
    against the floor of any Python command (`python -c pass`, measured in the same run) and the
    goal of 0.5 s.
(b) A run's fixed cost: `plantsync run --source makini` against a sandbox served by this
    process, from process start to the sandbox's first API request (its request log's
    `received_at`), against the goal of 4 s. With Dagster's records in each place a run keeps
    them (`INSTANCES`): in memory (no `DAGSTER_HOME`, as `plantsync run` works by default), in
    a `DAGSTER_HOME` as `make demo` and `make dev` keep one (plantsync's SQLite event log,
    `assets.event_log_storage`), and in one on Dagster's default SQLite storage. Each first
    syncs once in full (a new warehouse and instance; its first request is reported as the first
    run), then runs `--run-runs` times as daily syncs find things, stopped at their first
    request.

    .venv/bin/python benchmarks/startup.py [--runs 10] [--run-runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from plantsync.cli import COMMANDS  # noqa: E402
from plantsync.demo import dev_instance  # noqa: E402
from sandbox.makini.server import SandboxServer  # noqa: E402

HELP_GOAL_S = 0.5
RUN_GOAL_S = 4.0
FIRST_REQUEST_TIMEOUT_S = 120.0
# Where a run keeps Dagster's records: -> its DAGSTER_HOME's dagster.yaml (None: no home).
INSTANCES: dict[str, Callable[[Path], str] | None] = {
    "in memory (no DAGSTER_HOME)": None,
    "in a DAGSTER_HOME as `make demo` keeps it (plantsync's SQLite event log)": dev_instance,
    "in a DAGSTER_HOME on Dagster's default SQLite storage": (
        lambda home: "telemetry:\n  enabled: false\n"
    ),
}
# Settings of the developer's shell that would point the run elsewhere.
FOREIGN_SETTINGS = ("PLANTSYNC_", "MAKINI_", "SNOWFLAKE_", "DESTINATION__", "SOURCES__")


def plantsync_command() -> list[str]:
    """The installed console script beside this interpreter, as users run it."""
    script = Path(sys.executable).with_name("plantsync")
    return [str(script)] if script.exists() else [sys.executable, "-m", "plantsync"]


def wall_times(command: list[str], runs: int, env: dict[str, str]) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return times


def isolated_env(workdir: Path, instance: Callable[[Path], str] | None) -> dict[str, str]:
    """The environment without plantsync settings, with dlt kept in `workdir`, and Dagster's
    instance too, its `dagster.yaml` made by `instance` for its home (None: in memory)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(FOREIGN_SETTINGS) and k != "DAGSTER_HOME"
    }
    env.update(
        DLT_DATA_DIR=str(workdir / "dlt"),
        DLT_PROJECT_DIR=str(workdir),
        RUNTIME__DLTHUB_TELEMETRY="false",
    )
    if instance:
        home = workdir / "dagster_home"
        home.mkdir(parents=True, exist_ok=True)
        (home / "dagster.yaml").write_text(instance(home))
        env["DAGSTER_HOME"] = str(home)
    return env


def first_request_at(base_url: str, deadline: float, process: subprocess.Popen) -> float:
    """Epoch seconds of the sandbox's first logged API request (polled until `deadline`)."""
    while time.monotonic() < deadline:
        url = f"{base_url}/_sandbox/requests?timestamps=1"
        with urllib.request.urlopen(url, timeout=10) as response:
            log = json.load(response)
        if log:
            return min(entry["received_at"] for entry in log)
        if process.poll() is not None:
            raise SystemExit(f"plantsync run exited ({process.returncode}) before any request")
        time.sleep(0.02)
    raise SystemExit(f"no request reached the sandbox within {FIRST_REQUEST_TIMEOUT_S:.0f} s")


def run_fixed_cost(sandbox: SandboxServer, env: dict[str, str], *, finish: bool) -> float:
    """Seconds from starting `plantsync run --source makini` to its first sandbox request; the
    run is then interrupted as Ctrl-C does (so that Dagster records its end and frees what it
    claimed, as the next run needs), or waited for when `finish` (and must succeed)."""
    urllib.request.urlopen(
        urllib.request.Request(f"{sandbox.base_url}/_sandbox/requests", method="DELETE"), timeout=10
    ).close()
    started = time.time()
    process = subprocess.Popen(
        [*plantsync_command(), "run", "--source", "makini"],
        cwd=env["DLT_PROJECT_DIR"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        first = first_request_at(
            sandbox.base_url, time.monotonic() + FIRST_REQUEST_TIMEOUT_S, process
        )
        if finish:
            if process.wait(timeout=FIRST_REQUEST_TIMEOUT_S) != 0:
                raise SystemExit(f"the first full run failed ({process.returncode})")
        else:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=FIRST_REQUEST_TIMEOUT_S)
    finally:
        process.kill()
        process.wait(timeout=30)
    return first - started


def fixed_costs(
    sandbox: SandboxServer, workdir: Path, runs: int, instance: Callable[[Path], str] | None
) -> tuple[float, list[float]]:
    """The first run's fixed cost into a new warehouse and instance, and `runs` daily syncs'."""
    workdir.mkdir(parents=True)
    env = {
        **isolated_env(workdir, instance),
        "MAKINI_BASE_URL": sandbox.base_url,
        "MAKINI_CONNECTIONS": sandbox.connections_json(),
        "PLANTSYNC_DESTINATION": "duckdb",
        "PLANTSYNC_DUCKDB_PATH": str(workdir / "warehouse.duckdb"),
    }
    first = run_fixed_cost(sandbox, env, finish=True)
    return first, [run_fixed_cost(sandbox, env, finish=False) for _ in range(runs)]


def spread(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.3f} s "
        f"(min {min(values):.3f}, max {max(values):.3f}, {len(values)} runs)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each --help")
    parser.add_argument("--run-runs", type=int, default=3, help="runs of `plantsync run`")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="plantsync-bench-") as tmp:
        env = isolated_env(Path(tmp), None)
        floor = wall_times([sys.executable, "-c", "pass"], args.runs, env)
        print(f"{'python -c pass':<29} {spread(floor)}  (the floor)")
        for group in ["", *sorted(COMMANDS)]:
            command = [*plantsync_command(), *([group] if group else []), "--help"]
            times = wall_times(command, args.runs, env)
            median = statistics.median(times)
            label = f"plantsync {group + ' ' if group else ''}--help"
            print(
                f"{label:<29} {spread(times)}; "
                f"ratio to floor {median / statistics.median(floor):.1f}, "
                f"to goal {median / HELP_GOAL_S:.2f} "
                f"(< {HELP_GOAL_S} s: {'ok' if median < HELP_GOAL_S else 'MISSED'})"
            )

        with SandboxServer(seed=7, connections=1, purchase_orders=200) as sandbox:
            for n, (label, instance) in enumerate(INSTANCES.items()):
                first, daily = fixed_costs(sandbox, Path(tmp) / f"run-{n}", args.run_runs, instance)
                median = statistics.median(daily)
                print(
                    f"run to first request, Dagster instance {label}:\n"
                    f"  first run {first:.3f} s; daily runs {spread(daily)}; "
                    f"ratio to goal {median / RUN_GOAL_S:.2f} "
                    f"(< {RUN_GOAL_S} s: {'ok' if median < RUN_GOAL_S else 'MISSED'})"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
