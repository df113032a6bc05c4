"""Build models in the warehouse: views, tables (staged, then swapped) and incremental merges.

Nothing is half-written on failure. On DuckDB and Snowflake a table is replaced by one
`CREATE OR REPLACE TABLE ... AS SELECT` statement, which both make atomic (the old table stays
when the query fails) and which costs nothing over the bare query. PostgreSQL has no such
statement: the table is built under a staging name and swapped in within one transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass

from warehouse.compile import compile_model
from warehouse.connections import Warehouse
from warehouse.errors import ModelRunError
from warehouse.model import Model, Project
from warehouse.selection import select

STAGE_SUFFIX = "__plantsync_stage"


@dataclass(frozen=True)
class ModelResult:
    """What one build did: shown as progress by the CLI and as metadata by Dagster."""

    model: str
    materialized: str  # view | table | incremental | seed
    action: str  # created | replaced | merged
    rows: int | None  # table row count after the build; None for views (counting runs them)
    seconds: float
    # An incremental merge kept for its caller (`keep_batch`): the table of the new rows, which
    # checks may test alone; the caller drops it with `drop_batch`.
    batch: str | None = None
    batch_rows: int | None = None

    def line(self) -> str:
        rows = "-" if self.rows is None else f"{self.rows:,} rows"
        return (
            f"{self.model:<45} {self.materialized:<12} {self.action:<9} {rows:>14} "
            f"{self.seconds:7.2f}s"
        )


ProgressCallback = Callable[[ModelResult], None]


def run(
    project: Project,
    warehouse: Warehouse,
    selectors: Iterable[str] | str | None = None,
    *,
    full_refresh: bool = False,
    on_progress: ProgressCallback | None = None,
) -> list[ModelResult]:
    """Build the selected models in dependency order; stops at the first failure (raised)."""
    chosen = set(select(project, selectors))
    if warehouse.dialect == "postgres":
        # PostgreSQL drops dependent views with CASCADE when a table is swapped: rebuild them
        for fqn in list(chosen):
            chosen |= _dependent_views(project, fqn)
    results = []
    for fqn in project.order:
        if fqn in chosen:
            result = build_model(project, warehouse, fqn, full_refresh=full_refresh)
            results.append(result)
            if on_progress is not None:
                on_progress(result)
    return results


def build_model(
    project: Project,
    warehouse: Warehouse,
    fqn: str,
    *,
    full_refresh: bool = False,
    keep_batch: bool = False,
) -> ModelResult:
    """Build one model (its upstream tables must exist already).

    `keep_batch`: after an incremental merge, keep the table of the merged rows and name it in
    the result (`batch`), so that checks can test the new rows alone.
    """
    model = project.models[fqn]
    started = time.perf_counter()
    try:
        warehouse.create_schema(model.schema)
        existing = warehouse.relation_type(fqn)
        # dbt's is_incremental(): an incremental model whose table exists, no full refresh
        incremental = (
            model.materialized == "incremental" and existing == "table" and not full_refresh
        )
    except Exception as exc:
        raise ModelRunError(fqn, _one_line(exc)) from exc
    sql = compile_model(project, fqn, warehouse.dialect, incremental=incremental)
    try:
        if model.materialized == "view":
            _build_view(warehouse, fqn, sql, existing)
            action = "replaced" if existing else "created"
        elif incremental:
            batch_rows = _merge(warehouse, model, sql)
            action = "merged"
        else:
            _build_table(warehouse, fqn, sql, existing)
            action = "replaced" if existing else "created"
        rows = None
        if model.materialized != "view":
            rows = int(warehouse.query(f"select count(*) from {fqn}")[0][0])
    except Exception as exc:
        raise ModelRunError(fqn, _one_line(exc)) from exc
    kind = "seed" if model.is_seed else model.materialized
    seconds = time.perf_counter() - started
    if not incremental:
        return ModelResult(fqn, kind, action, rows, seconds)
    if not keep_batch:
        drop_batch(warehouse, fqn)
        return ModelResult(fqn, kind, action, rows, seconds, batch_rows=batch_rows)
    return ModelResult(fqn, kind, action, rows, seconds, batch_of(fqn), batch_rows)


def batch_of(fqn: str) -> str:
    """The table an incremental build stages its new rows in."""
    return fqn + STAGE_SUFFIX


def drop_batch(warehouse: Warehouse, fqn: str) -> None:
    warehouse.execute(f"drop table if exists {batch_of(fqn)}")


def _drop(warehouse: Warehouse, fqn: str, kind: str) -> None:
    cascade = " cascade" if warehouse.dialect == "postgres" else ""
    warehouse.execute(f"drop {kind} if exists {fqn}{cascade}")


def _build_view(warehouse: Warehouse, fqn: str, sql: str, existing: str | None) -> None:
    if existing == "table":
        _drop(warehouse, fqn, "table")
    statement = f"create or replace view {fqn} as {sql}"
    if warehouse.dialect != "postgres" or existing != "view":
        warehouse.execute(statement)
        return
    try:
        warehouse.execute(statement)
    except Exception:  # noqa: BLE001 - PostgreSQL refuses to change a view's columns in place
        with warehouse.transaction():
            _drop(warehouse, fqn, "view")
            warehouse.execute(f"create view {fqn} as {sql}")


def _build_table(warehouse: Warehouse, fqn: str, sql: str, existing: str | None) -> None:
    if warehouse.atomic_replace_table:
        if existing == "view":
            _drop(warehouse, fqn, "view")
        warehouse.execute(f"create or replace table {fqn} as {sql}")
        return
    stage = fqn + STAGE_SUFFIX
    name = fqn.rsplit(".", 1)[1]
    with warehouse.transaction():
        warehouse.execute(f"drop table if exists {stage}")
        warehouse.execute(f"create table {stage} as {sql}")
        if existing:
            _drop(warehouse, fqn, existing)
        warehouse.execute(f"alter table {stage} rename to {name}")


def _merge(warehouse: Warehouse, model: Model, sql: str) -> int:
    """Stage the model's new rows, then fold them in on `unique_key`; returns the staged count.

    `merge` upserts row by row (Snowflake `MERGE`; delete+insert elsewhere, which is the same for
    a key that names one row); `delete+insert` replaces every row whose key is among the new rows.
    The stage stays for the caller (`batch_of`); on failure it goes, so that no work table is
    left for the publish to show analysts.
    """
    stage = batch_of(model.fqn)
    try:
        drop_batch(warehouse, model.fqn)
        warehouse.execute(f"create table {stage} as {sql}")
        _fold(warehouse, model, stage)
        return int(warehouse.query(f"select count(*) from {stage}")[0][0])
    except Exception:
        with suppress(Exception):  # the build's own error is the one to report
            drop_batch(warehouse, model.fqn)
        raise


def _fold(warehouse: Warehouse, model: Model, stage: str) -> None:
    """Fold the staged rows into the model's table on `unique_key`."""
    fqn, key = model.fqn, model.unique_key
    on = " and ".join(f"t.{k} = s.{k}" for k in key)
    columns = [c for c, _ in warehouse.columns(stage)]
    names = ", ".join(columns)
    if model.incremental_strategy == "merge" and not warehouse.transactional_ddl:
        updates = ", ".join(f"{c} = s.{c}" for c in columns if c not in key)
        values = ", ".join(f"s.{c}" for c in columns)
        warehouse.execute(
            f"merge into {fqn} as t using {stage} as s on {on} "
            + (f"when matched then update set {updates} " if updates else "")
            + f"when not matched then insert ({names}) values ({values})"
        )
        return
    with warehouse.transaction():
        warehouse.execute(
            f"delete from {fqn} as t where exists (select 1 from {stage} as s where {on})"
        )
        warehouse.execute(f"insert into {fqn} ({names}) select {names} from {stage}")


def _dependent_views(project: Project, fqn: str) -> set[str]:
    """Views downstream of `fqn` through views only (what a CASCADE drop removes)."""
    found: set[str] = set()
    stack = [c for c in project.children(fqn) if project.models[c].materialized == "view"]
    while stack:
        view = stack.pop()
        if view not in found:
            found.add(view)
            stack += [c for c in project.children(view) if project.models[c].materialized == "view"]
    return found


def _one_line(exc: Exception) -> str:
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
