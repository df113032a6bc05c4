"""Run the Makini source into a destination and report per connection."""

from __future__ import annotations

from collections.abc import Sequence

import dlt
from dlt.common.pipeline import LoadInfo

from pipelines.makini.client import RetrySettings
from pipelines.makini.source import ExtractionReport, makini_source
from settings.connections import Connection


class ConnectionsFailed(RuntimeError):
    """Some connections failed while the others loaded; names each failed connection."""

    def __init__(self, report: ExtractionReport) -> None:
        self.report = report
        reasons = "; ".join(str(exc) for exc in report.failures.values())
        super().__init__(f"{len(report.failures)} connection(s) failed: {reasons}")


def sync(
    pipeline: dlt.Pipeline,
    base_url: str,
    connections: Sequence[Connection],
    *,
    tables: Sequence[str] | None = None,
    keys: dict[str, Sequence[str]] | None = None,
    lookback_s: int | None = None,
    per_page: int | None = None,
    retry: RetrySettings | None = None,
) -> tuple[LoadInfo | None, ExtractionReport]:
    """Load what every healthy connection has; raise `ConnectionsFailed` afterwards if any failed.

    The data of healthy connections is committed before the error is raised.
    """
    report = ExtractionReport()
    options = {
        k: v for k, v in {"lookback_s": lookback_s, "per_page": per_page}.items() if v is not None
    }
    source = makini_source(
        base_url, connections, tables=tables, keys=keys, retry=retry, report=report, **options
    )
    info = pipeline.run(source, loader_file_format="parquet")
    if report.failures:
        raise ConnectionsFailed(report)
    return info, report
