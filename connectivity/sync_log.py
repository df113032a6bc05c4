"""`canonical.sync_log`: what every sync of every source did, one row per run and scope.

A scope is a Makini connection (`conn-1`) or the plant database (`plant_db`). Rows are
appended by the ingest steps and never changed. `marts.data_freshness` turns them into "last
good sync, stale since" per source and scope, so analysts can see how fresh each part of the
warehouse is; the model step reads this run's failures from here to name them as it fails.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from warehouse.compile import compile_sql
from warehouse.connections import Warehouse, sql_literal

TABLE = "canonical.sync_log"
OEE_SCOPE = "plant_db"
MAX_ERROR_CHARS = 2000
_DDL = f"""
create table if not exists {TABLE} (
    source varchar not null,
    scope varchar not null,
    run_id varchar not null,
    started_at timestamp not null,
    finished_at timestamp not null,
    succeeded boolean not null,
    rows_loaded bigint not null,
    retryable boolean not null,
    error varchar
)
"""


@dataclass(frozen=True)
class SyncOutcome:
    """One scope's part of one sync. Times are naive UTC."""

    source: str  # makini | oee
    scope: str
    run_id: str
    started_at: datetime
    finished_at: datetime
    succeeded: bool
    rows_loaded: int
    retryable: bool = False
    error: str | None = None


def _sql(warehouse: Warehouse, sql: str) -> str:
    return compile_sql(sql, warehouse.dialect, origin=TABLE)


def append(warehouse: Warehouse, outcomes: Iterable[SyncOutcome]) -> None:
    """Record outcomes (one statement: they land together or not at all)."""
    rows = [
        "("
        + ", ".join(
            [
                sql_literal(o.source),
                sql_literal(o.scope),
                sql_literal(o.run_id),
                f"cast({sql_literal(o.started_at.isoformat(sep=' '))} as timestamp)",
                f"cast({sql_literal(o.finished_at.isoformat(sep=' '))} as timestamp)",
                sql_literal(o.succeeded),
                sql_literal(o.rows_loaded),
                sql_literal(o.retryable),
                sql_literal(o.error[:MAX_ERROR_CHARS] if o.error else None),
            ]
        )
        + ")"
        for o in outcomes
    ]
    if not rows:
        return
    ensure_table(warehouse)
    warehouse.execute(_sql(warehouse, f"insert into {TABLE} values {', '.join(rows)}"))


def ensure_table(warehouse: Warehouse) -> None:
    """Create the (empty) log where no sync has written one yet."""
    warehouse.create_schema("canonical")
    warehouse.execute(_sql(warehouse, _DDL))


def failures_of_run(warehouse: Warehouse, run_id: str) -> list[SyncOutcome]:
    """The scopes whose last attempt in run `run_id` failed (a step retry may have healed
    an earlier one), by source and scope."""
    if not warehouse.table_exists(TABLE):
        return []
    rows = warehouse.query(
        _sql(
            warehouse,
            f"""
            select source, scope, run_id, started_at, finished_at, succeeded, rows_loaded,
                retryable, error
            from {TABLE}
            where run_id = {sql_literal(run_id)}
            qualify row_number() over (
                partition by source, scope order by finished_at desc) = 1
            order by source, scope
            """,
        )
    )
    rows = [row for row in rows if not row[5]]
    return [SyncOutcome(*row) for row in rows]


def last_success(warehouse: Warehouse, source: str) -> dict[str, datetime]:
    """Scope -> when its last successful sync finished."""
    if not warehouse.table_exists(TABLE):
        return {}
    rows = warehouse.query(
        _sql(
            warehouse,
            f"select scope, max(finished_at) from {TABLE} "
            f"where source = {sql_literal(source)} and succeeded group by scope",
        )
    )
    return {scope: at for scope, at in rows}
