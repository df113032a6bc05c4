"""Build the plant report: the figures from the warehouse, one SVG chart per mart, one HTML file.

`mart_chart` gives the chart of a single mart (for the mart's own page in Dagster; `mart_figures`
reads its figures alone, to draw them elsewhere); `build_report` writes the whole report.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from report import oee, purchasing
from report.oee_charts import pareto_spec, trend_spec, waterfall_spec
from report.page import render_page
from report.po_charts import open_lines_spec, spend_spec
from report.status import KnownFailures, check_results, last_syncs
from report.vega import no_data_panel, render
from warehouse.connections import Warehouse
from warehouse.model import Project

REPORT_FILE = "index.html"
OEE_HINT = "It appears after the OEE source has synced and a plant day has ended."
PO_HINT = "It appears after the first Makini sync."


@dataclass(frozen=True)
class Chart:
    """One chart: the mart it pictures, how to read its figures and how to draw them."""

    name: str
    mart: str
    section: str
    title: str
    no_data_hint: str
    rows: Callable[[Warehouse], list[dict[str, Any]]]
    spec: Callable[[list[dict[str, Any]], oee.Window | None], dict[str, Any]]


CHARTS = (
    Chart(
        "oee_trend",
        "marts.oee_daily",
        "oee",
        "OEE trend per line",
        OEE_HINT,
        oee.trend,
        lambda rows, span: trend_spec(rows, span.first_day, span.last_day),
    ),
    Chart(
        "six_big_losses",
        "marts.six_big_losses",
        "oee",
        "Six big losses per line",
        OEE_HINT,
        oee.losses,
        lambda rows, span: waterfall_spec(rows, span.first_day, span.last_day),
    ),
    Chart(
        "downtime_pareto",
        "marts.downtime_pareto",
        "oee",
        "Downtime Pareto per line",
        OEE_HINT,
        oee.pareto,
        lambda rows, span: pareto_spec(rows, span.first_day, span.last_day),
    ),
    Chart(
        "po_spend_monthly",
        "marts.po_spend_monthly",
        "purchasing",
        "Spend per month and connection",
        PO_HINT,
        purchasing.spend,
        lambda rows, _: spend_spec(rows),
    ),
    Chart(
        "open_po_lines",
        "marts.open_po_lines",
        "purchasing",
        "Open purchase-order lines by due date",
        PO_HINT,
        purchasing.open_lines,
        lambda rows, _: open_lines_spec(rows),
    ),
)
CHARTS_BY_MART = {chart.mart: chart for chart in CHARTS}


def chart_svg(chart: Chart, rows: list[dict[str, Any]], span: oee.Window | None) -> str:
    """The chart as SVG, or the "no data yet" panel when there is nothing to draw."""
    if not rows:
        return no_data_panel(chart.title, chart.no_data_hint)
    return render(chart.spec(rows, span), scope=chart.name)


@dataclass(frozen=True)
class ChartFigures:
    """What one mart's chart shows, read from the warehouse; drawing it needs no warehouse."""

    chart: Chart
    rows: list[dict[str, Any]]
    span: oee.Window | None

    def svg(self) -> str:
        return chart_svg(self.chart, self.rows, self.span)


def mart_figures(warehouse: Warehouse, fqn: str) -> ChartFigures | None:
    """The figures of mart `fqn`'s chart (e.g. "marts.oee_daily"); None for a model without one."""
    chart = CHARTS_BY_MART.get(fqn)
    if chart is None:
        return None
    return ChartFigures(chart, chart.rows(warehouse), oee.window(warehouse))


def mart_chart(warehouse: Warehouse, fqn: str) -> str | None:
    """The SVG chart of mart `fqn`; None for a model without one."""
    figures = mart_figures(warehouse, fqn)
    return figures.svg() if figures else None


def collect(
    warehouse: Warehouse, project: Project | None = None, known: KnownFailures | None = None
) -> dict[str, Any]:
    """Every figure the report shows, as plain JSON values (embedded in the page as is)."""
    span = oee.window(warehouse)
    return {
        "built_at": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z",
        "warehouse": warehouse.dialect,
        "window": {"first_day": span.first_day, "last_day": span.last_day} if span else None,
        "headline": oee.headline(warehouse),
        "charts": {chart.name: chart.rows(warehouse) for chart in CHARTS},
        "last_syncs": last_syncs(warehouse),
        "checks": check_results(warehouse, project, known),
    }


def build_report(
    warehouse: Warehouse,
    out_dir: str | Path,
    *,
    project: Project | None = None,
    known: KnownFailures | None = None,
) -> Path:
    """Write the report to `out_dir`/index.html (replaced whole, never half-written) and
    return its path. Reads the warehouse only; `project` (default: the project's models/) and
    `known` (checks just done) save work when a run writes it."""
    data = collect(warehouse, project, known)
    span = oee.window(warehouse)
    svgs = {chart.name: chart_svg(chart, data["charts"][chart.name], span) for chart in CHARTS}
    html = render_page(data, [(chart, svgs[chart.name]) for chart in CHARTS])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / REPORT_FILE
    # a name of its own: runs of two warehouses may share one report folder, and each replaces
    # the page whole (the last one written stays)
    partial = out / f".{REPORT_FILE}.{os.getpid()}.{uuid.uuid4().hex[:8]}.partial"
    try:
        partial.write_text(html, encoding="utf-8")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path
