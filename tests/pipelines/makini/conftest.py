"""Fixtures for the Makini source: a running sandbox and a DuckDB pipeline per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.makini.server import SandboxServer
from tests.pipelines.makini.helpers import Warehouse


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(seed=11, connections=3, purchase_orders=120) as server:
        yield server


@pytest.fixture
def warehouse(duckdb_path: Path, sandbox: SandboxServer) -> Warehouse:
    return Warehouse(duckdb_path, sandbox)
