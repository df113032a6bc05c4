"""The model assets in Dagster: metadata on materialization, checks, and blocking checks."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from assets.models import build_model_assets
from tests.warehouse.example_project import create_raw, write_project
from warehouse.connections import Warehouse, connect


class TempDuckDBWarehouse(dg.ConfigurableResource):
    """The `warehouse` resource contract: `connect()` returns a model-engine Warehouse."""

    path: str

    def connect(self) -> Warehouse:
        return connect("duckdb", duckdb_path=self.path)


@pytest.fixture
def warehouse_resource(duckdb_path: Path) -> TempDuckDBWarehouse:
    with connect("duckdb", duckdb_path=duckdb_path) as warehouse:
        create_raw(warehouse)
    return TempDuckDBWarehouse(path=str(duckdb_path))


def _materialize(project_dir: Path, resource: TempDuckDBWarehouse) -> dg.ExecuteInProcessResult:
    assets, checks = build_model_assets(project_dir, target="duckdb")
    return dg.materialize(
        [*assets, *checks], resources={"warehouse": resource}, raise_on_error=False
    )


def test_definitions_need_no_database(tmp_path: Path) -> None:
    assets, checks = build_model_assets(write_project(tmp_path), target="duckdb")
    keys = {key.to_user_string() for a in assets for key in a.keys}
    assert "canonical/purchase_orders" in keys and "seeds/po_status_map" in keys
    orders = next(a for a in assets if dg.AssetKey(["canonical", "purchase_orders"]) in a.keys)
    spec = orders.specs_by_key[dg.AssetKey(["canonical", "purchase_orders"])]
    assert {d.asset_key for d in spec.deps} == {
        dg.AssetKey(["staging", "purchase_orders"]),
        dg.AssetKey(["staging", "purchase_order_lines"]),
        dg.AssetKey(["seeds", "po_status_map"]),
    }
    assert spec.description == "One row per purchase order."
    assert spec.kinds == {"sql", "duckdb"}
    staging = next(a for a in assets if dg.AssetKey(["staging", "purchase_orders"]) in a.keys)
    deps = staging.specs_by_key[dg.AssetKey(["staging", "purchase_orders"])].deps
    assert {d.asset_key for d in deps} == {dg.AssetKey(["raw_makini", "purchase_orders"])}
    check_specs = {s.name: s for c in checks for s in c.check_specs}
    assert check_specs["unique_po_id"].blocking
    assert not check_specs["accepted_values_status"].blocking  # warn severity
    unused = TempDuckDBWarehouse(path=str(tmp_path / "never-opened.duckdb"))
    dg.Definitions.validate_loadable(
        dg.Definitions(assets=assets, asset_checks=checks, resources={"warehouse": unused})
    )
    assert not (tmp_path / "never-opened.duckdb").exists()


def test_materialize_records_metadata_and_checks(tmp_path: Path, warehouse_resource) -> None:
    result = _materialize(write_project(tmp_path), warehouse_resource)
    assert result.success
    orders = dg.AssetKey(["canonical", "purchase_orders"])
    [materialization] = result.asset_materializations_for_node("canonical__purchase_orders")
    metadata = materialization.metadata
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
    assert evaluations[(orders, "unique_po_id")].passed
    assert evaluations[(orders, "header_net_matches_lines")].passed


def test_failing_canonical_check_blocks_downstream(tmp_path: Path, warehouse_resource) -> None:
    with connect("duckdb", duckdb_path=warehouse_resource.path) as warehouse:
        create_raw(warehouse, orders=[("c1", "1", "open", "999", "2026-01-01 10:00:00")])
    result = _materialize(write_project(tmp_path), warehouse_resource)
    orders = dg.AssetKey(["canonical", "purchase_orders"])
    failed = [
        e for e in result.get_asset_check_evaluations() if not e.passed and e.asset_key == orders
    ]
    assert [e.check_name for e in failed] == ["header_net_matches_lines"]
    assert failed[0].metadata["failing_rows"].value == 1
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert orders in materialized
    assert dg.AssetKey(["marts", "po_spend"]) not in materialized


def test_real_model_project_builds_definitions(tmp_path: Path) -> None:
    """The repository's models/ folder loads as assets and checks without a database."""
    project_dir = Path(__file__).resolve().parents[2] / "models"
    assets, checks = build_model_assets(project_dir, target="snowflake")
    keys = {key for a in assets for key in a.keys}
    assert dg.AssetKey(["canonical", "purchase_orders"]) in keys
    deps = {d.asset_key for a in assets for spec in a.specs for d in spec.deps}
    assert dg.AssetKey(["raw_makini", "purchase_orders"]) in deps
    blocking = [s for c in checks for s in c.check_specs if s.blocking]
    assert blocking and all(s.asset_key.path[0] == "canonical" for s in blocking)
    unused = TempDuckDBWarehouse(path=str(tmp_path / "never-opened.duckdb"))
    dg.Definitions.validate_loadable(
        dg.Definitions(assets=assets, asset_checks=checks, resources={"warehouse": unused})
    )
