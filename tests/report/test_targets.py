"""The report's queries run on PostgreSQL and on Snowflake (fakesnow) and give DuckDB's figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

import warehouse
from report.build import collect
from tests.support.tables import load_rows
from warehouse.connections import DuckDBWarehouse, Warehouse

READ_BY_THE_REPORT = (
    "marts.oee_by_shift",
    "marts.oee_daily",
    "marts.six_big_losses",
    "marts.downtime_pareto",
    "marts.po_spend_monthly",
    "marts.open_po_lines",
    "raw_makini.purchase_orders",
    "raw_oee.lines",
)
RAW_COLUMNS = ("connection_id", "_extracted_at")


def _copy_tables(source: Path, target: Warehouse) -> None:
    """The tables the report reads, from the DuckDB warehouse to `target` (raw tables with
    only the columns the report reads)."""
    with duckdb.connect(str(source), read_only=True) as con:
        for table in READ_BY_THE_REPORT:
            schema, name = table.split(".")
            columns = con.execute(
                "select column_name, lower(data_type) from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, name],
            ).fetchall()
            if schema.startswith("raw_"):
                columns = [c for c in columns if c[0] in RAW_COLUMNS]
            # DuckDB sums integers into HUGEINT, which PostgreSQL has no name for
            columns = [(n, "bigint" if t == "hugeint" else t) for n, t in columns]
            names = ", ".join(n for n, _ in columns)
            load_rows(
                target, table, columns, con.execute(f"select {names} from {table}").fetchall()
            )


def _figures(wh: Warehouse) -> dict[str, Any]:
    data = collect(wh)
    return _rounded({key: data[key] for key in ("window", "headline", "charts", "last_syncs")})


def _rounded(value: Any) -> Any:
    """Floats to 9 significant digits: engines may sum in another order."""
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


@pytest.fixture(scope="module")
def duckdb_figures(plant_warehouse_path: Path) -> dict[str, Any]:
    with DuckDBWarehouse(duckdb.connect(str(plant_warehouse_path), read_only=True)) as wh:
        return _figures(wh)


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_gives_duckdbs_figures(
    plant_warehouse_path: Path, duckdb_figures: dict, postgres_url: str
) -> None:
    with warehouse.connect("postgres", postgres_url=postgres_url) as postgres:
        _copy_tables(plant_warehouse_path, postgres)
        assert _figures(postgres) == duckdb_figures


@pytest.mark.slow
def test_snowflake_gives_duckdbs_figures(plant_warehouse_path: Path, duckdb_figures: dict) -> None:
    fakesnow = pytest.importorskip("fakesnow")
    with (
        fakesnow.patch(),
        warehouse.connect("snowflake", snowflake={"database": "db1", "schema": "public"}) as snow,
    ):
        _copy_tables(plant_warehouse_path, snow)
        assert _figures(snow) == duckdb_figures
