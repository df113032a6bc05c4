"""The report as a reader's browser shows it: headless Chromium, no network, no errors, every
chart drawn (or, with no data, the panel saying so)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from report import build_report
from report.build import CHARTS
from tests.report.chromium import chromium_or_skip, visit
from warehouse.connections import DuckDBWarehouse, connect


@pytest.fixture(scope="module")
def chromium() -> str:
    return chromium_or_skip()


@pytest.mark.slow
def test_report_renders_every_chart_without_errors(
    chromium: str, plant_warehouse_path: Path, tmp_path: Path
) -> None:
    with DuckDBWarehouse(duckdb.connect(str(plant_warehouse_path), read_only=True)) as wh:
        page = build_report(wh, tmp_path)

    seen = visit(chromium, page)

    assert seen.console_errors == []
    assert seen.requests == [page.resolve().as_uri()], "the page loads nothing else"
    assert [c["chart"] for c in seen.charts] == [chart.name for chart in CHARTS]
    for chart in seen.charts:
        assert not chart["empty"], chart["chart"]
        assert chart["width"] > 200 and chart["height"] > 100, chart["chart"]
        assert chart["drawn_marks"] >= 5, f"{chart['chart']} rendered empty"


@pytest.mark.slow
def test_empty_report_shows_no_data_panels(chromium: str, tmp_path: Path) -> None:
    with connect("duckdb", duckdb_path=tmp_path / "empty.duckdb") as wh:
        page = build_report(wh, tmp_path / "report")

    seen = visit(chromium, page)

    assert seen.console_errors == []
    assert seen.requests == [page.resolve().as_uri()]
    for chart in seen.charts:
        assert chart["empty"]
        assert chart["width"] > 200 and chart["height"] > 50
        assert "No data yet" in chart["text"], chart["chart"]
