"""Create small tables from Python rows on any warehouse dialect: fixtures and raw test data."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from warehouse.compile import compile_sql
from warehouse.connections import Warehouse
from warehouse.seeds import values_select


def load_rows(
    warehouse: Warehouse,
    table: str,
    columns: Sequence[tuple[str, str | None]],
    rows: Iterable[Sequence[Any]],
) -> None:
    """(Re)create `schema.table` holding `rows`.

    Types are DuckDB type names (`decimal(18,4)`, `timestamp`; None is text), transpiled like
    model SQL.
    """
    sql = compile_sql(values_select(columns, rows), warehouse.dialect, origin=table)
    warehouse.create_schema(table.rsplit(".", 1)[0])
    # PostgreSQL: views over the old table go too; the next model run rebuilds them
    cascade = " cascade" if warehouse.dialect == "postgres" else ""
    warehouse.execute(f"drop table if exists {table}{cascade}")
    warehouse.execute(f"create table {table} as {sql}")
