"""Every sandbox fault kind against one of three connections: what is retried, the recorded
status, the error, the healthy connections loading exactly, and an exact catch-up once the
fault is cleared (no row lost, none duplicated, in every raw table)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests

from connectivity.history import latest, record
from connectivity.status import extraction_observations
from pipelines.makini.client import RetrySettings
from pipelines.makini.pipeline import ConnectionsFailed
from pipelines.makini.tables import ENDPOINTS, RAW_TABLES
from tests.pipelines.makini.helpers import api_records
from warehouse.connections import connect

pytestmark = pytest.mark.e2e

FAULTY = "conn-2"
RETRY = RetrySettings(max_attempts=4, backoff_s=0.0, max_delay_s=0.0, timeout_s=1.0)


@dataclass
class Case:
    fault: dict
    retries: int  # retried requests of the faulty connection
    status: str  # recorded for the faulty connection after the faulty sync
    error: str | None  # substring of the connection's error; None = the sync succeeds


CASES = {
    "rate_limit": Case({"kind": "rate_limit", "count": 2, "retry_after": 1}, 2, "active", None),
    "server_error_then_success": Case({"kind": "server_error", "count": 3}, 3, "active", None),
    "server_error_persistent": Case(
        {"kind": "server_error", "count": 1000}, 3, "unreachable", "HTTP 500"
    ),
    "slow": Case({"kind": "slow", "delay_s": 2.5}, 3, "unreachable", "Timeout"),
    "outage": Case({"kind": "outage"}, 3, "unreachable", "HTTP 503"),
    "auth_expired": Case({"kind": "auth_expired"}, 0, "auth_failed", "token rejected"),
    "malformed": Case({"kind": "malformed", "page": 2}, 0, "unreachable", "page 2 of"),
    "schema_drift": Case({"kind": "schema_drift"}, 0, "unreachable", "'totalNetValue' = "),
}


def _fault(sandbox, **body) -> None:
    response = requests.post(f"{sandbox.base_url}/_sandbox/faults", json=body, timeout=10)
    assert response.status_code < 300, response.text


def _assert_every_table_exact(warehouse, sandbox) -> None:
    for connection in sandbox.connections:
        conn_id = connection["id"]
        for endpoint in ENDPOINTS:
            api = api_records(sandbox, connection, endpoint.path)
            loaded = warehouse.query(
                f"select key from raw_makini.{endpoint.table} where connection_id = '{conn_id}'"
            )
            assert len(loaded) == len({k for (k,) in loaded}), f"duplicates in {endpoint.table}"
            assert {k for (k,) in loaded} == {r["key"] for r in api}, (conn_id, endpoint.table)
            if endpoint.cursor == "updatedAt":
                versions = warehouse.query(
                    f"select key, strftime(updated_at, '%Y-%m-%dT%H:%M:%SZ') "
                    f"from raw_makini.{endpoint.table} where connection_id = '{conn_id}'"
                )
                assert set(versions) == {(r["key"], r["updatedAt"]) for r in api}
        orders = api_records(sandbox, connection, "/api/erp/purchase-orders")
        lines = warehouse.query(
            "select purchase_order_key, key from raw_makini.purchase_order_lines "
            f"where connection_id = '{conn_id}'"
        )
        assert sorted(lines) == sorted(
            (o["key"], li["key"]) for o in orders for li in o["lineItems"]
        )


def _record(duckdb_path, connections, report) -> None:
    with connect("duckdb", duckdb_path=duckdb_path) as wh:
        record(wh, extraction_observations([c.id for c in connections], report.failures))


def _recorded_status(duckdb_path) -> dict[str, str]:
    with connect("duckdb", duckdb_path=duckdb_path) as wh:
        return {conn_id: row.status for conn_id, row in latest(wh).items()}


@pytest.mark.parametrize("name", list(CASES))
def test_fault_matrix(name, warehouse, sandbox, duckdb_path) -> None:
    case = CASES[name]
    warehouse.sync(retry=RETRY)
    requests.post(
        f"{sandbox.base_url}/_sandbox/advance",
        json={"changed_fraction": 0.3, "new_purchase_orders": 40},
        timeout=30,
    ).raise_for_status()
    _fault(sandbox, connection_id=FAULTY, **case.fault)

    try:
        _, report = warehouse.sync(retry=RETRY, per_page=25)
    except ConnectionsFailed as failed:
        report = failed.report
    _record(duckdb_path, warehouse.connections, report)

    assert sorted(report.failures) == ([FAULTY] if case.error else [])
    if case.error:
        message = str(report.failures[FAULTY])
        assert case.error in message and FAULTY in message
        assert sandbox.connections[1]["token"] not in message
    assert [conn for conn, _ in report.retries] == [FAULTY] * case.retries
    assert _recorded_status(duckdb_path) == {
        "conn-1": "active",
        FAULTY: case.status,
        "conn-3": "active",
    }
    healthy = [c for c in sandbox.connections if c["id"] != FAULTY]
    for connection in healthy:
        orders = api_records(sandbox, connection, "/api/erp/purchase-orders")
        loaded = warehouse.query(
            "select key, strftime(updated_at, '%Y-%m-%dT%H:%M:%SZ') "
            f"from raw_makini.purchase_orders where connection_id = '{connection['id']}'"
        )
        assert sorted(loaded) == sorted((o["key"], o["updatedAt"]) for o in orders)

    _fault(sandbox, connection_id=FAULTY, kind="none")
    _, catch_up = warehouse.sync(
        retry=RETRY, connections=[c for c in warehouse.connections if c.id == FAULTY]
    )
    _record(duckdb_path, warehouse.connections[1:2], catch_up)

    assert not catch_up.failures
    _assert_every_table_exact(warehouse, sandbox)
    assert _recorded_status(duckdb_path)[FAULTY] == "active"
    assert set(catch_up.rows) <= set(RAW_TABLES)
