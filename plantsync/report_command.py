"""`plantsync report`: write the offline HTML plant report from the configured warehouse."""

from __future__ import annotations

import time
from pathlib import Path

import click

import settings


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory for index.html (default: PLANTSYNC_REPORT_DIR, else data/report).",
)
def report(out: Path | None) -> None:
    """Write the plant report (OEE and spend charts, headline per line, last syncs, failed
    checks) as one HTML file that opens without a network."""
    from plantsync.access import reading
    from report import build_report

    started = time.perf_counter()
    with reading() as warehouse:  # never creates an empty DuckDB file
        path = build_report(warehouse, out or settings.report_dir())
    size_kb = path.stat().st_size / 1024
    click.echo(f"{path} ({size_kb:,.0f} KB) in {time.perf_counter() - started:.1f}s")
