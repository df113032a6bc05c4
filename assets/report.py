"""The plant report asset, and the chart metadata the mart assets attach to their pages.

The Dagster UI strips inline `<svg>` from markdown metadata but shows a markdown image with a
`data:image/svg+xml;base64,...` URI (in the dialog behind "[Show Markdown]" on the asset page and
in each materialization event), so that is how a mart carries its chart.
"""

# no `from __future__ import annotations`: Dagster inspects the context type hints at runtime
import base64
import time

import dagster as dg

import settings
from report import CHARTS_BY_MART
from warehouse.connections import Warehouse

REPORT_KEY = dg.AssetKey(["report", "plant_report"])


def chart_metadata(warehouse: Warehouse, fqn: str) -> dict[str, dg.MetadataValue]:
    """`{"chart": <markdown image>}` for a mart the report pictures (e.g. "marts.oee_daily"),
    `{}` for any other model. Reads the warehouse; call it after the mart is built."""
    from report import mart_chart

    svg = mart_chart(warehouse, fqn)
    if svg is None:
        return {}
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return {"chart": dg.MetadataValue.md(f"![{fqn}](data:image/svg+xml;base64,{encoded})")}


@dg.asset(
    key=REPORT_KEY,
    deps=[dg.AssetKey(fqn.split(".")) for fqn in CHARTS_BY_MART],
    kinds={"html"},
    group_name="report",
    required_resource_keys={"warehouse"},
)
def plant_report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """The offline HTML plant report: OEE and spend charts, headline per line, syncs, checks."""
    from report import build_report

    started = time.perf_counter()
    # what analysts read (on DuckDB the published file): no writer lock to wait for
    with context.resources.warehouse.reader() as warehouse:
        path = build_report(warehouse, settings.report_dir())
    seconds = time.perf_counter() - started
    context.log.info(f"plant report: {path} in {seconds:.1f}s")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path.resolve())),
            "size_bytes": path.stat().st_size,
            "seconds": round(seconds, 3),
        }
    )
