"""`plantsync report`: write the offline HTML plant report from the configured warehouse."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from plantsync import settings

if TYPE_CHECKING:
    from warehouse.connections import Warehouse


def _open_warehouse() -> Warehouse:
    """The configured warehouse, only if it exists: a report never creates an empty one."""
    if settings.destination() == "duckdb" and not settings.duckdb_path().exists():
        raise click.ClickException(
            f"no warehouse at {settings.duckdb_path()}: run `plantsync run` first"
        )
    return settings.open_warehouse()


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
    from report import build_report
    from warehouse.errors import WarehouseError

    started = time.perf_counter()
    try:
        with _open_warehouse() as warehouse:
            path = build_report(warehouse, out or settings.report_dir())
    except WarehouseError as exc:
        raise click.ClickException(str(exc)) from exc
    size_kb = path.stat().st_size / 1024
    click.echo(f"{path} ({size_kb:,.0f} KB) in {time.perf_counter() - started:.1f}s")
