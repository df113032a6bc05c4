"""Building models on DuckDB: materializations, idempotence, atomic swaps and error messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.warehouse.example_project import FILES, create_raw, write_project
from warehouse import load_project
from warehouse.connections import Warehouse
from warehouse.data_tests import ROWS, DataTest, run_test
from warehouse.errors import ModelRunError, ProjectError
from warehouse.materialize import ModelResult, batch_of, build_model, drop_batch, run


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


DELETE_INSERT_LINES = {
    "canonical/_canonical.yml": FILES["canonical/_canonical.yml"].replace(
        "unique_key: po_line_id", "unique_key: po_id\n    incremental_strategy: delete+insert"
    )
}


def test_delete_insert_replaces_every_row_of_a_key(tmp_path: Path, duck: Warehouse) -> None:
    project = load_project(write_project(tmp_path, DELETE_INSERT_LINES))
    run(project, duck)
    # order c1:1 comes again with line 20 gone and line 10 changed; c1:2 is not in the batch
    duck.execute("delete from raw_makini.purchase_order_lines")
    create_raw(duck, lines=[("c1", "1", "10", "2", "70.00")])
    [result] = run(project, duck, "canonical.purchase_order_lines")
    rows = dict(duck.query("select po_line_id, line_net from canonical.purchase_order_lines"))
    assert {k: float(v) for k, v in rows.items()} == {"c1:1:10": 70.0, "c1:2:10": 50.5}
    assert (result.action, result.batch_rows, result.batch) == ("merged", 1, None)
    assert not duck.table_exists(batch_of("canonical.purchase_order_lines"))


def test_kept_batch_scopes_a_test_to_the_merged_rows(project_dir: Path, duck: Warehouse) -> None:
    project = load_project(project_dir)
    run(project, duck)
    # an old row breaks the rule; the merged rows keep it
    duck.execute("update canonical.purchase_order_lines set line_net = null where po_id = 'c1:2'")
    create_raw(duck, lines=[("c1", "1", "10", "2", "70.00")])
    result = build_model(project, duck, "canonical.purchase_order_lines", keep_batch=True)
    not_null = DataTest(
        "canonical.purchase_order_lines",
        "line_net_not_null",
        "not_null",
        "line_net",
        "error",
        f"select * from {ROWS} as purchase_order_lines where line_net is null",
        "line_net is never null",
    )
    scoped = not_null.on_batch(result.batch, ("po_line_id",))
    assert (run_test(duck, scoped).failures, run_test(duck, not_null).failures) == (0, 1)
    drop_batch(duck, "canonical.purchase_order_lines")
    assert not duck.table_exists(result.batch)


def test_a_failed_merge_keeps_the_rows_and_leaves_no_stage(
    project_dir: Path, duck: Warehouse
) -> None:
    project = load_project(project_dir)
    run(project, duck)
    before = sorted(duck.query("select * from canonical.purchase_order_lines"))
    # a new column needs a full refresh: folding the staged rows into the old table fails
    widened = FILES["canonical/purchase_order_lines.sql"].replace(
        "    line_net\n", "    line_net,\n    1 as added\n"
    )
    project = load_project(
        write_project(project_dir.parent, {"canonical/purchase_order_lines.sql": widened})
    )
    with pytest.raises(ModelRunError, match=r"canonical\.purchase_order_lines"):
        build_model(project, duck, "canonical.purchase_order_lines", keep_batch=True)
    assert sorted(duck.query("select * from canonical.purchase_order_lines")) == before
    assert not duck.table_exists(batch_of("canonical.purchase_order_lines"))


def test_unknown_incremental_strategy_names_file_and_value(tmp_path: Path) -> None:
    files = {
        "canonical/_canonical.yml": DELETE_INSERT_LINES["canonical/_canonical.yml"].replace(
            "delete+insert", "upsert"
        )
    }
    with pytest.raises(
        ProjectError, match=r"_canonical\.yml:\d+: .*incremental_strategy .*'upsert'"
    ):
        load_project(write_project(tmp_path, files))


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
