"""Many connections synced by Celery workers through Dagster, for real: a code server, the daemon
and two Celery workers (deploy/celery, each its own process) on an instance in PostgreSQL, with
RabbitMQ as broker, Redis as result backend and a PostgreSQL warehouse.

The daily schedule's tick queues one ingest-only run per connection (20); the daemon launches
them through the queue, the celery executor sends each step to a worker. One connection is down
for the whole batch; one worker is SIGKILLed while it runs a step. Then:

- the killed step ran again on the other worker and its run succeeded;
- every healthy connection's raw and canonical rows equal the API's, and its own dlt state holds
  its latest watermark (no lost update, no load wiping another's staged rows);
- the down connection failed only its own runs (retried by the daemon) and is logged as failed;
- the models were rebuilt exactly once, after the last ingest run had finished.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta

import dagster as dg
import psycopg2
import pytest
import requests
from dlt.pipeline.state_sync import decompress_state

from assets.connection_loads import connection_pipeline_name
from assets.rebuild import REBUILD_SENSOR
from assets.tags import CONNECTION_TAG
from tests.pipelines.makini.helpers import api_records
from tests.scale.deployment import Deployment, dagster_home, free_port, last_daily_tick

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.postgres,
    pytest.mark.rabbitmq,
    pytest.mark.timeout(900),
]
CONNECTIONS = 20
ORDERS = 30
DOWN = "conn-1"
SLOW = "conn-8"
BATCH_TIMEOUT_S = 420
PO = "/api/erp/purchase-orders"
INGEST_JOB = "makini_connection_job"
MODELS_JOB = "models_job"
# Long enough for a step to be caught running: each request of the slow connection waits this.
SLOW_DELAY_S = 0.4


@pytest.fixture
def deployment(
    tmp_path, postgres_url, instance_postgres_url, rabbitmq, redis_url, makini_sandbox, monkeypatch
):
    sandbox = makini_sandbox(seed=23, connections=CONNECTIONS, purchase_orders=ORDERS)
    port = free_port()
    env = dagster_home(tmp_path / "dagster_home", instance_postgres_url, port)
    env.update(
        PLANTSYNC_DESTINATION="postgres",
        PLANTSYNC_POSTGRES_URL=postgres_url,
        PLANTSYNC_STATE_DIR=str(tmp_path / "state"),
        PLANTSYNC_EXECUTOR="celery",
        PLANTSYNC_CELERY_BROKER_URL=rabbitmq,
        PLANTSYNC_CELERY_BACKEND_URL=redis_url,
        PLANTSYNC_STEP_RETRIES="0",
        PLANTSYNC_HTTP_MAX_ATTEMPTS="2",
    )
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    deployment = Deployment(tmp_path / "dagster_home", dict(os.environ), port, tmp_path / "logs")
    try:
        yield deployment, sandbox
    finally:
        deployment.stop()


def _fault(sandbox, connection_id: str, kind: str, **options) -> None:
    response = requests.post(
        f"{sandbox.base_url}/_sandbox/faults",
        json={"connection_id": connection_id, "kind": kind, **options},
        timeout=10,
    )
    assert response.status_code < 300, response.text


def _runs(instance: dg.DagsterInstance, job: str) -> list[dg.DagsterRun]:
    return list(instance.get_runs(filters=dg.RunsFilter(job_name=job)))


def _steps_on_workers(instance, run_id: str) -> list[str]:
    """The Celery worker of each attempt of the run's ingest step, in order."""
    workers = []
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        data = entry.dagster_event.engine_event_data
        worker = data.metadata.get("Celery worker") if data and data.metadata else None
        if worker is not None:
            workers.append(worker.value.split("@")[0])
    return workers


def _run_of(instance, connection_id: str) -> dg.DagsterRun | None:
    runs = instance.get_runs(
        filters=dg.RunsFilter(job_name=INGEST_JOB, tags={CONNECTION_TAG: connection_id})
    )
    return runs[-1] if runs else None


def _wait_for_workers(instance, connection_id: str, count: int) -> list[str]:
    """Until the connection's first ingest run has had its step on `count` workers."""
    deadline = time.monotonic() + BATCH_TIMEOUT_S
    while time.monotonic() < deadline:
        run = _run_of(instance, connection_id)
        workers = _steps_on_workers(instance, run.run_id) if run else []
        if len(workers) >= count:
            return workers
        time.sleep(0.5)
    raise AssertionError(f"{connection_id}'s step did not start on {count} worker(s)")


def _wait_for_rebuild(instance) -> dg.DagsterRun:
    deadline = time.monotonic() + BATCH_TIMEOUT_S
    while time.monotonic() < deadline:
        rebuilds = _runs(instance, MODELS_JOB)
        if rebuilds and all(r.is_finished for r in rebuilds):
            return rebuilds[0]
        time.sleep(2)
    raise AssertionError(f"no finished {MODELS_JOB} run within {BATCH_TIMEOUT_S}s")


