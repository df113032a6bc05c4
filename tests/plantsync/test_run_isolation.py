"""Sync state belongs to its warehouse: `plantsync run` as users launch it, in processes of
their own, with dlt's default location under a fresh HOME shared by every run.

Two warehouses synced at once, two checkouts on the default relative path, a deleted warehouse
file and a PostgreSQL run followed by a DuckDB run: each warehouse ends holding exactly what
its own API serves.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from sandbox.makini.server import SandboxServer
from tests.pipelines.makini.helpers import api_records

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def _env(home: Path, sandbox: SandboxServer, **settings: str) -> dict[str, str]:
    """A user's environment: no dlt setting (dlt picks a folder under HOME), quick retries."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DLT_", "PLANTSYNC_", "RUNTIME__"))
    }
    env.pop("DAGSTER_HOME", None)
    env.update(
        HOME=str(home),
        MAKINI_BASE_URL=sandbox.base_url,
        MAKINI_CONNECTIONS=sandbox.connections_json(),
        PLANTSYNC_HTTP_MAX_DELAY_S="0",
        PLANTSYNC_STEP_RETRY_DELAY_S="0",
        PLANTSYNC_RUN_RETRIES="0",
        **settings,
    )
    return env


def _start(cwd: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "plantsync", "run", "--source", "makini"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _run(cwd: Path, env: dict[str, str]) -> None:
    process = _start(cwd, env)
    output, _ = process.communicate(timeout=600)
    assert process.returncode == 0, output[-3000:]


def _assert_exact(warehouse: Path, sandbox: SandboxServer) -> None:
    """Raw and canonical orders of every connection are exactly the API's."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for connection in sandbox.connections:
            api = {(o["key"], o["updatedAt"]) for o in api_records(
                sandbox, connection, "/api/erp/purchase-orders"
            )}  # fmt: skip
            raw = con.execute(
                "select key, strftime(updated_at, '%Y-%m-%dT%H:%M:%SZ') "
                "from raw_makini.purchase_orders where connection_id = ?",
                [connection["id"]],
            ).fetchall()
            canonical = con.execute(
                "select po_key from canonical.purchase_orders where connection_id = ?",
                [connection["id"]],
            ).fetchall()
            assert set(raw) == api and len(raw) == len(api), (warehouse, connection["id"])
            assert {k for (k,) in canonical} == {k for k, _ in api}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


def test_two_warehouses_synced_at_the_same_time_are_both_exact(tmp_path, home) -> None:
    with (
        SandboxServer(seed=31, connections=2, purchase_orders=300) as first,
        SandboxServer(seed=32, connections=2, purchase_orders=300) as second,
    ):
        runs = [
            _start(tmp_path, _env(home, api, PLANTSYNC_DUCKDB_PATH=str(tmp_path / name)))
            for api, name in ((first, "a.duckdb"), (second, "b.duckdb"))
        ]
        for process in runs:
            output, _ = process.communicate(timeout=600)
            assert process.returncode == 0, output[-3000:]

        _assert_exact(tmp_path / "a.duckdb", first)
        _assert_exact(tmp_path / "b.duckdb", second)
    assert not (home / ".dlt").exists() or not any((home / ".dlt").rglob("*pipeline_state*"))


def test_two_checkouts_on_the_default_relative_path_keep_their_own_data(tmp_path, home) -> None:
    checkouts = [tmp_path / "checkout-1", tmp_path / "checkout-2"]
    with (
        SandboxServer(seed=33, connections=1, purchase_orders=120) as first,
        SandboxServer(seed=34, connections=1, purchase_orders=150) as second,
    ):
        for checkout, api in zip(checkouts, (first, second), strict=True):
            checkout.mkdir()
            _run(checkout, _env(home, api))

        _assert_exact(checkouts[0] / "data" / "warehouse.duckdb", first)
        _assert_exact(checkouts[1] / "data" / "warehouse.duckdb", second)


def test_a_deleted_warehouse_file_is_published_again_and_a_deleted_folder_reloaded(
    tmp_path, home
) -> None:
    warehouse = tmp_path / "data" / "warehouse.duckdb"
    with SandboxServer(seed=35, connections=2, purchase_orders=100) as api:
        env = _env(home, api, PLANTSYNC_DUCKDB_PATH=str(warehouse))
        _run(tmp_path, env)

        warehouse.unlink()
        _run(tmp_path, env)
        _assert_exact(warehouse, api)

        shutil.rmtree(tmp_path / "data")
        _run(tmp_path, env)
        _assert_exact(warehouse, api)


@pytest.mark.postgres
def test_a_postgres_run_then_a_duckdb_run_are_each_exact(tmp_path, home, postgres_url) -> None:
    import psycopg2

    warehouse = tmp_path / "warehouse.duckdb"
    with SandboxServer(seed=36, connections=2, purchase_orders=80) as api:
        _run(
            tmp_path,
            _env(home, api, PLANTSYNC_DESTINATION="postgres", PLANTSYNC_POSTGRES_URL=postgres_url),
        )
        _run(tmp_path, _env(home, api, PLANTSYNC_DUCKDB_PATH=str(warehouse)))

        _assert_exact(warehouse, api)
        with psycopg2.connect(postgres_url) as con, con.cursor() as cursor:
            cursor.execute("select count(*) from raw_makini.purchase_orders")
            assert cursor.fetchone()[0] == 160


def test_two_syncs_of_one_warehouse_at_once_wait_for_each_other(tmp_path, home) -> None:
    """No pool limits here (plain `plantsync run`): the writer lock alone keeps DuckDB to one
    writer, and the second sync waits instead of failing on DuckDB's file lock."""
    warehouse = tmp_path / "shared.duckdb"
    with SandboxServer(seed=37, connections=2, purchase_orders=400) as api:
        env = _env(home, api, PLANTSYNC_DUCKDB_PATH=str(warehouse))
        runs = [_start(tmp_path, env) for _ in range(2)]
        outputs = []
        for process in runs:
            output, _ = process.communicate(timeout=600)
            outputs.append(output)
            assert process.returncode == 0, output[-3000:]

        _assert_exact(warehouse, api)
    assert any("waiting for the warehouse writer lock held by" in o for o in outputs)
    assert not any("Conflicting lock" in o for o in outputs)
