"""A sync killed with SIGKILL while it loads, then run again, ends exact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.makini.tables import PIPELINE_NAME
from sandbox.makini.server import SandboxServer
from tests.pipelines.makini.helpers import Warehouse, api_records

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[3]


def _wait_for_loading(dlt_root: Path, process: subprocess.Popen, timeout_s: float) -> bool:
    """True once a normalized load package exists (the load step has begun)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        for normalized in dlt_root.glob(f"*/{PIPELINE_NAME}/load/normalized"):
            if any(normalized.iterdir()):
                return True
        time.sleep(0.01)
    return False


def test_sigkill_while_loading_then_rerun_is_exact(duckdb_path, isolated_env) -> None:
    with SandboxServer(seed=21, connections=3, purchase_orders=1500) as sandbox:
        env = {
            **os.environ,
            "MAKINI_BASE_URL": sandbox.base_url,
            "MAKINI_CONNECTIONS": sandbox.connections_json(),
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "pipelines.makini", str(duckdb_path)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        dlt_root = duckdb_path.with_name(duckdb_path.name + ".dlt")
        loading = _wait_for_loading(dlt_root, process, timeout_s=240)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

        assert loading, "the sync finished before it could be killed while loading"
        assert process.returncode == -signal.SIGKILL

        warehouse = Warehouse(duckdb_path, sandbox)
        _, report = warehouse.sync()

        assert not report.failures
        for connection in sandbox.connections:
            orders = api_records(sandbox, connection, "/api/erp/purchase-orders")
            loaded = warehouse.query(
                "select key, strftime(updated_at, '%Y-%m-%dT%H:%M:%SZ') "
                f"from raw_makini.purchase_orders where connection_id = '{connection['id']}'"
            )
            assert sorted(loaded) == sorted((o["key"], o["updatedAt"]) for o in orders)
            lines = warehouse.query(
                "select purchase_order_key, key from raw_makini.purchase_order_lines "
                f"where connection_id = '{connection['id']}'"
            )
            expected = [(o["key"], li["key"]) for o in orders for li in o["lineItems"]]
            assert sorted(lines) == sorted(expected)
