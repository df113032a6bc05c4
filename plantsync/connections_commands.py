"""`plantsync connections status|check`: what plantsync knows about each Makini connection."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from plantsync import settings


@click.group()
def connections() -> None:
    """Status of every Makini connection (canonical.connection_status_history)."""


@connections.command()
def check() -> None:
    """Probe every connection once and record status changes in the warehouse."""
    from assets.connectivity import PROBE_RETRY
    from pipelines.makini.client import MakiniClient
    from pipelines.makini.status import probe
    from warehouse.status_history import record

    base_url = settings.makini_base_url()
    observations = [
        probe(MakiniClient(base_url, connection, PROBE_RETRY))
        for connection in settings.makini_connections()
    ]
    with settings.open_warehouse() as wh:
        changed = {row.connection_id for row in record(wh, observations)}
    for obs in observations:
        mark = "changed" if obs.connection_id in changed else "same"
        click.echo(f"{obs.connection_id:20} {obs.status:12} {mark:8} {obs.detail}")


@connections.command()
@click.option("--json", "as_json", is_flag=True, help="A JSON list, one object per connection.")
def status(as_json: bool) -> None:
    """Status, since when, last successful sync, last failure and next scheduled run."""
    rows = connection_statuses()
    if as_json:
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    if not rows:
        click.echo("no connections configured (MAKINI_CONNECTIONS) and none recorded")
    for row in rows:
        click.echo(
            f"{row['connection_id']:20} {row['status'] or 'unknown':12} since {row['since']}\n"
            f"{'':20} last sync {row['last_successful_sync']}, "
            f"last failure {row['last_failure']}, next run {row['next_scheduled_run']}"
        )


def connection_statuses() -> list[dict]:
    """One dict per connection known from settings or from the recorded history."""
    from pipelines.makini.status import DOWN_STATUSES
    from warehouse.status_history import history, latest

    configured = (
        [c.id for c in settings.makini_connections()] if settings.get("MAKINI_CONNECTIONS") else []
    )
    with settings.open_warehouse() as wh:
        current = latest(wh)
        last_sync = _last_syncs(wh)
        failures = {}
        for row in history(wh):
            if row.status in DOWN_STATUSES:
                failures[row.connection_id] = f"{_iso(row.observed_at)} {row.status}: {row.detail}"
    next_run = _next_run()
    ids = sorted(set(configured) | set(current))
    return [
        {
            "connection_id": conn_id,
            "status": current[conn_id].status if conn_id in current else None,
            "since": _iso(current[conn_id].observed_at) if conn_id in current else None,
            "detail": current[conn_id].detail if conn_id in current else None,
            "last_successful_sync": last_sync.get(conn_id),
            "last_failure": failures.get(conn_id),
            "next_scheduled_run": next_run,
        }
        for conn_id in ids
    ]


def _last_syncs(wh) -> dict[str, str]:
    if not wh.table_exists("raw_makini.purchase_orders"):
        return {}
    rows = wh.query(
        "select connection_id, max(_extracted_at) from raw_makini.purchase_orders group by 1"
    )
    return {conn_id: _iso(at) for conn_id, at in rows}


def _next_run() -> str:
    from croniter import croniter

    from assets.schedules import DAILY_SYNC_CRON, HOURLY_ORDERS_CRON

    now = datetime.now(UTC)
    upcoming = min(
        croniter(cron, now).get_next(datetime) for cron in (DAILY_SYNC_CRON, HOURLY_ORDERS_CRON)
    )
    return _iso(upcoming)


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)
        return value.isoformat(timespec="seconds") + "Z"
    return str(value)
