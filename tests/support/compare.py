"""Run one model project on several warehouses and compare every model's rows with DuckDB's.

This is how "the same SQL gives the same answer on Snowflake and PostgreSQL" is tested: over a
tiny project in unit tests, and over the real `models/` folder with the raw tables a caller
creates (`create_raw(warehouse)`, e.g. with `tests.support.tables.load_rows`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from warehouse import Project, Warehouse, load_project, run, run_tests, select

NUMERIC_PLACES = 6  # floats and decimals compare rounded: Snowflake may sum decimals as float


def normalize(value: Any) -> Any:
    """A driver-independent form of one value, so equal data compares equal across targets."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float | Decimal):
        rounded = round(float(value), NUMERIC_PLACES)
        return 0.0 if rounded == 0 else rounded
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.dumps(json.loads(value), sort_keys=True)
        except ValueError:
            return value
    return str(value) if not isinstance(value, str) else value


def table_snapshot(warehouse: Warehouse, table: str) -> tuple[list[str], list[tuple]]:
    """Column names and normalized rows of a table, sorted so order does not matter."""
    rows = warehouse.query(f"select * from {table}")
    normalized = [tuple(normalize(v) for v in row) for row in rows]
    normalized.sort(key=lambda row: tuple((v is None, str(v)) for v in row))
    return rows.columns, normalized


def compare_targets(
    project: Project | str | Path,
    create_raw: Callable[[Warehouse], None],
    reference: Warehouse,
    others: Iterable[Warehouse],
    selectors: Iterable[str] | str | None = None,
) -> list[str]:
    """Build the project (or project directory) on every warehouse from the same raw data.

    Compares each selected model's columns and rows and each data test's failure count with
    the reference (DuckDB) run; returns every difference, so an empty list means all agree.
    """
    if not isinstance(project, Project):
        project = load_project(project)
    warehouses = [reference, *others]
    for warehouse in warehouses:
        create_raw(warehouse)
        run(project, warehouse, selectors)
    fqns = select(project, selectors)
    expected = {fqn: table_snapshot(reference, fqn) for fqn in fqns}
    expected_tests = {
        (r.test.model, r.test.name): r.failures for r in run_tests(project, reference, selectors)
    }
    differences = []
    for warehouse in others:
        for fqn in fqns:
            differences += _diff(
                warehouse.dialect, fqn, expected[fqn], table_snapshot(warehouse, fqn)
            )
        for result in run_tests(project, warehouse, selectors):
            want = expected_tests[(result.test.model, result.test.name)]
            if result.failures != want:
                differences.append(
                    f"{warehouse.dialect} {result.test.model} test {result.test.name}: "
                    f"{result.failures} failing rows, duckdb {want}"
                )
    return differences


def _diff(dialect: str, fqn: str, want: tuple, got: tuple) -> list[str]:
    (want_columns, want_rows), (got_columns, got_rows) = want, got
    if want_columns != got_columns:
        return [f"{dialect} {fqn}: columns {got_columns}, duckdb {want_columns}"]
    if want_rows == got_rows:
        return []
    missing = [r for r in want_rows if r not in got_rows][:3]
    extra = [r for r in got_rows if r not in want_rows][:3]
    return [
        f"{dialect} {fqn}: {len(got_rows)} rows, duckdb {len(want_rows)}; "
        f"missing {missing}; unexpected {extra}"
    ]
