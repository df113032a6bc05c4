"""Seeds and small literal tables as a portable `SELECT ... FROM (VALUES ...)`.

A seed then builds like any table model (staging name, then swap) and transpiles to every target,
so loading it twice is harmless and needs no driver-specific bulk API.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from warehouse.errors import ProjectError

if TYPE_CHECKING:
    from warehouse.connections import Warehouse
    from warehouse.project import Column


def _literal(value: Any) -> exp.Expression:
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def values_select(columns: Sequence[tuple[str, str | None]], rows: Iterable[Sequence[Any]]) -> str:
    """DuckDB SQL selecting `rows` as `columns` ((name, type or None for text))."""
    names = [name for name, _ in columns]
    casts = ", ".join(
        f"cast({'v' + str(i)} as {ctype or 'varchar'}) as {name}"
        for i, (name, ctype) in enumerate(columns)
    )
    tuples = [exp.Tuple(expressions=[_literal(v) for v in row]).sql("duckdb") for row in rows]
    if not tuples:
        nulls = ", ".join(f"cast(null as {t or 'varchar'}) as {n}" for n, t in columns)
        return f"select {nulls} where 1 = 0"
    aliases = ", ".join(f"v{i}" for i in range(len(names)))
    return f"select {casts} from (values {', '.join(tuples)}) as t({aliases})"


def seed_select(path: Path, columns: Sequence[Column], rows: list[list[str]]) -> str:
    """The SELECT of a CSV seed; empty cells are NULL, everything is text unless typed in YAML."""
    width = len(columns)
    for number, row in enumerate(rows, start=2):
        if len(row) != width and any(cell.strip() for cell in row):
            raise ProjectError(f"{path}:{number}: {len(row)} cells, the header has {width}")
    cells = [[cell if cell != "" else None for cell in row] for row in rows if len(row) == width]
    return values_select([(c.name, c.type) for c in columns], cells)


def load_rows(
    warehouse: Warehouse,
    table: str,
    columns: Sequence[tuple[str, str | None]],
    rows: Iterable[Sequence[Any]],
) -> None:
    """(Re)create `schema.table` holding `rows`, on any dialect; for fixtures and small data.

    Types are DuckDB type names (`decimal(18,4)`, `timestamp`), transpiled like model SQL.
    """
    from warehouse.compile import compile_sql

    sql = compile_sql(values_select(columns, rows), warehouse.dialect, origin=table)
    warehouse.create_schema(table.rsplit(".", 1)[0])
    # PostgreSQL: views over the old table go too; the next model run rebuilds them
    cascade = " cascade" if warehouse.dialect == "postgres" else ""
    warehouse.execute(f"drop table if exists {table}{cascade}")
    warehouse.execute(f"create table {table} as {sql}")
