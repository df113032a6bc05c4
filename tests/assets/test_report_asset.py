"""The report asset writes the page where PLANTSYNC_REPORT_DIR says and joins every job;
`drawn_chart` gives the marts their chart as a markdown image."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.definitions import MODELS_DIR, build_definitions
from assets.models import build_model_assets
from assets.report import REPORT_KEY, drawn_chart
from assets.resources import WarehouseResource
from report import mart_figures
from tests.report.plant import build_plant_warehouse
from warehouse.connections import DuckDBWarehouse

CHARTED = (
    "marts.oee_daily",
    "marts.six_big_losses",
    "marts.downtime_pareto",
    "marts.po_spend_monthly",
    "marts.open_po_lines",
)


@pytest.fixture(scope="module")
def warehouse_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_plant_warehouse(tmp_path_factory.mktemp("warehouse"))


@pytest.mark.slow
def test_report_asset_writes_the_page(warehouse_path: Path, isolated_env: Path) -> None:
    result = dg.materialize(
        [build_model_assets(MODELS_DIR, target="duckdb", owners=[], with_report=True)],
        selection=[REPORT_KEY],
        resources={"warehouse": WarehouseResource(duckdb_path=str(warehouse_path))},
    )

    assert result.success
    [materialization] = result.asset_materializations_for_node("models")
    metadata = materialization.metadata
    page = isolated_env / "report" / "index.html"
    assert metadata["path"].value == str(page)
    assert metadata["size_bytes"].value == page.stat().st_size > 10_000


@pytest.mark.slow
def test_the_models_step_gives_each_charted_mart_its_chart(
    warehouse_path: Path, isolated_env: Path
) -> None:
    selection = [dg.AssetKey(fqn.split(".")) for fqn in CHARTED]
    selection.append(dg.AssetKey(["marts", "oee_by_shift"]))

    result = dg.materialize(
        [build_model_assets(MODELS_DIR, target="duckdb", owners=[])],
        selection=selection,
        resources={"warehouse": WarehouseResource(duckdb_path=str(warehouse_path))},
    )

    assert result.success
    charts = {
        m.asset_key.to_user_string(): m.metadata.get("chart")
        for m in result.asset_materializations_for_node("models")
    }
    for fqn in CHARTED:
        chart = charts[fqn.replace(".", "/")]
        assert isinstance(chart, dg.MarkdownMetadataValue), fqn
        assert chart.md_str.startswith(f"![{fqn}](data:image/svg+xml;base64,")
    assert charts["marts/oee_by_shift"] is None


@pytest.mark.slow
def test_chart_metadata_is_a_markdown_svg_image(warehouse_path: Path) -> None:
    with DuckDBWarehouse(duckdb.connect(str(warehouse_path), read_only=True)) as wh:
        for fqn in CHARTED:
            entry = drawn_chart(fqn, mart_figures(wh, fqn))["chart"]
            assert isinstance(entry, dg.MarkdownMetadataValue)
            found = re.fullmatch(
                r"!\[(.+)\]\(data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)\)", entry.md_str
            )
            assert found and found.group(1) == fqn
            svg = base64.b64decode(found.group(2)).decode("utf-8")
            assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
        assert mart_figures(wh, "marts.oee_by_shift") is None


def test_report_joins_every_job_without_crossing_sources() -> None:
    defs = build_definitions()
    jobs = (
        "sync_all_job",
        "makini_sync_job",
        "makini_orders_job",
        "makini_refetch_job",
        "oee_sync_job",
    )
    selected = {name: defs.resolve_job_def(name).asset_layer.selected_asset_keys for name in jobs}

    assert all(REPORT_KEY in keys for keys in selected.values())
    oee_marts = {
        dg.AssetKey(["marts", m]) for m in ("oee_daily", "six_big_losses", "downtime_pareto")
    }
    po_marts = {dg.AssetKey(["marts", m]) for m in ("po_spend_monthly", "open_po_lines")}
    # the report reads both sources' marts; a one-source job must not rebuild the other's
    assert not selected["oee_sync_job"] & po_marts
    for name in ("makini_sync_job", "makini_orders_job", "makini_refetch_job"):
        assert not selected[name] & oee_marts, name
