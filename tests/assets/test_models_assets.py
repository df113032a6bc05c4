"""The model assets in Dagster: one step builds the selection in order, with metadata on each
materialization, checks as they go, blocking checks that skip what is downstream, and the
DuckDB warehouse published at the end."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.ingest import MODELS_STEP
from assets.models import build_model_assets
from assets.resources import WarehouseResource
from tests.warehouse.example_project import create_raw, write_project
from warehouse.connections import connect

ORDERS = dg.AssetKey(["canonical", "purchase_orders"])
LINES = dg.AssetKey(["canonical", "purchase_order_lines"])
OWNERS = ["team:data-engineering"]


@pytest.fixture
def warehouse_resource(duckdb_path: Path, tmp_path: Path) -> WarehouseResource:
    resource = WarehouseResource(duckdb_path=str(duckdb_path), state_dir=str(tmp_path / "state"))
    with connect("duckdb", duckdb_path=resource.location().work_path) as warehouse:
        create_raw(warehouse)
    return resource


def _materialize(
    project_dir: Path, resource: WarehouseResource, selection=None, **config: bool
) -> dg.ExecuteInProcessResult:
    models = build_model_assets(project_dir, target="duckdb", owners=OWNERS)
    return dg.materialize(
        [models],
        selection=selection,
        resources={"warehouse": resource},
        run_config={"ops": {MODELS_STEP: {"config": config}}},
        raise_on_error=False,
    )


def _step_keys(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.step_key for e in result.all_events if e.step_key}


def test_definitions_need_no_database(tmp_path: Path) -> None:
    models = build_model_assets(write_project(tmp_path), target="duckdb", owners=OWNERS)
    keys = {key.to_user_string() for key in models.keys}
    assert "canonical/purchase_orders" in keys and "seeds/po_status_map" in keys
    spec = models.specs_by_key[ORDERS]
    assert {d.asset_key for d in spec.deps} == {
        dg.AssetKey(["staging", "purchase_orders"]),
        dg.AssetKey(["staging", "purchase_order_lines"]),
        dg.AssetKey(["seeds", "po_status_map"]),
    }
    assert spec.description == "One row per purchase order."
    assert spec.kinds == {"sql", "duckdb"}
    assert spec.owners == OWNERS
    assert spec.group_name == "canonical"
    staging = models.specs_by_key[dg.AssetKey(["staging", "purchase_orders"])]
    assert {d.asset_key for d in staging.deps} == {dg.AssetKey(["raw_makini", "purchase_orders"])}
    check_specs = {s.name: s for s in models.check_specs}
    assert check_specs["unique_po_id"].blocking
    assert not check_specs["accepted_values_status"].blocking  # warn severity
    unused = WarehouseResource(duckdb_path=str(tmp_path / "never-opened.duckdb"))
    dg.Definitions.validate_loadable(
        dg.Definitions(assets=[models], resources={"warehouse": unused})
    )
    assert not (tmp_path / "never-opened.duckdb").exists()


def test_one_step_materializes_every_model_with_metadata_and_checks(
    tmp_path: Path, warehouse_resource, duckdb_path
) -> None:
    result = _materialize(write_project(tmp_path), warehouse_resource)

    assert result.success
    assert _step_keys(result) == {MODELS_STEP}
    [materialization] = [
        m for m in result.get_asset_materialization_events() if m.asset_key == ORDERS
    ]
    metadata = materialization.materialization.metadata
    assert metadata["dagster/row_count"].value == 3
    schema = metadata["dagster/column_schema"].value
    po_id = next(c for c in schema.columns if c.name == "po_id")
    assert po_id.description == "connection_id || ':' || key."
    lineage = metadata["dagster/column_lineage"].value.deps_by_column
    assert {(d.asset_key, d.column_name) for d in lineage["po_id"]} == {
        (dg.AssetKey(["staging", "purchase_orders"]), "connection_id"),
        (dg.AssetKey(["staging", "purchase_orders"]), "po_key"),
    }
    evaluations = {(e.asset_key, e.check_name): e for e in result.get_asset_check_evaluations()}
    assert evaluations[(ORDERS, "unique_po_id")].passed
    assert evaluations[(ORDERS, "header_net_matches_lines")].passed
    # analysts' file published at the end of the step
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        assert con.execute("select count(*) from marts.po_spend").fetchone()[0] > 0


def test_a_subset_builds_only_what_was_selected(tmp_path: Path, warehouse_resource) -> None:
    project = write_project(tmp_path)
    _materialize(project, warehouse_resource)

    result = _materialize(project, warehouse_resource, selection=[ORDERS])

    assert result.success
    assert {e.asset_key for e in result.get_asset_materialization_events()} == {ORDERS}
    assert {e.asset_key for e in result.get_asset_check_evaluations()} == {ORDERS}


@pytest.mark.slow
def test_incremental_checks_test_the_merged_rows_unless_asked_for_all(
    tmp_path: Path, warehouse_resource
) -> None:
    project = write_project(tmp_path)
    _materialize(project, warehouse_resource)
    with connect("duckdb", duckdb_path=warehouse_resource.location().work_path) as warehouse:
        # an old line breaks not_null, then one line comes again from the source
        warehouse.execute(
            "update canonical.purchase_order_lines set po_line_id = null where po_id = 'c1:2'"
        )
        create_raw(warehouse, lines=[("c1", "1", "10", "2", "60.00")])

    def lines_checks(result: dg.ExecuteInProcessResult) -> dict[str, tuple[bool, str]]:
        return {
            e.check_name: (e.passed, e.metadata["checked"].value)
            for e in result.get_asset_check_evaluations()
            if e.asset_key == LINES
        }

    merged = _materialize(project, warehouse_resource)
    everything = _materialize(project, warehouse_resource, full_checks=True)

    [lines] = [m for m in merged.get_asset_materialization_events() if m.asset_key == LINES]
    assert lines.materialization.metadata["merged_rows"].value == 1
    assert lines_checks(merged)["not_null_po_line_id"] == (True, "the rows this run merged")
    assert lines_checks(everything)["not_null_po_line_id"] == (False, "every row")
    assert lines_checks(merged)["relationships_po_id"] == (True, "the rows this run merged")
    assert lines_checks(merged).keys() == lines_checks(everything).keys()
    # nothing of the batch is left for analysts
    with duckdb.connect(str(warehouse_resource.location().duckdb_path), read_only=True) as con:
        tables = {t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert not [t for t in tables if "plantsync" in t]


def test_failing_canonical_check_skips_downstream_and_fails_the_step(
    tmp_path: Path, warehouse_resource
) -> None:
    with connect("duckdb", duckdb_path=warehouse_resource.location().work_path) as warehouse:
        create_raw(warehouse, orders=[("c1", "1", "open", "999", "2026-01-01 10:00:00")])

    result = _materialize(write_project(tmp_path), warehouse_resource)

    failed = [
        e for e in result.get_asset_check_evaluations() if not e.passed and e.asset_key == ORDERS
    ]
    assert [e.check_name for e in failed] == ["header_net_matches_lines"]
    assert failed[0].metadata["failing_rows"].value == 1
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert ORDERS in materialized
    assert dg.AssetKey(["marts", "po_spend"]) not in materialized
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    message = failure.event_specific_data.error.message
    assert "check canonical.purchase_orders:header_net_matches_lines failed" in message
    assert "1 model(s) downstream skipped" in message


def test_real_model_project_builds_definitions(tmp_path: Path) -> None:
    """The repository's models/ folder loads as one multi-asset without a database."""
    project_dir = Path(__file__).resolve().parents[2] / "models"
    models = build_model_assets(project_dir, target="snowflake", owners=OWNERS)
    assert ORDERS in models.keys
    deps = {d.asset_key for spec in models.specs for d in spec.deps}
    assert dg.AssetKey(["raw_makini", "purchase_orders"]) in deps
    blocking = [s for s in models.check_specs if s.blocking]
    assert blocking and all(s.asset_key.path[0] == "canonical" for s in blocking)
    unused = WarehouseResource(duckdb_path=str(tmp_path / "never-opened.duckdb"))
    dg.Definitions.validate_loadable(
        dg.Definitions(assets=[models], resources={"warehouse": unused})
    )
