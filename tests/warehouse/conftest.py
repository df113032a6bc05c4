"""Fixtures for the model engine: a tiny project on disk and a DuckDB warehouse with raw data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.warehouse.example_project import create_raw, write_project
from warehouse.connections import Warehouse, connect


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    return write_project(tmp_path)


@pytest.fixture
def duck(duckdb_path: Path) -> Iterator[Warehouse]:
    """A DuckDB warehouse holding the tiny project's raw tables."""
    warehouse = connect("duckdb", duckdb_path=duckdb_path)
    create_raw(warehouse)
    yield warehouse
    warehouse.close()
