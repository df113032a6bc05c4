"""The path daily syncs take: `dagster-daemon` on an instance kept in PostgreSQL evaluates a
sensor, the queued run coordinator launches the run, the multiprocess executor runs each step
in its own process, and the published warehouse holds the result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import requests
import yaml
from click.testing import CliRunner

from plantsync.run_command import run as plantsync_run
from tests.pipelines.makini.helpers import api_records
from tests.support.processes import stop_group
from webhooks.inbox import Inbox, body_sha256

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "dagster.yaml.example"
RUN_TIMEOUT_S = 300
PO = "/api/erp/purchase-orders"


def _instance_config(database: str) -> dict:
    config = yaml.safe_load(EXAMPLE.read_text())
    config["storage"]["postgres"]["postgres_db"].update(
        username="postgres", password="trust", hostname="127.0.0.1", db_name=database
    )
    return config


def _dagster(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dagster", *args, "-w", "workspace.yaml"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def _wait_for_finished_run(instance: dg.DagsterInstance, job_name: str) -> dg.DagsterRun:
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        runs = instance.get_runs(filters=dg.RunsFilter(job_name=job_name))
        if runs and runs[0].is_finished:
            return runs[0]
        time.sleep(2)
    raise AssertionError(f"no finished {job_name} run within {RUN_TIMEOUT_S}s")


def _orders(duckdb_path: Path, connection_id: str) -> dict[str, str]:
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        rows = con.execute(
            "select po_key, strftime(updated_at, '%Y-%m-%dT%H:%M:%SZ') "
            "from canonical.purchase_orders where connection_id = ?",
            [connection_id],
        ).fetchall()
    return dict(rows)


def test_daemon_launches_a_sensor_run_through_the_queue_and_the_multiprocess_executor(
    postgres_url, makini_sandbox, isolated_env, duckdb_path, monkeypatch
) -> None:
    sandbox = makini_sandbox(seed=17, connections=2, purchase_orders=40)
    home = isolated_env / "dagster_home"
    config = _instance_config(postgres_url.rsplit("/", 1)[1])
    (home / "dagster.yaml").write_text(yaml.safe_dump(config))
    inbox_url = f"sqlite:///{isolated_env / 'inbox.db'}"
    monkeypatch.setenv("PLANTSYNC_WEBHOOK_INBOX_URL", inbox_url)
    assert CliRunner().invoke(plantsync_run, ["--source", "makini"]).exit_code == 0
    conn = sandbox.connections[0]["id"]
    changed = requests.post(
        f"{sandbox.base_url}/_sandbox/advance",
        json={"changed_fraction": 0.2, "new_purchase_orders": 0, "connection_id": conn},
        timeout=30,
    ).json()[conn]["changed"]
    body = json.dumps({"event": "purchase-orders.updated", "body": changed}).encode()
    inbox = Inbox(inbox_url)
    inbox.add(conn, "purchase-orders.updated", changed, body_sha256(body))
    inbox.close()
    requests.delete(f"{sandbox.base_url}/_sandbox/requests", timeout=10)
    env = dict(os.environ)
    started = _dagster("sensor", "start", "makini_webhook_sensor", env=env)
    assert started.returncode == 0, started.stderr[-2000:]

    daemon = subprocess.Popen(
        [sys.executable, "-m", "dagster._daemon", "run", "-w", "workspace.yaml"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        with dg.DagsterInstance.get() as instance:  # DAGSTER_HOME is `home`
            run = _wait_for_finished_run(instance, "makini_refetch_job")
            events = instance.all_logs(run.run_id)
    finally:
        stop_group(daemon)

    assert run.status == dg.DagsterRunStatus.SUCCESS
    types = [e.dagster_event.event_type_value for e in events if e.dagster_event]
    assert "PIPELINE_ENQUEUED" in types or "RUN_ENQUEUED" in types
    step_pids = {
        e.dagster_event.pid
        for e in events
        if e.dagster_event and e.dagster_event.event_type_value == "STEP_START"
    }
    steps = {e.step_key for e in events if e.step_key}
    assert steps == {"makini_ingest", "models"}
    assert len(step_pids) == len(steps)  # one process per step
    api = {o["key"]: o["updatedAt"] for o in api_records(sandbox, sandbox.connections[0], PO)}
    assert _orders(duckdb_path, conn) == api
    log = requests.get(f"{sandbox.base_url}/_sandbox/requests", timeout=10).json()
    refetched = {e["path"] for e in log if e["path"].startswith(f"{PO}/")}
    assert refetched == {f"{PO}/{k}" for k in changed}
