"""`plantsync connections status|check`: what plantsync knows about each Makini connection."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

import settings


@click.group()
def connections() -> None:
    """Status of every Makini connection (canonical.connection_status_history)."""


@connections.command()
def check() -> None:
    """Probe every connection once and record status changes in the warehouse.

    Exits non-zero when a connection is down (auth_failed, unreachable, inactive).
    """
    from connectivity.history import record
    from connectivity.status import PROBE_RETRY, probe
    from pipelines.makini.client import MakiniClient
    from plantsync.access import writing

    base_url = settings.makini_base_url()
    observations = [
        probe(MakiniClient(base_url, connection, PROBE_RETRY))
        for connection in settings.makini_connections()
    ]
    with writing("connections check") as wh:
        changed = {row.connection_id for row in record(wh, observations)}
    for obs in observations:
        mark = "changed" if obs.connection_id in changed else "same"
        click.echo(f"{obs.connection_id:20} {obs.status:12} {mark:8} {obs.detail}")
    down = [obs.connection_id for obs in observations if obs.is_down]
    if down:
        raise click.ClickException(f"{len(down)} connection(s) down: {', '.join(down)}")


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
        since = f"since {row['since']}" if row["since"] else "(no status recorded yet)"
        failure = row["last_failure"] or "none recorded"
        click.echo(
            f"{row['connection_id']:20} {row['status'] or 'unknown':12} {since}\n"
            f"{'':20} last sync {row['last_successful_sync'] or 'never'}, "
            f"last failure {failure}, next run {row['next_scheduled_run']}"
        )


def connection_statuses() -> list[dict]:
    """One dict per connection known from settings or from the recorded history; values are
    null where nothing is known yet (no warehouse, never synced)."""
    from connectivity.history import history, latest
    from connectivity.status import DOWN_STATUSES
    from connectivity.sync_log import last_success
    from plantsync.access import reading
    from settings.warehouse import WarehouseSettings

    configured = (
        [c.id for c in settings.makini_connections()] if settings.get("MAKINI_CONNECTIONS") else []
    )
    current, last_sync, failures = {}, {}, {}
    if _warehouse_exists(WarehouseSettings.from_env()):
        with reading() as wh:
            current = latest(wh)
            last_sync = {k: _iso(v) for k, v in last_success(wh, "makini").items()}
            for row in history(wh):
                if row.status in DOWN_STATUSES:
                    failures[row.connection_id] = (
                        f"{_iso(row.observed_at)} {row.status}: {row.detail}"
                    )
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


def _warehouse_exists(location) -> bool:
    """False only for a DuckDB warehouse that was never published: nothing is known yet."""
    return not location.is_duckdb or location.duckdb_path.is_file()


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
