"""Incremental purchase-order models against a full refresh, on data the sandbox changes.

A sync, then the sandbox changes a fifth of the orders and adds new ones, and the warehouse side
changes too (a vendor renamed, an order sent again without one of its lines): the incremental
build merges only what changed, and every canonical table and mart equals a rebuild from scratch.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from sandbox.makini.server import SandboxServer
from tests.models.po_fixtures import po_project
from tests.pipelines.makini.helpers import Warehouse as MakiniLoad
from warehouse import Project, Warehouse, connect, run

COMPARED = (
    "canonical.purchase_orders",
    "canonical.purchase_order_lines",
    "canonical.purchase_order_exchange_rates",
    "marts.po_spend_monthly",
    "marts.open_po_lines",
)
LATER = "now() + interval 1 minute"  # an extraction after the sync's


def _snapshot(warehouse: Warehouse) -> dict[str, list[tuple]]:
    return {t: sorted(map(repr, warehouse.query(f"select * from {t}"))) for t in COMPARED}


def _change_in_warehouse(warehouse: Warehouse) -> tuple[str, str]:
    """A vendor renamed (sent again), and an order sent again without one of its lines; returns
    the renamed vendor's key and the removed line's key."""
    vendor = warehouse.query(
        "select vendor_key from staging.purchase_orders where vendor_key is not null limit 1"
    )[0][0]
    warehouse.execute(
        f"update raw_makini.vendors set name = 'Renamed GmbH', _extracted_at = {LATER} "
        f"where key = '{vendor}'"
    )
    connection, order, line = warehouse.query(
        "select connection_id, purchase_order_key, key from raw_makini.purchase_order_lines "
        "where purchase_order_key in (select purchase_order_key "
        "from raw_makini.purchase_order_lines group by 1 having count(*) > 1) "
        "order by 1, 2, 3 limit 1"
    )[0]
    where = f"connection_id = '{connection}' and purchase_order_key = '{order}'"
    warehouse.execute(
        f"delete from raw_makini.purchase_order_lines where {where} and key = '{line}'"
    )
    warehouse.execute(
        f"update raw_makini.purchase_order_lines set _extracted_at = {LATER} where {where}"
    )
    warehouse.execute(
        f"update raw_makini.purchase_orders set _extracted_at = {LATER} "
        f"where connection_id = '{connection}' and key = '{order}'"
    )
    return vendor, line


def _build(project: Project, path: Path, **options) -> dict:
    with connect("duckdb", duckdb_path=path) as warehouse:
        return {r.model: r for r in run(project, warehouse, **options)}


@pytest.mark.slow
def test_incremental_build_equals_full_refresh(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    project = po_project(tmp_path)
    with SandboxServer(seed=11, connections=2, purchase_orders=120) as server:
        load = MakiniLoad(path, server)
        load.sync()
        first = _build(project, path)
        body = {"changed_fraction": 0.2, "new_purchase_orders": 4}
        changed = requests.post(f"{server.base_url}/_sandbox/advance", json=body, timeout=30).json()
        load.sync()
    with connect("duckdb", duckdb_path=path) as warehouse:
        vendor, removed_line = _change_in_warehouse(warehouse)
    incremental = _build(project, path)
    with connect("duckdb", duckdb_path=path) as warehouse:
        merged = _snapshot(warehouse)
        vendor_names = warehouse.query(
            "select distinct vendor_name from canonical.purchase_orders "
            f"where vendor_key = '{vendor}'"
        )
        removed = warehouse.query(
            f"select count(*) from canonical.purchase_order_lines where line_key = '{removed_line}'"
        )[0][0]
    refreshed = _build(project, path, full_refresh=True)
    with connect("duckdb", duckdb_path=path) as warehouse:
        rebuilt = _snapshot(warehouse)

    assert first["canonical.purchase_orders"].action == "created"
    orders = incremental["canonical.purchase_orders"]
    sent_again = sum(len(c["changed"]) + len(c["new"]) for c in changed.values())
    # the changed and new orders, the renamed vendor's and the one sent again; not all 240
    assert orders.action == "merged" and sent_again <= orders.batch_rows < 240 // 2
    assert incremental["canonical.purchase_order_lines"].action == "merged"
    assert refreshed["canonical.purchase_orders"].action == "replaced"
    assert vendor_names == [("Renamed GmbH",)] and removed == 0
    assert merged == rebuilt
