"""The plant report asset's spec and writer, and the chart metadata the mart assets attach to
their pages.

The Dagster UI strips inline `<svg>` from markdown metadata but shows a markdown image with a
`data:image/svg+xml;base64,...` URI (in the dialog behind "[Show Markdown]" on the asset page and
in each materialization event), so that is how a mart carries its chart.
"""

# no `from __future__ import annotations`: Dagster inspects the context type hints at runtime
import base64
import time
from contextlib import AbstractContextManager, nullcontext

import dagster as dg

import settings
from report import CHARTS_BY_MART, ChartFigures
from report.status import KnownFailures
from warehouse.connections import Warehouse
from warehouse.model import Project

REPORT_KEY = dg.AssetKey(["report", "plant_report"])


def drawn_chart(fqn: str, figures: ChartFigures) -> dict[str, dg.MetadataValue]:
    """`{"chart": <markdown image>}` of mart `fqn` from its figures (`report.mart_figures`, read
    after the mart is built); drawing needs no warehouse connection."""
    encoded = base64.b64encode(figures.svg().encode("utf-8")).decode("ascii")
    return {"chart": dg.MetadataValue.md(f"![{fqn}](data:image/svg+xml;base64,{encoded})")}


def chart_engine(selected: set[str]) -> AbstractContextManager:
    """Start the chart renderer ahead of the charts when `selected` (model names) holds a mart
    with a chart: its engine starts while the tables before the marts are built."""
    if selected & CHARTS_BY_MART.keys():
        from report.vega import background_engine

        return background_engine()
    return nullcontext()


def report_spec(owners: list[str]) -> dg.AssetSpec:
    """The plant report, an asset of the models step: it is written right after the marts are
    published, in the process that has just rendered their charts."""
    return dg.AssetSpec(
        REPORT_KEY,
        deps=[dg.AssetKey(fqn.split(".")) for fqn in CHARTS_BY_MART],
        description=(
            "The offline HTML plant report: OEE and spend charts, headline per line, syncs, checks."
        ),
        kinds={"html"},
        group_name="report",
        owners=owners,
        skippable=True,
    )


def write_report(
    warehouse: Warehouse, project: Project, known: KnownFailures
) -> dg.MaterializeResult:
    """Write the report from `warehouse` (what analysts read) into `PLANTSYNC_REPORT_DIR`;
    `known`: the failing-row counts of the checks this step has just run."""
    from report import build_report

    started = time.perf_counter()
    path = build_report(warehouse, settings.report_dir(), project=project, known=known)
    seconds = time.perf_counter() - started
    return dg.MaterializeResult(
        asset_key=REPORT_KEY,
        metadata={
            "path": dg.MetadataValue.path(str(path.resolve())),
            "size_bytes": path.stat().st_size,
            "seconds": round(seconds, 3),
        },
    )
