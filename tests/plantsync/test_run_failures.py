"""What a user sees when part of a sync fails: one failure never stales the rest, and what can
never work fails at once with its cause on the last line."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import duckdb
import pytest
import requests
from click.testing import CliRunner

from plantsync.run_command import run
from sandbox.makini.server import SandboxServer
from sandbox.plant import apply_late_updates, generate
from tests.pipelines.makini.helpers import api_records
from tests.support.processes import last_line, plantsync

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def _fault(sandbox: SandboxServer, connection_id: str, kind: str) -> None:
    requests.post(
        f"{sandbox.base_url}/_sandbox/faults",
        json={"connection_id": connection_id, "kind": kind},
        timeout=10,
    ).raise_for_status()


def _orders(warehouse: Path, connection_id: str) -> set[tuple[str, str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select po_key, strftime(updated_at, '%Y-%m-%dT%H:%M:%SZ') "
            "from canonical.purchase_orders where connection_id = ?",
            [connection_id],
        ).fetchall()
    return set(rows)


def _api_orders(sandbox: SandboxServer, index: int) -> set[tuple[str, str]]:
    records = api_records(sandbox, sandbox.connections[index], "/api/erp/purchase-orders")
    return {(o["key"], o["updatedAt"]) for o in records}


@pytest.fixture
def plant(isolated_env: Path, monkeypatch) -> str:
    url = f"sqlite:///{isolated_env / 'plant.db'}"
    generate(url, lines=2, days=2, seed=3)
    monkeypatch.setenv("PLANTSYNC_OEE_DB_URL", url)
    return url


@pytest.fixture
def sandbox(makini_sandbox, monkeypatch) -> SandboxServer:
    monkeypatch.setenv("PLANTSYNC_RUN_RETRIES", "0")
    monkeypatch.setenv("PLANTSYNC_HTTP_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("PLANTSYNC_STEP_RETRIES", "1")
    return makini_sandbox(seed=13, connections=3, purchase_orders=40)


def test_one_connection_failing_leaves_the_others_fresh_and_its_own_as_of_its_last_sync(
    sandbox, plant, duckdb_path
) -> None:
    assert CliRunner().invoke(run, ["--source", "all"]).exit_code == 0
    conn_2_before = _api_orders(sandbox, 1)
    requests.post(
        f"{sandbox.base_url}/_sandbox/advance",
        json={"changed_fraction": 0.5, "new_purchase_orders": 5},
        timeout=30,
    ).raise_for_status()
    conn_2_now = _api_orders(sandbox, 1)
    _fault(sandbox, "conn-2", "auth_expired")
    changes = apply_late_updates(plant)

    result = CliRunner().invoke(run, ["--source", "all"])

    assert result.exit_code == 1
    last = result.output.strip().splitlines()[-1]
    assert "conn-2" in last and "token rejected" in last
    assert "built from what did load" in last
    assert _orders(duckdb_path, "conn-1") == _api_orders(sandbox, 0)
    assert _orders(duckdb_path, "conn-3") == _api_orders(sandbox, 2)
    assert _orders(duckdb_path, "conn-2") == conn_2_before != conn_2_now
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        failed = con.execute(
            "select scope, error from canonical.sync_log where not succeeded"
        ).fetchall()
        counts = con.execute(
            "select (select count(*) from raw_oee.production_counts), "
            "(select count(*) from canonical.production_counts)"
        ).fetchone()
        freshness = {
            row[0]: row[1:]
            for row in con.execute(
                "select scope, last_sync_succeeded, data_as_of, failing_since, last_error "
                "from marts.data_freshness where source = 'makini'"
            ).fetchall()
        }
    assert [scope for scope, _ in failed] == ["conn-2"]
    assert changes["added_counts"] and counts[0] == counts[1]
    ok, as_of, failing_since, error = freshness["conn-2"]
    assert not ok and as_of < failing_since and "token rejected" in error
    assert freshness["conn-1"][0] and freshness["conn-1"][2] is None


def test_makini_down_everywhere_still_builds_the_oee_models(sandbox, plant, duckdb_path) -> None:
    assert CliRunner().invoke(run, ["--source", "all"]).exit_code == 0
    for connection in sandbox.connections:
        _fault(sandbox, connection["id"], "auth_expired")
    apply_late_updates(plant)

    result = CliRunner().invoke(run, ["--source", "all"])

    assert result.exit_code == 1
    assert all(c["id"] in result.output.splitlines()[-1] for c in sandbox.connections)
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        raw, canonical = con.execute(
            "select (select count(*) from raw_oee.production_counts), "
            "(select count(*) from canonical.production_counts)"
        ).fetchone()
    assert raw == canonical


def test_a_missing_oee_database_fails_fast_while_makini_models_build(
    sandbox, isolated_env, duckdb_path, postgres_url
) -> None:
    missing = f"no_such_db_{uuid.uuid4().hex[:8]}"
    url = postgres_url.rsplit("/", 1)[0] + "/" + missing

    done = plantsync("run", "--source", "all", cwd=isolated_env, PLANTSYNC_OEE_DB_URL=url)

    assert done.returncode == 1
    assert f'PLANTSYNC_OEE_DB_URL={url}: database "{missing}" does not exist' in last_line(done)
    assert "running it again" not in done.stderr and "RETRY" not in done.stderr
    assert _orders(duckdb_path, "conn-1") == _api_orders(sandbox, 0)


def test_an_oee_database_without_its_tables_names_them(sandbox, isolated_env) -> None:
    path = isolated_env / "empty-plant.db"
    with sqlite3.connect(path) as con:
        con.execute("create table something_else (id integer primary key)")

    done = plantsync(
        "run", "--source", "oee", cwd=isolated_env, PLANTSYNC_OEE_DB_URL=f"sqlite:///{path}"
    )

    assert done.returncode == 1
    assert "lacks table(s) lines, products, reason_codes" in last_line(done)
    assert last_line(done).startswith("plantsync: PLANTSYNC_OEE_DB_URL=sqlite:///")


def test_random_bytes_in_the_duckdb_file_fail_at_once_and_stay(sandbox, isolated_env) -> None:
    path = isolated_env / "precious.duckdb"
    junk = os.urandom(8192)
    path.write_bytes(junk)

    done = plantsync("run", "--source", "makini", cwd=isolated_env, PLANTSYNC_DUCKDB_PATH=str(path))

    assert done.returncode == 2
    assert last_line(done) == (
        f"plantsync: PLANTSYNC_DUCKDB_PATH={path}: {path} exists but is not a DuckDB database; "
        "plantsync will not overwrite it (move it away or choose another path)"
    )
    assert path.read_bytes() == junk


def test_a_duckdb_path_under_a_file_fails_at_once(sandbox, isolated_env) -> None:
    (isolated_env / "a-file").write_text("x")
    path = isolated_env / "a-file" / "warehouse.duckdb"

    done = plantsync("run", "--source", "makini", cwd=isolated_env, PLANTSYNC_DUCKDB_PATH=str(path))

    assert done.returncode == 2
    assert last_line(done) == (
        f"plantsync: PLANTSYNC_DUCKDB_PATH={path}: {isolated_env / 'a-file'} is a file, "
        "not a directory"
    )


HOLD_LOCK = """
import sys, time
from pathlib import Path
from warehouse.writer_lock import writer_lock

with writer_lock(Path(sys.argv[1]), "an analyst's script", wait_s=5):
    print("held", flush=True)
    time.sleep(120)
"""


def test_a_writer_that_waits_too_long_names_the_holder(sandbox, duckdb_path, monkeypatch) -> None:
    monkeypatch.setenv("PLANTSYNC_WRITER_WAIT_S", "1")
    sync_dir = duckdb_path.with_name(duckdb_path.name + ".sync")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(sync_dir)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = CliRunner().invoke(run, ["--source", "makini"])
    finally:
        holder.kill()
        holder.wait()

    assert result.exit_code == 1
    last = result.output.strip().splitlines()[-1]
    assert "the warehouse is being written by an analyst's script (pid" in last
    assert "gave up after waiting 1s (PLANTSYNC_WRITER_WAIT_S)" in last
