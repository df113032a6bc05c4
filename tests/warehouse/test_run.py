"""Building models on DuckDB: materializations, idempotence, atomic swaps and error messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.warehouse.example_project import FILES, create_raw, write_project
from warehouse import Project, load_project
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


# A mart of positive lines per order, incremental on the lines canonical merged in this run.
POSITIVE_LINES = """
{{ config(materialized='incremental', unique_key='po_id', incremental_strategy='delete+insert',
          replaced_keys='redo') }}
with lines as (
    select * from canonical.purchase_order_lines
),
{% if is_incremental() %}
redo as (
    select po_id from {{ batch('canonical', 'purchase_order_lines') }}
),
{% endif %}
final as (
    select lines.po_id, lines.po_line_id, lines.line_net
    from lines
    {% if is_incremental() %}inner join redo on redo.po_id = lines.po_id{% endif %}
    where lines.line_net > 0
)
select * from final
"""


def _built_then_zeroed(tmp_path: Path, duck: Warehouse, mart: str = POSITIVE_LINES) -> Project:
    """The project with `mart` as marts.positive_lines, built; then both lines of order c1:1
    drop to zero in the raw data (the next batch names the order, no mart row of it remains)."""
    project = load_project(write_project(tmp_path, {"marts/positive_lines.sql": mart}))
    run(project, duck)
    create_raw(duck, lines=[("c1", "1", "10", "2", "0"), ("c1", "1", "20", "1", "0")])
    return project


def test_replaced_keys_remove_an_order_none_of_whose_rows_come_back(
    tmp_path: Path, duck: Warehouse
) -> None:
    project = _built_then_zeroed(tmp_path, duck)
    results = {r.model: r for r in run(project, duck)}
    assert results["marts.positive_lines"].action == "merged"
    assert duck.query("select po_line_id from marts.positive_lines") == [("c1:2:10",)]
    assert not duck.table_exists("marts.positive_lines__plantsync_keys")
    assert not duck.table_exists(batch_of("canonical.purchase_order_lines"))


def test_without_replaced_keys_an_order_without_new_rows_stays(
    tmp_path: Path, duck: Warehouse
) -> None:
    plain = POSITIVE_LINES.replace(",\n          replaced_keys='redo'", "")
    run(_built_then_zeroed(tmp_path, duck, plain), duck)
    assert sorted(duck.query("select po_line_id from marts.positive_lines")) == [
        ("c1:1:10",),
        ("c1:1:20",),
        ("c1:2:10",),
    ]


def test_a_model_reading_a_batch_builds_in_full_when_its_upstream_did_not_merge(
    tmp_path: Path, duck: Warehouse
) -> None:
    project = _built_then_zeroed(tmp_path, duck)
    run(project, duck, "staging.purchase_order_lines canonical.purchase_order_lines")
    # a stale batch left by a crashed run is not this run's: it must not be read
    duck.execute(
        f"create table {batch_of('canonical.purchase_order_lines')} as select 'x' as po_id"
    )
    [result] = run(project, duck, "marts.positive_lines")
    assert result.action == "replaced"
    assert duck.query("select po_line_id from marts.positive_lines") == [("c1:2:10",)]


def test_batch_is_only_for_the_incremental_rendering(tmp_path: Path) -> None:
    outside = "select po_id from {{ batch('canonical', 'purchase_order_lines') }}"
    with pytest.raises(ProjectError, match=r"positive_lines\.sql:1: batch.*is_incremental"):
        load_project(write_project(tmp_path, {"marts/positive_lines.sql": outside}))


def test_batch_of_a_table_model_is_an_error(tmp_path: Path) -> None:
    of_table = POSITIVE_LINES.replace(
        "batch('canonical', 'purchase_order_lines')", "batch('canonical', 'purchase_orders')"
    )
    with pytest.raises(
        ProjectError, match=r"batch\(\) of canonical\.purchase_orders, which is table"
    ):
        load_project(write_project(tmp_path, {"marts/positive_lines.sql": of_table}))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("replaced_keys='redo'", "replaced_keys='gone'"),
            r"replaced_keys 'gone' is not a CTE .*\(it has: final, lines, redo\)",
        ),
        (
            ("incremental_strategy='delete+insert'", "incremental_strategy='merge'"),
            r"replaced_keys needs .*delete\+insert, got incremental and merge",
        ),
    ],
)
def test_replaced_keys_must_name_a_cte_of_a_delete_insert_model(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    files = {"marts/positive_lines.sql": POSITIVE_LINES.replace(*change)}
    with pytest.raises(ProjectError, match=message):
        load_project(write_project(tmp_path, files))


def test_a_failed_merge_leaves_no_work_table_and_the_rows_as_they_were(
    tmp_path: Path, duck: Warehouse
) -> None:
    project = _built_then_zeroed(tmp_path, duck)
    before = sorted(duck.query("select * from marts.positive_lines"))
    # a new column needs a full refresh: the insert into the old table fails after staging
    widened = POSITIVE_LINES.replace("lines.line_net\n", "lines.line_net, 1 as added\n")
    project = load_project(write_project(tmp_path, {"marts/positive_lines.sql": widened}))
    with pytest.raises(ModelRunError, match=r"marts\.positive_lines"):
        run(project, duck)
    assert sorted(duck.query("select * from marts.positive_lines")) == before
    assert not duck.table_exists(batch_of("marts.positive_lines"))
    assert not duck.table_exists("marts.positive_lines__plantsync_keys")
