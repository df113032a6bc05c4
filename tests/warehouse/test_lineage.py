"""Column lineage: one model up, and through every model back to the raw columns with the
transformations on the way and the join, filter and group keys."""

from __future__ import annotations

from pathlib import Path

from tests.warehouse.example_project import write_project
from warehouse import load_project
from warehouse.connections import Warehouse
from warehouse.lineage import (
    Lineage,
    Step,
    infer_schema,
    project_lineage,
    schema_from_warehouse,
    source_lineage,
)
from warehouse.materialize import run

RAW_ORDERS = ["connection_id", "key", "status", "total_net", "updated_at"]
RAW_LINES = ["connection_id", "po_key", "line_key", "quantity", "line_net"]
RAW = {"raw_makini.purchase_orders": RAW_ORDERS, "raw_makini.purchase_order_lines": RAW_LINES}


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
    assert known["staging.purchase_order_lines"] == RAW_LINES


def test_raw_columns_from_the_warehouse(project_dir: Path, duck: Warehouse) -> None:
    project = load_project(project_dir)
    run(project, duck)
    sources = schema_from_warehouse(duck, sorted(project.sources))
    assert sources["raw_makini.purchase_orders"] == RAW_ORDERS
    lineage = project_lineage(project, ["staging.purchase_orders"], sources)
    assert lineage["staging.purchase_orders"]["po_key"] == ["raw_makini.purchase_orders.key"]


def test_values_go_back_to_raw_columns_through_every_model(project_dir: Path) -> None:
    graph = Lineage(load_project(project_dir), infer_schema(load_project(project_dir), RAW))
    po_id = {(o.table, o.column): o.via for o in graph.values("canonical.purchase_orders", "po_id")}
    assert po_id == {
        ("raw_makini.purchase_orders", "connection_id"): (
            Step("canonical.purchase_orders", "po_id", "connection_id || ':' || po_key"),
        ),
        ("raw_makini.purchase_orders", "key"): (
            Step("staging.purchase_orders", "po_key", "key"),
            Step("canonical.purchase_orders", "po_id", "connection_id || ':' || po_key"),
        ),
    }
    # two models up, through a table model and a group by
    [total] = graph.values("marts.po_spend", "total_net")
    assert (total.table, total.column) == ("raw_makini.purchase_orders", "total_net")
    assert [str(s) for s in total.via] == [
        "staging.purchase_orders.total_net = CAST(total_net AS DECIMAL(18, 4))",
        "marts.po_spend.total_net = CAST(SUM(total_net) AS DECIMAL(18, 4))",
    ]
    # the seed is where a mapped status comes from
    status = graph.values("marts.po_spend", "status")
    assert {(o.table, o.column) for o in status} == {("seeds.po_status_map", "status")}
    # the model's own text with no single input is a constant: nothing
    assert graph.values("canonical.purchase_orders", "line_count") == ()


def test_join_filter_and_group_keys_are_a_separate_kind(project_dir: Path) -> None:
    project = load_project(project_dir)
    graph = Lineage(project, infer_schema(project, RAW))
    keys = {(o.kind, o.table, o.column) for o in graph.model_keys("canonical.purchase_orders")}
    assert keys == {
        # status_map.status_raw = orders.status_raw (upper(status))
        ("join", "seeds.po_status_map", "status_raw"),
        ("join", "raw_makini.purchase_orders", "status"),
        # line_totals joined on connection and order
        ("join", "raw_makini.purchase_orders", "connection_id"),
        ("join", "raw_makini.purchase_orders", "key"),
        ("join", "raw_makini.purchase_order_lines", "connection_id"),
        ("join", "raw_makini.purchase_order_lines", "po_key"),
        # line_totals: group by all (connection_id, po_key)
        ("group", "raw_makini.purchase_order_lines", "connection_id"),
        ("group", "raw_makini.purchase_order_lines", "po_key"),
    }
    # a column's keys include those of the models its value passed through
    spend_keys = {(o.kind, o.key_of) for o in graph.keys("marts.po_spend", "total_net")}
    assert ("group", "marts.po_spend") in spend_keys
    assert ("join", "canonical.purchase_orders") in spend_keys


def test_filter_keys(tmp_path: Path) -> None:
    sql = "select po_id from canonical.purchase_orders where status = 'open'"
    project = load_project(write_project(tmp_path, {"marts/open_orders.sql": sql}))
    graph = Lineage(project, infer_schema(project, RAW))
    assert {(o.kind, o.table, o.column) for o in graph.model_keys("marts.open_orders")} == {
        ("filter", "seeds.po_status_map", "status"),
    }


def test_source_lineage_is_plain_data_for_dagster(project_dir: Path) -> None:
    lineage = source_lineage(load_project(project_dir), "marts.po_spend", RAW)
    orders = lineage["orders"]  # count(*): no value source, only the keys deciding the rows
    assert {o["kind"] for o in orders} == {"join", "group"}
    total = [o for o in lineage["total_net"] if o["kind"] == "value"]
    assert total == [
        {
            "kind": "value",
            "table": "raw_makini.purchase_orders",
            "column": "total_net",
            "via": [
                "staging.purchase_orders.total_net = CAST(total_net AS DECIMAL(18, 4))",
                "marts.po_spend.total_net = CAST(SUM(total_net) AS DECIMAL(18, 4))",
            ],
            "key_of": None,
        }
    ]
