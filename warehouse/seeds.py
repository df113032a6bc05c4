"""Seeds: CSV files loaded as tables, through a portable `SELECT ... FROM (VALUES ...)`.

A seed then builds like any table model (staging name, then swap) and transpiles to every target,
so loading it twice is harmless and needs no driver-specific bulk API. Column types are inferred
from the cells as dbt does (boolean, integer, number, date, timestamp, else text) unless the
seed's YAML gives them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warehouse.connections import sql_literal
from warehouse.errors import ProjectError

# Checked in this order; a column takes the first type every non-empty cell matches. Integers
# with a leading zero (`032`) are codes, not numbers: they stay text (dbt would drop the zero).
_INFERRED_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("boolean", re.compile(r"(?i)true|false")),
    ("bigint", re.compile(r"[+-]?(0|[1-9][0-9]{0,17})")),
    ("double", re.compile(r"[+-]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")),
    ("date", re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")),
    (
        "timestamp",
        re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"),
    ),
)


@dataclass(frozen=True)
class SeedFile:
    """A seed CSV as read: lower-cased header and rows (empty cells are None)."""

    path: Path
    header: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]

    def inferred_type(self, column: str) -> str:
        index = self.header.index(column)
        return infer_type(row[index] for row in self.rows)


def read_seed(path: Path) -> SeedFile:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        raise ProjectError(f"{path}:1: empty CSV (a header row is required)")
    header = tuple(h.strip().lower() for h in rows[0])
    width = len(header)
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != width and any(cell.strip() for cell in row):
            raise ProjectError(f"{path}:{number}: {len(row)} cells, the header has {width}")
    cells = tuple(
        tuple(cell if cell != "" else None for cell in row) for row in rows[1:] if len(row) == width
    )
    return SeedFile(path, header, cells)


def infer_type(values: Iterable[str | None]) -> str:
    """The narrowest type every non-empty value parses as; `varchar` for none or mixed."""
    present = [v.strip() for v in values if v is not None and v.strip() != ""]
    if not present:
        return "varchar"
    for type_, pattern in _INFERRED_TYPES:
        if all(pattern.fullmatch(v) for v in present):
            return type_
    return "varchar"


def values_select(columns: Sequence[tuple[str, str | None]], rows: Iterable[Sequence[Any]]) -> str:
    """DuckDB SQL selecting `rows` as `columns` ((name, type or None for text))."""
    names = [name for name, _ in columns]
    casts = ", ".join(
        f"cast({'v' + str(i)} as {ctype or 'varchar'}) as {name}"
        for i, (name, ctype) in enumerate(columns)
    )
    tuples = ["(" + ", ".join(sql_literal(v) for v in row) + ")" for row in rows]
    if not tuples:
        nulls = ", ".join(f"cast(null as {t or 'varchar'}) as {n}" for n, t in columns)
        return f"select {nulls} where 1 = 0"
    aliases = ", ".join(f"v{i}" for i in range(len(names)))
    return f"select {casts} from (values {', '.join(tuples)}) as t({aliases})"
