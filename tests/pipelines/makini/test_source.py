"""The Makini source against the sandbox over real HTTP, loading into DuckDB."""

from __future__ import annotations

import pytest
import requests

from pipelines.makini.errors import AuthError, MalformedPageError, UnreachableError
from pipelines.makini.pipeline import ConnectionsFailed
from pipelines.makini.tables import RAW_TABLES
from tests.pipelines.makini.helpers import api_records


def _orders_by_connection(warehouse) -> dict[str, set[tuple[str, str]]]:
    rows = warehouse.query("select connection_id, key, updated_at from raw_makini.purchase_orders")
    out: dict[str, set] = {}
    for conn_id, key, updated_at in rows:
        out.setdefault(conn_id, set()).add((key, updated_at.strftime("%Y-%m-%dT%H:%M:%S")))
    return out


def _api_orders(sandbox, connection) -> set[tuple[str, str]]:
    return {
        (o["key"], o["updatedAt"][:19])
        for o in api_records(sandbox, connection, "/api/erp/purchase-orders")
    }


def _assert_exact(warehouse, sandbox):
    """Raw orders and lines equal the API's, per connection, with no duplicates."""
    loaded = _orders_by_connection(warehouse)
    for connection in sandbox.connections:
        orders = api_records(sandbox, connection, "/api/erp/purchase-orders")
        assert loaded.get(connection["id"], set()) == _api_orders(sandbox, connection)
        lines = {(o["key"], line["key"]) for o in orders for line in o["lineItems"]}
        db_lines = warehouse.query(
            "select purchase_order_key, key from raw_makini.purchase_order_lines "
            f"where connection_id = '{connection['id']}'"
        )
        assert len(db_lines) == len(set(db_lines)), "duplicate lines"
        assert set(db_lines) == lines
    duplicates = warehouse.query(
        "select connection_id, key, count(*) from raw_makini.purchase_orders "
        "group by all having count(*) > 1"
    )
    assert duplicates == []


@pytest.mark.slow
def test_full_load_matches_api_totals(warehouse, sandbox):
    _, report = warehouse.sync()

    _assert_exact(warehouse, sandbox)
    for connection in sandbox.connections:
        total = requests.get(
            f"{sandbox.base_url}/api/erp/purchase-orders",
            params={"per_page": 1},
            headers={"Authorization": f"Bearer {connection['token']}"},
            timeout=10,
        ).json()["meta"]["total"]
        count = warehouse.query(
            "select count(*) from raw_makini.purchase_orders "
            f"where connection_id = '{connection['id']}'"
        )[0][0]
        assert count == total
    assert not report.failures
    assert set(report.rows) == set(RAW_TABLES)


@pytest.mark.slow
def test_every_row_carries_connection_and_extraction_time(warehouse):
    warehouse.sync()

    for table in RAW_TABLES:
        nulls = warehouse.query(
            f"select count(*) from raw_makini.{table} "
            "where connection_id is null or _extracted_at is null"
        )
        assert nulls == [(0,)], table


def test_money_and_timestamps_are_typed(warehouse, sandbox):
    warehouse.sync()

    types = dict(
        warehouse.query(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw_makini' and table_name = 'purchase_orders'"
        )
    )
    assert types["total_net_value"].startswith("DECIMAL")
    assert types["updated_at"] == "TIMESTAMP WITH TIME ZONE"
    connection = sandbox.connections[0]
    order = api_records(sandbox, connection, "/api/erp/purchase-orders")[0]
    (net,) = warehouse.query(
        "select cast(total_net_value as varchar) from raw_makini.purchase_orders "
        f"where connection_id = '{connection['id']}' and key = '{order['key']}'"
    )[0]
    from decimal import Decimal

    assert Decimal(net) == Decimal(order["totalNetValue"])


@pytest.mark.parametrize("per_page", [120, 50, 7])
def test_paging_one_full_and_partial_last_page(warehouse, sandbox, per_page):
    """120 orders: exactly one page, a partial last page of 20, many small pages."""
    warehouse.sync(per_page=per_page, tables=["purchase_orders"])

    _assert_exact(warehouse, sandbox)


def test_empty_result_loads_nothing_and_fails_nothing(duckdb_path):
    from sandbox.makini.server import SandboxServer
    from tests.pipelines.makini.helpers import Warehouse

    with SandboxServer(seed=3, connections=1, purchase_orders=0) as empty:
        warehouse = Warehouse(duckdb_path, empty)
        _, report = warehouse.sync(tables=["purchase_orders"])
    assert report.rows["purchase_orders"] == 0
    assert not report.failures


@pytest.mark.slow
def test_rerun_without_changes_keeps_tables_exact(warehouse, sandbox):
    warehouse.sync()
    warehouse.sync()

    _assert_exact(warehouse, sandbox)


