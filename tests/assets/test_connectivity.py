"""The connectivity sensor, status history and fail-fast, against the sandbox and a real
Dagster instance, with cursors carried across ticks."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dagster as dg
import duckdb
import pytest
import requests
from click.testing import CliRunner

from assets.connectivity import connection_status_job
from assets.definitions import build_definitions
from assets.makini_ingest import makini_run_config
from assets.resources import MakiniResource, NotifierResource, WarehouseResource
from assets.tags import CONNECTION_TAG
from sandbox.makini.server import SandboxServer
from webhooks.signatures import verify_signature

SECRET = "status-secret"


class Receiver:
    """A local HTTP endpoint that records every notification it is sent."""

    def __init__(self) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((body, self.headers.get("X-Webhook-Signature")))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/status"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout_s
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)  # nothing more may arrive
        return [json.loads(body) for body, _ in self.received]


@pytest.fixture
def sandbox(makini_sandbox, monkeypatch) -> SandboxServer:
    monkeypatch.setenv("PLANTSYNC_HTTP_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("PLANTSYNC_STEP_RETRIES", "0")
    return makini_sandbox(seed=9, connections=3, purchase_orders=30)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


def _fault(sandbox: SandboxServer, connection_id: str, kind: str) -> None:
    response = requests.post(
        f"{sandbox.base_url}/_sandbox/faults",
        json={"connection_id": connection_id, "kind": kind},
        timeout=10,
    )
    assert response.status_code < 300, response.text


class Ticks:
    """Evaluates the real sensor tick after tick, carrying its cursor like the daemon does."""

    def __init__(self, instance, sandbox, receiver, duckdb_path) -> None:
        self.instance = instance
        self.cursor: str | None = None
        self.resources = {
            "makini": MakiniResource(
                base_url=sandbox.base_url,
                connections=sandbox.connections_json(),
                http_max_attempts=1,
                http_max_delay_s=0,
            ),
            "notifier": NotifierResource(url=receiver.url, secret=SECRET, backoff_s=0),
        }
        self.warehouse = WarehouseResource(duckdb_path=str(duckdb_path))

    def tick(self) -> list[dg.RunRequest]:
        """One tick through the code location's own sensor, as the daemon evaluates it: run
        requests are checked against the sensor's jobs."""
        defs = build_definitions()
        with dg.build_sensor_context(
            instance_ref=self.instance.get_ref(),
            cursor=self.cursor,
            resources=self.resources,
            definitions=defs,
        ) as context:
            result = defs.get_sensor_def("connectivity_sensor").evaluate_tick(context)
        self.cursor = result.cursor
        for request in result.run_requests:
            if request.job_name == connection_status_job.name:
                outcome = connection_status_job.execute_in_process(
                    run_config=request.run_config,
                    resources={"warehouse": self.warehouse},
                    instance=self.instance,
                )
                assert outcome.success
        return list(result.run_requests)


def _catch_ups(requests_: list[dg.RunRequest]) -> list[dg.RunRequest]:
    return [r for r in requests_ if r.job_name == "makini_sync_job"]


@pytest.fixture
def ticks(sandbox, receiver, duckdb_path) -> Iterator[Ticks]:
    with dg.instance_for_test() as instance:
        yield Ticks(instance, sandbox, receiver, duckdb_path)


def test_first_tick_records_every_connection_without_announcing(ticks, receiver) -> None:
    requests_ = ticks.tick()

    assert [r.job_name for r in requests_] == ["connection_status_job"]
    assert json.loads(ticks.cursor).keys() == {"conn-1", "conn-2", "conn-3"}
    assert receiver.wait_for(0) == []


@pytest.mark.slow
def test_nothing_changed(ticks, receiver) -> None:
    ticks.tick()
    cursor = ticks.cursor

    assert ticks.tick() == []
    assert ticks.cursor == cursor
    assert receiver.wait_for(0) == []


@pytest.mark.slow
def test_connection_down_still_down_then_recovered(ticks, sandbox, receiver, duckdb_path) -> None:
    ticks.tick()
    _fault(sandbox, "conn-2", "outage")

    down = ticks.tick()
    still_down = ticks.tick()
    _fault(sandbox, "conn-2", "none")
    recovered = ticks.tick()
    after = ticks.tick()

    assert _catch_ups(down) == [] and still_down == [] and after == []
    (catch_up,) = _catch_ups(recovered)
    assert catch_up.tags[CONNECTION_TAG] == "conn-2"
    assert catch_up.run_config == makini_run_config(["conn-2"])
    notes = receiver.wait_for(2)
    assert [(n["connection_id"], n["previous_status"], n["status"]) for n in notes] == [
        ("conn-2", "active", "inactive"),
        ("conn-2", "inactive", "active"),
    ]
    assert len({n["event_id"] for n in notes}) == 2
    for body, signature in receiver.received:
        assert verify_signature(body, signature, [SECRET])
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        history = con.execute(
            "select status, previous_status, source from canonical.connection_status_history "
            "where connection_id = 'conn-2' order by observed_at"
        ).fetchall()
    assert history == [
        ("active", None, "poll"),
        ("inactive", "active", "poll"),
        ("active", "inactive", "poll"),
    ]


@pytest.mark.slow
def test_sync_of_a_connection_known_down_fails_fast_while_others_load(
    ticks, sandbox, duckdb_path
) -> None:
    ticks.tick()
    _fault(sandbox, "conn-3", "auth_expired")
    ticks.tick()

    job = build_definitions().resolve_job_def("makini_sync_job")
    result = job.execute_in_process(
        instance=ticks.instance,
        asset_selection=[dg.AssetKey(["raw_makini", "purchase_orders"])],
        raise_on_error=False,
    )

    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.event_specific_data.error.message
    assert "connection conn-3 is auth_failed since" in message
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        loaded = con.execute(
            "select distinct connection_id from raw_makini.purchase_orders order by 1"
        ).fetchall()
    assert loaded == [("conn-1",), ("conn-2",)]
    # Only the two healthy connections were asked for data.
    log = requests.get(f"{sandbox.base_url}/_sandbox/requests", timeout=10).json()
    data_requests = {
        e["connection_id"]
        for e in log
        if e["path"] == "/api/erp/purchase-orders" and "per_page=500" in e.get("query", "")
    }
    assert data_requests == {"conn-1", "conn-2"}


def test_status_command_lists_every_connection_as_json(ticks, sandbox) -> None:
    from plantsync.connections_commands import connections

    _fault(sandbox, "conn-1", "auth_expired")
    ticks.tick()

    result = CliRunner().invoke(connections, ["status", "--json"])

    assert result.exit_code == 0, result.output
    rows = {row["connection_id"]: row for row in json.loads(result.output)}
    assert rows.keys() == {"conn-1", "conn-2", "conn-3"}
    assert rows["conn-1"]["status"] == "auth_failed"
    assert rows["conn-2"]["status"] == "active"
    assert rows["conn-1"]["last_failure"].endswith("token rejected")
    assert rows["conn-2"]["next_scheduled_run"]
