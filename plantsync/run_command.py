"""`plantsync run`: materialize the asset graph through Dagster and summarize what it did."""

from __future__ import annotations

import logging
import os
import sys
import time

import click

from plantsync import settings

JOBS = {"all": "sync_all_job", "makini": "makini_sync_job", "oee": "oee_sync_job"}


@click.command()
@click.option(
    "--source",
    type=click.Choice(sorted(JOBS)),
    default="all",
    show_default=True,
    help="Which source to ingest; models that need only that source are built after it.",
)
def run(source: str) -> None:
    """Ingest, build canonical tables and marts, and run checks for the configured destination."""
    check_settings(source)
    from plantsync.summary import RunSummary, execute_job, open_instance

    retries = settings.number("PLANTSYNC_RUN_RETRIES", 1)
    delay_s = settings.number("PLANTSYNC_RUN_RETRY_DELAY_S", 60.0, float)
    _console_progress()
    with open_instance() as instance:
        for attempt in range(retries + 1):
            started = time.monotonic()
            result = execute_job(JOBS[source], instance)
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
    """Fail before Dagster starts when a setting the chosen source needs is missing or bad."""
    settings.destination()
    if source in ("makini", "all"):
        settings.makini_base_url()
        settings.makini_connections()
    if source in ("oee", "all"):
        url = settings.oee_db_url()
        if url.startswith("sqlite:///") and not os.path.exists(url.removeprefix("sqlite:///")):
            raise settings.SettingsError(
                f"PLANTSYNC_OEE_DB_URL={url!r}: no such SQLite file "
                "(create one with `plantsync sandbox plant-db`)"
            )


def _console_progress() -> None:
    logger = logging.getLogger("plantsync")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("  %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
