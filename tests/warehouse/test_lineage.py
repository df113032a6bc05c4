"""Column lineage through CTEs, joins and select * (with upstream columns known)."""

from __future__ import annotations

from pathlib import Path

from tests.warehouse.example_project import write_project
from warehouse import load_project
from warehouse.connections import Warehouse
from warehouse.lineage import infer_schema, project_lineage, schema_from_warehouse
from warehouse.materialize import run

RAW_ORDERS = ["connection_id", "key", "status", "total_net", "updated_at"]


def test_lineage_through_ctes_joins_and_star(project_dir: Path) -> None:
    project = load_project(project_dir)
    lineage = project_lineage(
        project, ["canonical.purchase_orders"], {"raw_makini.purchase_orders": RAW_ORDERS}
    )["canonical.purchase_orders"]
    assert lineage["po_id"] == [
        "staging.purchase_orders.connection_id",
        "staging.purchase_orders.po_key",
    ]
    assert lineage["status"] == ["seeds.po_status_map.status"]
    assert lineage["lines_net"] == ["staging.purchase_order_lines.line_net"]
    assert lineage["line_count"] == []  # count(*): no single upstream column


def test_star_over_unknown_raw_table_is_unresolved(tmp_path: Path) -> None:
    project = load_project(
        write_project(
            tmp_path, {"staging/orders_copy.sql": "select * from raw_makini.purchase_orders"}
        )
    )
    known = infer_schema(project)
    assert "staging.orders_copy" not in known  # select * from an undescribed raw table
    assert project_lineage(project, ["staging.orders_copy"])["staging.orders_copy"] == {}
    assert known["staging.purchase_order_lines"] == [
        "connection_id",
        "po_key",
        "line_key",
        "quantity",
        "line_net",
    ]


def test_raw_columns_from_the_warehouse(project_dir: Path, duck: Warehouse) -> None:
    project = load_project(project_dir)
    run(project, duck)
    sources = schema_from_warehouse(duck, sorted(project.sources))
    assert sources["raw_makini.purchase_orders"] == RAW_ORDERS
    lineage = project_lineage(project, ["staging.purchase_orders"], sources)
    assert lineage["staging.purchase_orders"]["po_key"] == ["raw_makini.purchase_orders.key"]
