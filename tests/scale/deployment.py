"""The Celery deployment of deploy/celery on this machine: a code server, the daemon and Celery
workers as separate processes, on an instance kept in PostgreSQL. Used by the scale test and
benchmarks/scale_out.py.

Every process gets the same environment (as docs/deploy.md lists it) and runs in its own process
group: stopping sends Ctrl-C and kills what is left after 20 s; `kill_worker` kills a worker's
whole group at once, as losing its machine would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg
import yaml

from assets.executor import QUEUES

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "celery"
LOCATION = "plantsync"
STOP_WAIT_S = 20
# A run of a job that builds nothing but the report still counts as finished here.
FINISHED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dagster_home(home: Path, instance_url: str, port: int) -> dict[str, str]:
    """Write deploy/celery's instance and workspace (on `port`) into `home`; returns the
    DAGSTER_* environment that points the instance at the database of `instance_url`."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text((DEPLOY / "dagster.yaml").read_text())
    workspace = yaml.safe_load((DEPLOY / "workspace.yaml").read_text())
    workspace["load_from"][0]["grpc_server"]["port"] = port
    (home / "workspace.yaml").write_text(yaml.safe_dump(workspace))
    url = urlsplit(instance_url)
    return {
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_USERNAME": url.username or "postgres",
        "DAGSTER_PG_PASSWORD": url.password or "trust",
        "DAGSTER_PG_HOST": url.hostname or "127.0.0.1",
        "DAGSTER_PG_DB": url.path.lstrip("/"),
    }


@dataclass
class Deployment:
    """Processes of one deployment; `env` is what every one of them gets."""

    home: Path
    env: Mapping[str, str]
    port: int
    logs: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def workspace(self) -> Path:
        return self.home / "workspace.yaml"

    def _start(self, name: str, args: list[str]) -> subprocess.Popen:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=dict(self.env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def start_code_server(self) -> None:
        module = ("-m", "assets.definitions", "-d", str(ROOT), "--location-name", LOCATION)
        address = ("-h", "127.0.0.1", "-p", str(self.port))
        self._start(
            "code-server",
            [sys.executable, "-m", "dagster", "code-server", "start", *module, *address],
        )

    def start_worker(self, name: str) -> None:
        """A Celery worker of both queues, one step at a time (as docs/deploy.md starts it)."""
        options = ("-Q", ",".join(QUEUES), "--concurrency", "1", "-n", f"{name}@%h")
        quiet = ("--loglevel", "INFO", "--without-gossip", "--without-mingle")
        self._start(
            name,
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "assets.celery_worker",
                "worker",
                *options,
                *quiet,
            ],
        )

    def start_daemon(self) -> None:
        self._start(
            "daemon",
            [sys.executable, "-m", "dagster._daemon", "run", "-w", str(self.workspace)],
        )

    def dagster(self, *args: str, timeout_s: float = 120) -> subprocess.CompletedProcess:
        """A `dagster` command against this deployment's workspace."""
        return subprocess.run(
            [sys.executable, "-m", "dagster", *args, "-w", str(self.workspace)],
            cwd=ROOT,
            env=dict(self.env),
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )

    def wait_for_code_server(self, timeout_s: float = 120) -> None:
        """Until the code server answers with its code loaded."""
        from dagster._grpc.client import DagsterGrpcClient

        client = DagsterGrpcClient(port=self.port, host="127.0.0.1")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.check_alive("code-server")
            try:
                client.list_repositories()
                return
            except Exception:  # noqa: BLE001 - not serving yet
                time.sleep(0.5)
        raise AssertionError(f"code server not up in {timeout_s}s: {self.tail('code-server')}")

    def start_schedule_since(self, schedule: str, since: datetime) -> None:
        """Start `schedule` as if it had been running since `since`: the daemon then runs the
        tick it missed at once (Dagster's catch-up of a schedule whose daemon was down)."""
        from dagster._core.scheduler.instigation import InstigatorType, ScheduleInstigatorData

        started = self.dagster("schedule", "start", schedule)
        assert started.returncode == 0, started.stderr[-2000:]
        with dg.DagsterInstance.from_config(str(self.home)) as instance:
            state = next(
                s
                for s in instance.all_instigator_state(instigator_type=InstigatorType.SCHEDULE)
                if s.instigator_name == schedule
            )
            data = ScheduleInstigatorData(state.instigator_data.cron_schedule, since.timestamp())
            instance.update_instigator_state(state.with_data(data))

    def wait_for_sensor_tick(self, sensor: str, after: float, timeout_s: float = 120) -> str:
        """Until the daemon has finished a tick of `sensor` begun after `after`; its status."""
        from dagster._core.scheduler.instigation import InstigatorType, TickStatus

        deadline = time.monotonic() + timeout_s
        with dg.DagsterInstance.from_config(str(self.home)) as instance:
            while time.monotonic() < deadline:
                self.check_alive("daemon")
                for state in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR):
                    if state.instigator_name == sensor:
                        ticks = instance.get_ticks(
                            state.instigator_origin_id, state.selector_id, after=after
                        )
                        # newest first; the first tick after `after` counts once it has ended
                        if ticks and ticks[-1].status != TickStatus.STARTED:
                            return ticks[-1].status.value
                time.sleep(1)
        raise AssertionError(f"{sensor} did not tick within {timeout_s}s")

    def check_alive(self, name: str) -> None:
        process = self.processes[name]
        if process.poll() is not None:
            raise AssertionError(f"{name} exited with {process.returncode}: {self.tail(name)}")

    def tail(self, name: str, chars: int = 3000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def kill_worker(self, name: str) -> None:
        """SIGKILL the worker's whole process group (its main process and its child)."""
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        """Ctrl-C to every process group; what has not stopped in 20 s is killed."""
        running = [p for p in self.processes.values() if p.poll() is None]
        for process in running:
            os.killpg(process.pid, signal.SIGINT)
        deadline = time.monotonic() + STOP_WAIT_S
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def last_daily_tick(now: datetime | None = None) -> datetime:
    """The latest 02:00 UTC at or before `now` (the daily sync's cron)."""
    now = now or datetime.now(UTC)
    tick = now.replace(hour=2, minute=0, second=0, microsecond=0)
    return tick if tick <= now else tick - timedelta(days=1)
