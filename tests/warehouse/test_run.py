"""Building models on DuckDB: materializations, idempotence, atomic swaps and error messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.warehouse.example_project import create_raw, write_project
from warehouse import load_project
from warehouse.connections import Warehouse
from warehouse.errors import ModelRunError
from warehouse.materialize import ModelResult, run


def test_run_builds_every_materialization(project_dir: Path, duck: Warehouse) -> None:
    progress: list[ModelResult] = []
    results = run(load_project(project_dir), duck, on_progress=progress.append)
    assert progress == results
    by_model = {r.model: r for r in results}
    assert duck.relation_type("staging.purchase_orders") == "view"
    assert duck.relation_type("canonical.purchase_orders") == "table"
    assert duck.relation_type("seeds.po_status_map") == "table"
    assert (
        by_model["staging.purchase_orders"].materialized,
        by_model["staging.purchase_orders"].rows,
    ) == ("view", None)
    assert by_model["canonical.purchase_orders"].rows == 3
    assert by_model["seeds.po_status_map"].materialized == "seed"
    assert by_model["canonical.purchase_order_lines"].action == "created"
    assert duck.query("select status from canonical.purchase_orders order by po_id") == [
        ("open",),
        ("closed",),
        ("draft",),
    ]
    assert all(r.seconds >= 0 for r in results)


def test_second_run_is_idempotent(project_dir: Path, duck: Warehouse) -> None:
    project = load_project(project_dir)
    run(project, duck)
    before = {t: sorted(duck.query(f"select * from {t}")) for t in project.order}
    results = run(project, duck)
    assert {t: sorted(duck.query(f"select * from {t}")) for t in project.order} == before
    assert {r.model: r.action for r in results}["canonical.purchase_order_lines"] == "merged"


def test_incremental_merges_on_unique_key(project_dir: Path, duck: Warehouse) -> None:
    project = load_project(project_dir)
    run(project, duck)
    # one line changed, one new; the old rows that vanish from the source stay (merge, not replace)
    create_raw(duck, lines=[("c1", "1", "10", "2", "70.00"), ("c1", "9", "10", "1", "5.00")])
    run(project, duck, "canonical.purchase_order_lines")
    rows = dict(duck.query("select po_line_id, line_net from canonical.purchase_order_lines"))
    assert {k: float(v) for k, v in rows.items()} == {
        "c1:1:10": 70.0,
        "c1:1:20": 40.0,
        "c1:2:10": 50.5,
        "c1:9:10": 5.0,
    }


def test_full_refresh_rebuilds_incremental(project_dir: Path, duck: Warehouse) -> None:
    project = load_project(project_dir)
    run(project, duck)
    create_raw(duck, lines=[("c1", "9", "10", "1", "5.00")])
    [result] = run(project, duck, "canonical.purchase_order_lines", full_refresh=True)
    assert (result.action, result.rows) == ("replaced", 1)


def test_failing_table_keeps_previous_table(tmp_path: Path, duck: Warehouse) -> None:
    project = load_project(write_project(tmp_path))
    run(project, duck)
    broken = load_project(
        write_project(
            tmp_path,
            {
                "canonical/purchase_orders.sql": (
                    "select connection_id, cast(po_key as integer) / 0 as boom, "
                    "cast('x' || po_key as integer) as po_id from staging.purchase_orders"
                )
            },
        )
    )
    with pytest.raises(ModelRunError, match=r"^canonical\.purchase_orders: .*Conversion Error"):
        run(broken, duck, "canonical.purchase_orders")
    assert len(duck.query("select po_id, status from canonical.purchase_orders")) == 3
    assert not duck.table_exists("canonical.purchase_orders__plantsync_stage")


def test_failure_stops_the_run_and_names_the_model(tmp_path: Path, duck: Warehouse) -> None:
    broken = "select no_such_column from raw_makini.purchase_orders"
    project = load_project(write_project(tmp_path, {"staging/purchase_orders.sql": broken}))
    with pytest.raises(ModelRunError, match=r"staging\.purchase_orders: .*no_such_column"):
        run(project, duck)
    assert not duck.table_exists("canonical.purchase_orders")


def test_materialization_change_replaces_view_with_table(tmp_path: Path, duck: Warehouse) -> None:
    run(load_project(write_project(tmp_path)), duck)
    changed = write_project(
        tmp_path, {"marts/_marts.yml": "models:\n  - name: po_spend\n    materialized: table\n"}
    )
    [result] = run(load_project(changed), duck, "po_spend")
    assert duck.relation_type("marts.po_spend") == "table"
    assert result.rows == 3
