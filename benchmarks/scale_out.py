"""Connections synced per minute by the Celery deployment (deploy/celery) with 1 and 2 workers,
against the same work in one process.

The work: the daily schedule's batch, one ingest-only run per connection into a PostgreSQL
warehouse, then the one models rebuild after it. Distributed, it runs as deployed: a code
server, the daemon (which catches up the day's tick and queues the runs) and Celery workers,
each its own process, on an instance in PostgreSQL, RabbitMQ as broker, Redis as backend; the
clock runs from the first run's creation to the end of the rebuild, and includes the rebuild
sensor's interval. In process, the same runs are executed one after another by
`execute_in_process` on an instance in PostgreSQL too. Every measurement starts from an empty
warehouse and instance. The sandbox serves from its own process.

    python benchmarks/scale_out.py [--connections 20] [--orders 60] [--workers 1,2]

Needs the local PostgreSQL, RabbitMQ (and rabbitmqctl) and Redis.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import dagster as dg
import psycopg2
import requests
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.scale.deployment import ROOT, Deployment, dagster_home, free_port, last_daily_tick

ADMIN_URL = os.environ.get(
    "PLANTSYNC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672"
REDIS_URL = "redis://127.0.0.1:6379/0"
TIMEOUT_S = 1800


@dataclass
class Batch:
    what: str
    connections: int
    ingest_s: float
    total_s: float
    cpu_s: float  # every process of the batch, user + system

    @property
    def per_minute(self) -> float:
        return self.connections / self.total_s * 60

    def line(self, baseline: Batch | None) -> str:
        ratio = f" ({self.per_minute / baseline.per_minute:.2f}x in-process)" if baseline else ""
        return (
            f"{self.what:<28} {self.connections} connections in {self.total_s:6.1f} s "
            f"(ingest {self.ingest_s:6.1f} s, rebuild {self.total_s - self.ingest_s:5.1f} s): "
            f"{self.per_minute:5.1f} connections/min{ratio}, "
            f"{self.cpu_s / self.connections:4.1f} CPU-s per connection"
        )


def cpu_s(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def database() -> Iterator[str]:
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"plantsync_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'create database "{name}"'))
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()


@contextmanager
def vhost() -> Iterator[str]:
    name = f"plantsync_bench_{uuid.uuid4().hex[:10]}"
    rabbitmqctl = ["rabbitmqctl", "-q"]
    subprocess.run([*rabbitmqctl, "add_vhost", name], check=True, capture_output=True)
    subprocess.run(
        [*rabbitmqctl, "set_permissions", "-p", name, "guest", ".*", ".*", ".*"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"{RABBITMQ_URL}/{name}"
    finally:
        subprocess.run([*rabbitmqctl, "delete_vhost", name], check=False, capture_output=True)


@contextmanager
def sandbox(connections: int, orders: int, workdir: Path) -> Iterator[tuple[str, str]]:
    """The sandbox API in its own process: (base URL, connections JSON)."""
    port, connections_file = free_port(), workdir / "connections.json"
    world = ("--connections", str(connections), "--purchase-orders", str(orders), "--seed", "11")
    files = ("--port", str(port), "--connections-file", str(connections_file))
    process = subprocess.Popen(
        [sys.executable, "-m", "plantsync", "sandbox", "serve", *world, *files],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the sandbox did not start")
            try:
                if connections_file.exists():
                    requests.get(f"{base_url}/_sandbox/health", timeout=2)
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        yield base_url, connections_file.read_text()
    finally:
        process.terminate()
        process.wait()


def settings_env(warehouse_url: str, base_url: str, connections: str, state: Path) -> dict:
    return {
        "PLANTSYNC_DESTINATION": "postgres",
        "PLANTSYNC_POSTGRES_URL": warehouse_url,
        "PLANTSYNC_STATE_DIR": str(state),
        "MAKINI_BASE_URL": base_url,
        "MAKINI_CONNECTIONS": connections,
        "RUNTIME__LOG_LEVEL": "ERROR",
        "RUNTIME__DLTHUB_TELEMETRY": "false",
    }


def loaded_orders(warehouse_url: str) -> int:
    with psycopg2.connect(warehouse_url) as connection, connection.cursor() as cursor:
        cursor.execute("select count(*) from canonical.purchase_orders")
        return cursor.fetchone()[0]


def distributed(workers: int, args, base_url: str, connections: str, workdir: Path) -> Batch:
    """The batch as deployed. CPU: every process of the deployment from its start to its stop,
    with the run processes it waited for (counted once they have stopped)."""
    with database() as warehouse_url, database() as instance_url, vhost() as broker:
        cpu_before = cpu_s(resource.RUSAGE_CHILDREN)
        port = free_port()
        home = workdir / f"celery-{workers}"
        env = {
            **os.environ,
            **dagster_home(home / "dagster_home", instance_url, port),
            **settings_env(warehouse_url, base_url, connections, home / "state"),
            "PLANTSYNC_EXECUTOR": "celery",
            "PLANTSYNC_CELERY_BROKER_URL": broker,
            "PLANTSYNC_CELERY_BACKEND_URL": REDIS_URL,
        }
        os.environ.update(env)  # this process reads the same instance
        deployment = Deployment(home / "dagster_home", env, port, home / "logs")
        try:
            deployment.start_code_server()
            for n in range(workers):
                deployment.start_worker(f"worker-{n + 1}")
            deployment.wait_for_code_server()
            since = last_daily_tick() - timedelta(minutes=1)
            deployment.start_schedule_since("daily_connection_sync", since)
            deployment.start_daemon()
            with dg.DagsterInstance.from_config(str(deployment.home)) as instance:
                ingest, rebuild = wait_for_batch(instance, args.connections, deployment)
        finally:
            deployment.stop()
        cpu = cpu_s(resource.RUSAGE_CHILDREN) - cpu_before
        assert loaded_orders(warehouse_url) == args.connections * args.orders
    started = min(r.create_timestamp.timestamp() for r in ingest)
    ingest_end = max(r.end_time for r in ingest)
    return Batch(
        f"celery, {workers} worker(s)",
        args.connections,
        ingest_end - started,
        rebuild.end_time - started,
        cpu,
    )


def wait_for_batch(instance, connections: int, deployment: Deployment):
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        for name in deployment.processes:
            deployment.check_alive(name)
        ingest = instance.get_run_records(dg.RunsFilter(job_name="makini_connection_job"))
        rebuilds = instance.get_run_records(dg.RunsFilter(job_name="models_job"))
        done = [r for r in ingest if r.dagster_run.status == dg.DagsterRunStatus.SUCCESS]
        if len(done) == connections and rebuilds and rebuilds[0].dagster_run.is_finished:
            assert rebuilds[0].dagster_run.status == dg.DagsterRunStatus.SUCCESS
            return ingest, rebuilds[0]
        time.sleep(1)
    raise SystemExit(f"the batch did not finish within {TIMEOUT_S} s")


def in_process(args, base_url: str, connections: str, workdir: Path) -> Batch:
    from assets.definitions import build_definitions
    from assets.makini_ingest import makini_run_config
    from settings import parse_connections

    with database() as warehouse_url, database() as instance_url:
        home = workdir / "in-process"
        env = {
            **dagster_home(home / "dagster_home", instance_url, free_port()),
            **settings_env(warehouse_url, base_url, connections, home / "state"),
            "PLANTSYNC_EXECUTOR": "multiprocess",
        }
        os.environ.update(env)
        defs = build_definitions()
        ingest_job = defs.resolve_job_def("makini_connection_job")
        quiet = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
        with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
            cpu_before = cpu_s(resource.RUSAGE_SELF)
            started = time.monotonic()
            for connection in parse_connections(connections):
                config = {**makini_run_config([connection.id]), **quiet}
                assert ingest_job.execute_in_process(instance=instance, run_config=config).success
            ingest_end = time.monotonic()
            models = defs.resolve_job_def("models_job")
            assert models.execute_in_process(instance=instance, run_config=quiet).success
            ended = time.monotonic()
            cpu = cpu_s(resource.RUSAGE_SELF) - cpu_before
        assert loaded_orders(warehouse_url) == args.connections * args.orders
    ingest_s, total_s = ingest_end - started, ended - started
    return Batch("in-process, runs in turn", args.connections, ingest_s, total_s, cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--orders", type=int, default=60, help="purchase orders per connection")
    parser.add_argument("--workers", default="1,2", help="worker counts to measure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plantsync-scale-") as tmp:
        workdir = Path(tmp)
        with sandbox(args.connections, args.orders, workdir) as (base_url, connections):
            results = [
                distributed(int(n), args, base_url, connections, workdir)
                for n in args.workers.split(",")
            ]
            baseline = in_process(args, base_url, connections, workdir)
    print(f"{args.connections} connections × {args.orders} orders, 2 cores shared by every process")
    print(baseline.line(None))
    for batch in results:
        print(batch.line(baseline))


if __name__ == "__main__":
    main()
