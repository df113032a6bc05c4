"""`plantsync run --source all` into PostgreSQL builds every canonical table and mart, and they
equal DuckDB's for the same inputs, row for row."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from plantsync.run_command import run
from sandbox.plant import apply_late_updates, generate
from tests.support.compare import normalize
from warehouse.connections import Warehouse, connect

pytestmark = pytest.mark.e2e


def _tables(warehouse: Warehouse) -> list[str]:
    rows = warehouse.query(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_schema in ('canonical', 'marts')"
    )
    return sorted(name for (name,) in rows)


# Columns that say when or in which run, not what.
RUN_COLUMNS = frozenset(
    {"observed_at", "run_id", "started_at", "finished_at", "last_sync_at", "data_as_of"}
)


def _snapshot(warehouse: Warehouse, table: str) -> list[tuple]:
    """Rows without the columns that say when, not what (`_loaded_at`, `observed_at`, ...)."""
    rows = warehouse.query(f"select * from {table}")
    keep = [
        i
        for i, name in enumerate(rows.columns)
        if not name.startswith("_") and name not in RUN_COLUMNS
    ]
    return sorted(
        (tuple(normalize(row[i]) for i in keep) for row in rows),
        key=lambda row: tuple((v is None, str(v)) for v in row),
    )


def _run_all(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(run, ["--source", "all"])
    assert result.exit_code == 0, result.output[-3000:]


def test_postgres_run_equals_duckdb_run(
    postgres_url, makini_sandbox, isolated_env: Path, monkeypatch
) -> None:
    plant_url = f"sqlite:///{isolated_env / 'plant.db'}"
    generate(plant_url, lines=2, days=3, seed=5)
    # Open stops end at the extraction time, which differs between the two runs: close them.
    apply_late_updates(plant_url)
    monkeypatch.setenv("PLANTSYNC_OEE_DB_URL", plant_url)
    monkeypatch.setenv("PLANTSYNC_RUN_RETRIES", "0")
    makini_sandbox(seed=8, connections=2, purchase_orders=50)
    _run_all(monkeypatch, PLANTSYNC_DESTINATION="duckdb")
    monkeypatch.setenv("DLT_DATA_DIR", str(isolated_env / "dlt-postgres"))
    _run_all(monkeypatch, PLANTSYNC_DESTINATION="postgres", PLANTSYNC_POSTGRES_URL=postgres_url)

    with (
        connect("duckdb", duckdb_path=isolated_env / "warehouse.duckdb") as duck,
        connect("postgres", postgres_url=postgres_url) as pg,
    ):
        tables = _tables(duck)
        assert _tables(pg) == tables
        assert {"canonical.purchase_orders", "marts.oee_by_shift", "marts.po_spend_monthly"} <= set(
            tables
        )
        differences = [t for t in tables if _snapshot(duck, t) != _snapshot(pg, t)]
        assert differences == []
        assert all(_snapshot(duck, t) for t in ("canonical.purchase_orders", "marts.oee_by_shift"))
