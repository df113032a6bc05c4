"""`plantsync run`: materialize the asset graph through Dagster and summarize what it did."""

from __future__ import annotations

import gc
import logging
import sys
import time

import click

import settings

JOBS = {"all": "sync_all_job", "makini": "makini_sync_job", "oee": "oee_sync_job"}


@click.command()
@click.option(
    "--source",
    type=click.Choice(sorted(JOBS)),
    default="all",
    show_default=True,
    help="Which source to ingest; models that need only that source are built after it.",
)
@click.option(
    "--full-refresh",
    is_flag=True,
    help="Rebuild incremental models (purchase orders and their lines) from scratch and check "
    "every row.",
)
@click.option(
    "--full-checks",
    is_flag=True,
    help="Check every row of incremental models, not just the rows this run merged.",
)
def run(source: str, full_refresh: bool, full_checks: bool) -> None:
    """Ingest, build canonical tables and marts, and run checks for the configured destination.

    One source failing (a connection's token, the plant database) does not stop the rest: what
    loaded is built and published, and the command then exits non-zero naming what failed.
    """
    # Loading Dagster, dlt and the definitions makes hundreds of thousands of objects that live
    # as long as the process and no garbage, yet each full cycle collection meanwhile walks them
    # all (0.3 s of a small run). Off until they are loaded: `execute_job` freezes them and turns
    # it back on.
    gc.disable()
    try:
        check_settings(source)
        _run(source, full_refresh, full_checks)
    finally:
        gc.enable()


def _run(source: str, full_refresh: bool, full_checks: bool) -> None:
    from plantsync.summary import RunSummary, execute_job, open_instance
    from report.vega import background_engine

    retries = settings.run_retries()
    delay_s = settings.run_retry_delay_s()
    _console_progress()
    # Every job ends with charted marts: their renderer starts now, while the ingest mostly
    # waits on its sources, rather than beside the models step's queries.
    with open_instance() as instance, background_engine():
        for attempt in range(retries + 1):
            started = time.monotonic()
            result = execute_job(
                JOBS[source], instance, {"full_refresh": full_refresh, "full_checks": full_checks}
            )
            summary = RunSummary.from_result(result, time.monotonic() - started)
            if result.success or not summary.retryable or attempt == retries:
                break
            wait_s = delay_s * 2**attempt
            click.echo(
                f"run failed ({summary.failure_line()}); running it again in {wait_s:.0f}s "
                f"(retry {attempt + 1} of {retries})",
                err=True,
            )
            time.sleep(wait_s)
        success = result.success
    click.echo(summary.render())
    if not success:
        raise click.ClickException(summary.failure_line())


def check_settings(source: str) -> None:
    """Fail before any work when a setting the chosen source needs can never work."""
    from settings.warehouse import WarehouseSettings
    from warehouse.access import check_location

    check_location(WarehouseSettings.from_env())
    readers = [settings.step_retries, settings.step_retry_delay_s, settings.asset_owners]
    if source in ("makini", "all"):
        readers += [settings.makini_base_url, settings.makini_connections]
        readers += [settings.makini_per_page, settings.makini_lookback_s]
        readers += [settings.http_max_attempts, settings.http_backoff_s, settings.http_timeout_s]
    for read in readers:
        read()
    if source in ("oee", "all"):
        from pipelines.oee.helpers import absolute_sqlite_url

        url = settings.oee_db_url()
        try:
            absolute_sqlite_url(url)
        except FileNotFoundError as exc:
            raise settings.SettingsError(
                f"PLANTSYNC_OEE_DB_URL={url!r}: no such SQLite file "
                "(create one with `plantsync sandbox plant-db`)"
            ) from exc


def _console_progress() -> None:
    logger = logging.getLogger("plantsync")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("  %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
