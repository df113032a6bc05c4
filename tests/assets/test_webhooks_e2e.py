"""End to end: a change in the sandbox, its signed webhook, the receiver's inbox, a sensor tick
and the targeted refetch run: the canonical order shows the change without a full sync, and
only the changed keys were requested from the API."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest
import requests

from assets.definitions import build_definitions
from assets.tags import CONNECTION_TAG
from sandbox.makini.server import SandboxServer
from settings.connections import parse_connections
from tests.webhooks.test_receiver import serve
from webhooks.inbox import Inbox

pytestmark = pytest.mark.e2e


@pytest.fixture
def sandbox(makini_sandbox, monkeypatch, isolated_env: Path) -> SandboxServer:
    monkeypatch.setenv("PLANTSYNC_WEBHOOK_INBOX_URL", f"sqlite:///{isolated_env / 'inbox.db'}")
    monkeypatch.setenv("PLANTSYNC_STEP_RETRIES", "0")
    return makini_sandbox(seed=12, connections=2, purchase_orders=30)


def _orders(duckdb_path: Path) -> dict[tuple[str, str], tuple]:
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        rows = con.execute(
            "select connection_id, po_key, status_raw, total_net, updated_at "
            "from canonical.purchase_orders"
        ).fetchall()
    return {(conn, key): rest for conn, key, *rest in rows}


def _tick(defs: dg.Definitions, instance: dg.DagsterInstance, cursor: str | None):
    """A tick of the code location's webhook sensor, as the daemon evaluates it."""
    with dg.build_sensor_context(
        instance_ref=instance.get_ref(), cursor=cursor, definitions=defs
    ) as context:
        return defs.get_sensor_def("makini_webhook_sensor").evaluate_tick(context)


def test_webhook_refetches_only_changed_orders(sandbox, duckdb_path, monkeypatch) -> None:
    defs = build_definitions()
    with dg.instance_for_test() as instance:
        sync = defs.resolve_job_def("makini_sync_job")
        assert sync.execute_in_process(instance=instance).success
        before = _orders(duckdb_path)
        connections = parse_connections(sandbox.connections_json())
        receiver = serve(Inbox(f"sqlite:///{duckdb_path.parent / 'inbox.db'}"), connections)
        webhooks = next(receiver)
        requests.post(
            f"{sandbox.base_url}/_sandbox/webhooks",
            json={"url": f"{webhooks.client.base_url}/webhooks/makini"},
            timeout=10,
        ).raise_for_status()
        requests.delete(f"{sandbox.base_url}/_sandbox/requests", timeout=10)
        changes = requests.post(
            f"{sandbox.base_url}/_sandbox/advance",
            json={"changed_fraction": 0.2, "new_purchase_orders": 0, "connection_id": "conn-1"},
            timeout=30,
        ).json()
        changed = sorted(changes["conn-1"]["changed"])
        assert changed and webhooks.inbox.count() >= 1

        result = _tick(defs, instance, cursor=None)
        (request,) = result.run_requests
        job = defs.resolve_job_def(request.job_name)
        assert request.tags[CONNECTION_TAG] == "conn-1"
        outcome = job.execute_in_process(
            run_config=request.run_config, tags=request.tags, instance=instance
        )
        settled = _tick(defs, instance, cursor=result.cursor)
        pending = webhooks.inbox.list_events(pending_only=True)
        next(receiver, None)

    assert outcome.success
    log = requests.get(f"{sandbox.base_url}/_sandbox/requests", timeout=10).json()
    assert sorted(e["path"] for e in log) == [f"/api/erp/purchase-orders/{k}" for k in changed]
    after = _orders(duckdb_path)
    assert {k for k in after if after[k] != before[k]} == {("conn-1", k) for k in changed}
    assert not settled.run_requests and pending == []
