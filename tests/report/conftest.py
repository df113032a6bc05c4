"""The report tests share one real warehouse per session (see `tests.report.plant`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.report.plant import build_plant_warehouse
from warehouse.connections import DuckDBWarehouse


@pytest.fixture(scope="session")
def plant_warehouse_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file holding every mart (built once per session; open it read-only)."""
    return build_plant_warehouse(tmp_path_factory.mktemp("report_warehouse"))


@pytest.fixture
def plant_warehouse(plant_warehouse_path: Path) -> Iterator[DuckDBWarehouse]:
    """The session's warehouse, open read-only (a report must never need to write)."""
    with DuckDBWarehouse(duckdb.connect(str(plant_warehouse_path), read_only=True)) as wh:
        yield wh
