"""Helpers for the Makini source tests: a DuckDB pipeline and straight API reads."""

from __future__ import annotations

from pathlib import Path

import dlt
import duckdb
import requests

from pipelines.destinations import scratch_pipeline
from pipelines.makini.client import RetrySettings
from pipelines.makini.pipeline import sync
from pipelines.makini.tables import DATASET, PIPELINE_NAME
from sandbox.makini.server import SandboxServer
from settings.connections import parse_connections

NO_WAIT = RetrySettings(max_attempts=4, backoff_s=0.0, max_delay_s=0.0, timeout_s=5.0)


class Warehouse:
    """A DuckDB file that the Makini pipeline loads, each sync in a fresh dlt folder (as the
    product runs it: state comes back from the file)."""

    def __init__(self, path: Path, sandbox: SandboxServer) -> None:
        self.path = path
        self.sandbox = sandbox
        self.connections = parse_connections(sandbox.connections_json())

    def sync(self, connections=None, **options):
        options.setdefault("retry", NO_WAIT)
        destination = dlt.destinations.duckdb(credentials=str(self.path))
        root = self.path.with_name(self.path.name + ".dlt")
        with scratch_pipeline(PIPELINE_NAME, DATASET, destination, root) as pipeline:
            return sync(pipeline, self.sandbox.base_url, connections or self.connections, **options)

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql).fetchall()


def api_records(sandbox: SandboxServer, connection: dict, path: str) -> list[dict]:
    """Every record of a list endpoint for one connection, read straight from the API."""
    records, page, last_page = [], 1, 1
    while page <= last_page:
        body = requests.get(
            f"{sandbox.base_url}{path}",
            params={"page": page, "per_page": 1000},
            headers={"Authorization": f"Bearer {connection['token']}"},
            timeout=30,
        ).json()
        records += body["data"]
        last_page = int(body["meta"]["last_page"])
        page += 1
    return records
