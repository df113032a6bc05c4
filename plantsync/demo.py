"""`make demo` / `make dev`: the whole job on the embedded default, with nothing to configure.

Starts the sandbox Makini API on a free port, creates the plant OEE database once, syncs
everything into `data/warehouse.duckdb` through Dagster, prints the summary and queries an
analyst could run next, then stops the sandbox. Each later demo first replays the sandbox's
earlier days and then advances it by one more (5% of orders changed, 25 new per connection),
so the sync is incremental and says how much changed.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

import click
import requests

DATA = Path("data")
SEED = 7
CONNECTIONS = 3
PURCHASE_ORDERS = 2000
PLANT_LINES, PLANT_DAYS = 4, 30
DAY = {"changed_fraction": 0.05, "new_purchase_orders": 25}


def dev_instance(home: Path) -> str:
    """The demo's and `make dev`'s `dagster.yaml` for the Dagster instance in `home` (absolute).

    Its event log is on SQLite with connections kept open (`assets.event_log_storage`). DuckDB
    has one writer, so every step in the warehouse writer pool waits for a slot instead of for
    the file. Whole failed runs are retried only when the failure was not a step's own (a
    crashed worker), since steps retry themselves.
    """
    from assets.event_log_storage import settings_for

    return f"""\
telemetry:
  enabled: false
{settings_for(home)}concurrency:
  pools:
    default_limit: 1
    granularity: op
run_retries:
  enabled: true
  max_retries: 1
  retry_on_asset_or_op_failure: false