def _query(url: str, sql: str, *params) -> list[tuple]:
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_twenty_connections_on_two_celery_workers_with_one_killed(deployment, postgres_url):
    deployment, sandbox = deployment
    _fault(sandbox, DOWN, "outage")
    _fault(sandbox, SLOW, "slow", delay_s=SLOW_DELAY_S)
    started = time.monotonic()
    deployment.start_code_server()
    deployment.start_worker("worker-a")
    deployment.start_worker("worker-b")
    deployment.wait_for_code_server()
    deployment.start_schedule_since(
        "daily_connection_sync", last_daily_tick() - timedelta(minutes=1)
    )
    deployment.start_daemon()

    with dg.DagsterInstance.from_config(str(deployment.home)) as instance:
        # the slow connection's step is running: its worker dies with it
        (killed,) = _wait_for_workers(instance, SLOW, 1)
        time.sleep(1.0)  # well into its requests, well before they end
        deployment.kill_worker(killed)
        # the broker hands the step to the surviving worker; then a replacement worker starts,
        # as an orchestrator restarts a lost one
        _wait_for_workers(instance, SLOW, 2)
        deployment.start_worker("worker-c")
        rebuild = _wait_for_rebuild(instance)
        ingest_runs = _runs(instance, INGEST_JOB)
        slow_run = _run_of(instance, SLOW)
        slow_workers = _steps_on_workers(instance, slow_run.run_id)
        rebuild_record = instance.get_run_record_by_id(rebuild.run_id)
        # the sensor's next tick after the rebuild finds nothing more to do
        assert deployment.wait_for_sensor_tick(REBUILD_SENSOR, rebuild_record.end_time) == "SKIPPED"
        rebuilds = _runs(instance, MODELS_JOB)
        last_ingest_end = max(instance.get_run_record_by_id(r.run_id).end_time for r in ingest_runs)
    elapsed = time.monotonic() - started
    print(f"\n20-connection batch with a worker killed: {elapsed:.0f}s")

    # the killed worker's step ran again on the other worker, and its run succeeded
    assert slow_workers[0] == killed and slow_workers[1] not in (killed, "worker-c"), slow_workers
    assert slow_run.status == dg.DagsterRunStatus.SUCCESS
    # one run per connection from the tick; the down connection's run failed and was retried
    by_connection: dict[str, list[dg.DagsterRun]] = {}
    for run in ingest_runs:
        by_connection.setdefault(run.tags["plantsync/connection"], []).append(run)
    assert len(by_connection) == CONNECTIONS
    for connection_id, runs in by_connection.items():
        statuses = {r.status for r in runs}
        if connection_id == DOWN:
            assert statuses == {dg.DagsterRunStatus.FAILURE} and len(runs) == 3
        else:
            assert statuses == {dg.DagsterRunStatus.SUCCESS}, connection_id
    # the models were rebuilt once, after the last ingest run had ended
    assert len(rebuilds) == 1 and rebuild.status == dg.DagsterRunStatus.SUCCESS
    assert rebuild_record.start_time >= last_ingest_end

    healthy = [c for c in sandbox.connections if c["id"] != DOWN]
    for connection in healthy:
        api = {o["key"]: o["updatedAt"] for o in api_records(sandbox, connection, PO)}
        canonical = dict(
            _query(
                postgres_url,
                "select po_key, to_char(updated_at at time zone 'UTC', "
                '\'YYYY-MM-DD"T"HH24:MI:SS"Z"\') from canonical.purchase_orders '
                "where connection_id = %s",
                connection["id"],
            )
        )
        assert canonical == api, connection["id"]
        lines = {
            (o["key"], line["key"])
            for o in api_records(sandbox, connection, PO)
            for line in o.get("lineItems", [])
        }
        raw_lines = set(
            _query(
                postgres_url,
                "select purchase_order_key, key from raw_makini.purchase_order_lines "
                "where connection_id = %s",
                connection["id"],
            )
        )
        assert raw_lines == lines, connection["id"]
        # its own pipeline's state holds its newest watermark: no other run overwrote it
        ((state,),) = _query(
            postgres_url,
            "select state from raw_makini._dlt_pipeline_state where pipeline_name = %s "
            "order by version desc limit 1",
            connection_pipeline_name(connection["id"]),
        )
        watermarks = decompress_state(state)["sources"]["makini"]["watermarks"]
        assert watermarks["purchase_orders"] == {connection["id"]: max(api.values())}
    assert _query(
        postgres_url,
        "select count(*) from raw_makini.purchase_orders where connection_id = %s",
        DOWN,
    ) == [(0,)]
    synced = dict(
        _query(
            postgres_url,
            "select scope, bool_or(succeeded) from canonical.sync_log where source = 'makini' "
            "group by scope",
        )
    )
    assert synced == {c["id"]: c["id"] != DOWN for c in sandbox.connections}
