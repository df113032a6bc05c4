"""Analysts and syncs share the DuckDB warehouse: readers holding the file, for the whole sync or
a query at a time, see no errors and only whole runs, and never hold the sync up; `plantsync
query` reads what they read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from plantsync.query_command import query
from plantsync.run_command import run

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
# Orders in the raw table and in the canonical one: equal after every whole run, unequal if a
# reader ever saw raw data of a run whose models it did not see yet.
OBSERVE = (
    "select (select count(*) from raw_makini.purchase_orders), "
    "(select count(*) from canonical.purchase_orders)"
)
READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import duckdb

    path, out, stop, mode = sys.argv[1:5]
    sql = sys.argv[5]
    with open(out, "w") as log:
        con = duckdb.connect(path, read_only=True) if mode == "long" else None
        print("ready", flush=True)
        while not Path(stop).exists():
            try:
                if mode == "long":
                    row = con.execute(sql).fetchone()
                else:
                    with duckdb.connect(path, read_only=True) as short:
                        row = short.execute(sql).fetchone()
                log.write(json.dumps({"row": list(row)}) + "\\n")
            except Exception as exc:
                log.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\\n")
            log.flush()
            time.sleep(0.05)
    """
)
HOLD_READ_WRITE = textwrap.dedent(
    """
    import duckdb, sys, time
    con = duckdb.connect(sys.argv[1])
    print("ready", flush=True)
    time.sleep(600)
    """
)


def _start(*args: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", *args], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    if process.stdout.readline().strip() != "ready":
        process.kill()
        process.wait()
        raise AssertionError("a reader process did not start")
    return process


def _observations(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _sync(cwd: Path) -> subprocess.CompletedProcess:
    """`plantsync run` in a process of its own, as a scheduler starts it."""
    return subprocess.run(
        [sys.executable, "-m", "plantsync", "run", "--source", "makini"],
        cwd=cwd,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=600,
    )


def _synced_then_changed(
    makini_sandbox, monkeypatch, *, seed: int, connections: int, orders: int, new_orders: int
) -> None:
    """A first sync in process, then a fifth of the orders change and `new_orders` arrive per
    connection: the next sync has work to publish."""
    sandbox = makini_sandbox(seed=seed, connections=connections, purchase_orders=orders)
    monkeypatch.setenv("PLANTSYNC_RUN_RETRIES", "0")
    assert CliRunner().invoke(run, ["--source", "makini"]).exit_code == 0
    requests.post(
        f"{sandbox.base_url}/_sandbox/advance",
        json={"changed_fraction": 0.2, "new_purchase_orders": new_orders},
        timeout=60,
    ).raise_for_status()


def _orders_now() -> str:
    result = CliRunner().invoke(query, ["select count(*) as orders from canonical.purchase_orders"])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[2].strip()


def test_readers_during_a_sync_see_whole_runs_and_never_block_it(
    makini_sandbox, duckdb_path: Path, isolated_env: Path, monkeypatch
) -> None:
    _synced_then_changed(
        makini_sandbox, monkeypatch, seed=41, connections=2, orders=400, new_orders=60
    )
    stop = isolated_env / "stop"
    logs = {mode: isolated_env / f"{mode}.jsonl" for mode in ("long", "short")}
    readers: list[subprocess.Popen] = []
    try:
        for mode, log in logs.items():
            readers.append(_start(READER, str(duckdb_path), str(log), str(stop), mode, OBSERVE))
        sync = _sync(isolated_env)
    finally:
        stop.touch()
        for process in readers:
            process.wait(timeout=60)

    assert sync.returncode == 0, sync.stderr[-3000:]
    seen = {mode: _observations(log) for mode, log in logs.items()}
    errors = [o["error"] for observations in seen.values() for o in observations if "error" in o]
    assert errors == []
    rows = [tuple(o["row"]) for observations in seen.values() for o in observations]
    assert rows and all(raw == canonical for raw, canonical in rows)
    # The long-lived reader kept the snapshot it opened: the first run's 800 orders.
    assert {tuple(o["row"]) for o in seen["long"]} == {(800, 800)}
    # A new connection after the sync sees it: 60 new orders per connection.
    assert _orders_now() == "920"


def test_an_analyst_holding_the_file_read_write_does_not_block_a_sync(
    makini_sandbox, duckdb_path: Path, isolated_env: Path, monkeypatch
) -> None:
    _synced_then_changed(
        makini_sandbox, monkeypatch, seed=43, connections=1, orders=100, new_orders=10
    )
    # the DuckDB CLI, DBeaver or a notebook open files read-write unless told otherwise
    analyst = _start(HOLD_READ_WRITE, str(duckdb_path))
    try:
        sync = _sync(isolated_env)
    finally:
        analyst.kill()
        analyst.wait(timeout=60)

    assert sync.returncode == 0, sync.stderr[-3000:]
    assert _orders_now() == "110"


def test_query_prints_a_table_and_csv(makini_sandbox, monkeypatch) -> None:
    makini_sandbox(seed=42, connections=1, purchase_orders=30)
    monkeypatch.setenv("PLANTSYNC_RUN_RETRIES", "0")
    assert CliRunner().invoke(run, ["--source", "makini"]).exit_code == 0
    sql = (
        "select connection_id, count(*) as orders, sum(total_net) as net "
        "from canonical.purchase_orders group by 1"
    )

    table = CliRunner().invoke(query, [sql])
    csv_out = CliRunner().invoke(query, [sql, "--csv"])
    bad = CliRunner().invoke(query, ["select nope from canonical.purchase_orders"])

    assert table.exit_code == 0 and csv_out.exit_code == 0
    header, rule, row, count = table.output.splitlines()
    assert header.split() == ["connection_id", "|", "orders", "|", "net"]
    assert set(rule) <= {"-", "+"} and row.split()[0] == "conn-1" and count == "1 row"
    lines = csv_out.output.splitlines()
    assert lines[0] == "connection_id,orders,net" and lines[1].startswith("conn-1,30,")
    assert bad.exit_code == 1 and "query failed" in bad.output and "nope" in bad.output