@pytest.mark.slow
def test_incremental_run_loads_only_changed_rows(warehouse, sandbox):
    warehouse.sync()
    watermark = {
        conn: ts
        for conn, ts in warehouse.query(
            "select connection_id, max(updated_at) from raw_makini.purchase_orders group by 1"
        )
    }
    changes = requests.post(
        f"{sandbox.base_url}/_sandbox/advance",
        json={"changed_fraction": 0.05, "new_purchase_orders": 5},
        timeout=30,
    ).json()

    _, report = warehouse.sync(lookback_s=60)

    _assert_exact(warehouse, sandbox)
    for connection in sandbox.connections:
        conn_id = connection["id"]
        touched = set(changes[conn_id]["changed"]) | set(changes[conn_id]["new"])
        # The lookback re-reads orders updated within 60 s before the old watermark.
        since = watermark[conn_id].timestamp() - 60
        overlap = {
            o["key"]
            for o in api_records(sandbox, connection, "/api/erp/purchase-orders")
            if _epoch(o["updatedAt"]) >= since
        }
        assert touched <= overlap
        assert report.rows_by_connection[(conn_id, "purchase_orders")] == len(overlap)
        assert len(overlap) < 0.2 * len(
            api_records(sandbox, connection, "/api/erp/purchase-orders")
        )


def _epoch(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def test_unauthorized_connection_fails_alone(warehouse, sandbox):
    from dataclasses import replace

    broken = [
        replace(c, token="expired-token") if c.id == "conn-2" else c for c in warehouse.connections
    ]

    with pytest.raises(ConnectionsFailed) as failed:
        warehouse.sync(connections=broken)

    assert "conn-2" in str(failed.value)
    assert isinstance(failed.value.report.failures["conn-2"], AuthError)
    assert "expired-token" not in str(failed.value)
    loaded = {
        c
        for (c,) in warehouse.query("select distinct connection_id from raw_makini.purchase_orders")
    }
    assert loaded == {"conn-1", "conn-3"}
    for connection in sandbox.connections:
        if connection["id"] != "conn-2":
            assert _orders_by_connection(warehouse)[connection["id"]] == _api_orders(
                sandbox, connection
            )


def _fault(sandbox, **fault) -> None:
    response = requests.post(f"{sandbox.base_url}/_sandbox/faults", json=fault, timeout=10)
    assert response.status_code < 300, response.text


def test_rate_limit_is_retried_after_retry_after(warehouse, sandbox):
    _fault(sandbox, connection_id="conn-1", kind="rate_limit", count=2, retry_after=1)

    _, report = warehouse.sync(tables=["purchase_orders"])

    assert [c for c, _ in report.retries] == ["conn-1", "conn-1"]
    assert all("429" in problem for _, problem in report.retries)
    _assert_exact(warehouse, sandbox)


def test_server_error_then_success(warehouse, sandbox):
    _fault(sandbox, connection_id="conn-3", kind="server_error", count=3)

    _, report = warehouse.sync(tables=["purchase_orders"])

    assert len(report.retries) == 3
    _assert_exact(warehouse, sandbox)


def test_server_errors_beyond_retries_fail_that_connection(warehouse, sandbox):
    _fault(sandbox, connection_id="conn-3", kind="server_error", count=100)

    with pytest.raises(ConnectionsFailed) as failed:
        warehouse.sync(tables=["purchase_orders"])

    error = failed.value.report.failures["conn-3"]
    assert isinstance(error, UnreachableError)
    assert "after 4 attempts" in str(error)


@pytest.mark.slow
def test_malformed_page_names_url_and_page_and_keeps_earlier_data(warehouse, sandbox):
    warehouse.sync(tables=["purchase_orders"])
    before = warehouse.query("select count(*) from raw_makini.purchase_orders")
    requests.post(
        f"{sandbox.base_url}/_sandbox/advance",
        json={"changed_fraction": 0.5, "new_purchase_orders": 0},
        timeout=30,
    )
    _fault(sandbox, connection_id="conn-2", kind="malformed", page=2)

    with pytest.raises(ConnectionsFailed) as failed:
        warehouse.sync(tables=["purchase_orders"], per_page=10)

    error = failed.value.report.failures["conn-2"]
    assert isinstance(error, MalformedPageError)
    assert "page 2" in str(error) and "/api/erp/purchase-orders" in str(error)
    assert warehouse.query("select count(*) from raw_makini.purchase_orders") == before
    # The failed connection keeps its watermark: once the fault is gone it catches up exactly.
    _fault(sandbox, connection_id="conn-2", kind="none")
    warehouse.sync(tables=["purchase_orders"])
    _assert_exact(warehouse, sandbox)


@pytest.mark.slow
def test_targeted_refetch_requests_only_named_keys(warehouse, sandbox):
    warehouse.sync(tables=["purchase_orders"])
    connection = warehouse.connections[0]
    keys = [
        o["key"]
        for o in api_records(sandbox, sandbox.connections[0], "/api/erp/purchase-orders")[:3]
    ]
    requests.delete(f"{sandbox.base_url}/_sandbox/requests", timeout=10)

    _, report = warehouse.sync(connections=[connection], keys={"purchase_orders": keys})

    log = requests.get(f"{sandbox.base_url}/_sandbox/requests", timeout=10).json()
    paths = sorted(entry["path"] for entry in log)
    assert paths == sorted(f"/api/erp/purchase-orders/{k}" for k in keys)
    assert report.rows["purchase_orders"] == 3
    _assert_exact(warehouse, sandbox)