"""


# How long `make dev` gives `dagster dev` to stop after Ctrl-C before killing it.
DEV_STOP_TIMEOUT_S = 10


@click.command()
@click.option("--dev", is_flag=True, help="Open the Dagster UI on the same setup instead.")
@click.option("--port", default=3000, show_default=True, help="The Dagster UI's port (--dev).")
def main(dev: bool, port: int) -> None:
    """Run the demo (or the Dagster UI with --dev), with everything under ./data."""
    DATA.mkdir(exist_ok=True)
    state_file = DATA / "demo_state.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    first_run = not (DATA / "warehouse.duckdb").exists()
    if first_run or "sandbox_start" not in state:
        # The sandbox's world ends on the day of the first demo, so due dates look current;
        # later demos keep that day, so the same world only moves on.
        state = {"days": 0, "sandbox_start": date.today().isoformat()}
    os.environ.setdefault("PLANTSYNC_SANDBOX_START", state["sandbox_start"])
    from sandbox.makini.server import SandboxServer

    click.echo(f"plantsync demo: sandbox with {CONNECTIONS} connections × {PURCHASE_ORDERS} orders")
    with SandboxServer(seed=SEED, connections=CONNECTIONS, purchase_orders=PURCHASE_ORDERS) as api:
        _replay_days(api.base_url, state["days"])
        if not first_run and not dev:
            changes = _advance(api.base_url)
            state["days"] += 1
            changed = sum(len(c["changed"]) for c in changes.values())
            new = sum(len(c["new"]) for c in changes.values())
            click.echo(f"a day passed in the sandbox: {changed} orders changed, {new} new")
        _configure(api)
        _prepare_plant_db()
        if dev:
            _dagster_dev(port)
            return
        from plantsync.run_command import run

        try:
            run.main(["--source", "all"], standalone_mode=False)
        except click.ClickException as exc:
            raise SystemExit(f"plantsync demo: {exc.format_message()}") from None
        finally:
            state_file.write_text(json.dumps(state))
    _print_queries()
    _print_report()


def _replay_days(base_url: str, days: int) -> None:
    for _ in range(days):
        _advance(base_url)


def _advance(base_url: str) -> dict:
    response = requests.post(f"{base_url}/_sandbox/advance", json=DAY, timeout=60)
    response.raise_for_status()
    return response.json()


def _configure(api) -> None:
    """Every path absolute: `dagster dev` runs its code server in the repository, not here."""
    data = DATA.resolve()
    os.environ.update(
        {
            "MAKINI_BASE_URL": api.base_url,
            "MAKINI_CONNECTIONS": api.connections_json(),
            "PLANTSYNC_DESTINATION": "duckdb",
            "PLANTSYNC_DUCKDB_PATH": str(data / "warehouse.duckdb"),
            "PLANTSYNC_OEE_DB_URL": f"sqlite:///{data / 'plant.db'}",
            "PLANTSYNC_WEBHOOK_INBOX_URL": f"sqlite:///{data / 'webhook_inbox.db'}",
            "PLANTSYNC_REPORT_DIR": str(data / "report"),
            "PLANTSYNC_STATE_DIR": str(data / "state"),
            "DAGSTER_HOME": str(data / "dagster_home"),
        }
    )
    home = data / "dagster_home"
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text(dev_instance(home))


def _prepare_plant_db() -> None:
    """Create the plant database once; on later demos, let the plant catch up late updates."""
    from sandbox.plant import apply_late_updates, generate

    url = os.environ["PLANTSYNC_OEE_DB_URL"]
    if not (DATA / "plant.db").exists():
        click.echo(f"creating the plant OEE database: {PLANT_LINES} lines × {PLANT_DAYS} days")
        # The plant's history ends today, so "the last day" in the summary is yesterday.
        start = datetime.combine(date.today() - timedelta(days=PLANT_DAYS), time())
        generate(url, lines=PLANT_LINES, days=PLANT_DAYS, seed=SEED, start=start)
        return
    changes = apply_late_updates(url)
    click.echo(
        f"the plant caught up: {changes['closed_events']} open stops closed, "
        f"{changes['added_counts']} production counts added"
    )


def _dagster_dev(port: int) -> None:
    """`dagster dev` in its own process group, stopped as a group on Ctrl-C or SIGTERM.

    `dagster dev` starts the webserver, the daemon and a code server; asked with SIGINT it
    stops them all. If it has not within `DEV_STOP_TIMEOUT_S`, the whole group is killed, so
    no daemon outlives the sandbox and records statuses of an API that is gone.
    """
    workspace = Path(__file__).resolve().parents[1] / "workspace.yaml"
    command = [sys.executable, "-m", "dagster", "dev", "-w", str(workspace), "-p", str(port)]
    _stop_with_parent()
    # `dagster dev` warns on every start that a `dg dev` CLI supersedes it; nothing to act on.
    env = {**os.environ, "PYTHONWARNINGS": "ignore:Function `dev_command` is superseded"}
    process = subprocess.Popen(command, start_new_session=True, env=env)

    def stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        process.wait()
    except KeyboardInterrupt:
        click.echo("stopping dagster dev ...", err=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop_group(process)


def _stop_with_parent() -> None:
    """Get SIGTERM when the parent dies: `make` does not pass a SIGTERM on to its recipe."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _stop_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        _signal_group(process.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=DEV_STOP_TIMEOUT_S)
    # Children that outlived their parent stay in its group.
    _signal_group(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait()


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


QUERIES = {
    "Top vendors by spend in the latest month (each connection's base currency)": """
        select month, connection_id, vendor_name, base_currency_code,
               sum(spend_base) as spend_base
        from marts.po_spend_monthly
        where month = (select max(month) from marts.po_spend_monthly)
        group by all order by spend_base desc limit 5""",
    "Open purchase-order lines by due bucket": """
        select due_bucket, count(*) as lines
        from marts.open_po_lines group by 1 order by 2 desc""",
    "OEE per line, its last full day": """
        select line_id, day, round(availability, 3) as availability,
               round(performance, 3) as performance, round(quality, 3) as quality,
               round(oee, 3) as oee
        from marts.oee_daily
        qualify day = max(day) over (partition by line_id) - 1
        order by line_id""",
}


def _print_queries() -> None:
    import duckdb

    con = duckdb.connect(str(DATA / "warehouse.duckdb"), read_only=True)
    click.echo("\nTry these next (duckdb data/warehouse.duckdb):")
    for title, sql in QUERIES.items():
        click.echo(f"\n-- {title}\n{_dedent(sql)};")
        try:
            cursor = con.execute(sql)
            names = [d[0] for d in cursor.description]
            click.echo("   " + " | ".join(names))
            for row in cursor.fetchall():
                click.echo("   " + " | ".join(str(v) for v in row))
        except Exception as exc:  # noqa: BLE001 - a demo query must not hide the summary
            click.echo(f"   ({type(exc).__name__}: {exc})")
    con.close()


def _print_report() -> None:
    """The run wrote the plant report (the report asset); say where to open it."""
    import settings
    from report.build import REPORT_FILE

    path = settings.report_dir() / REPORT_FILE
    click.echo(f"\nThe plant report, charts included (opens offline): {path}")


def _dedent(sql: str) -> str:
    return "\n".join(line.strip() for line in sql.strip().splitlines())


if __name__ == "__main__":
    main()
