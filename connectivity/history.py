"""`canonical.connection_status_history`: one row per status change of a Makini connection.

Written by Python, not by a model: observations come from probes and extraction outcomes.
A row is appended only when a connection's status differs from its latest recorded one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from warehouse.compile import compile_sql
from warehouse.connections import Warehouse, sql_literal

TABLE = "canonical.connection_status_history"
_DDL = f"""
create table if not exists {TABLE} (
    connection_id varchar not null,
    status varchar not null,
    previous_status varchar,
    observed_at timestamp not null,
    detail varchar,
    source varchar not null,
    _loaded_at timestamp not null
)
"""


@dataclass(frozen=True)
class StatusRow:
    connection_id: str
    status: str
    previous_status: str | None
    observed_at: datetime
    detail: str
    source: str


def _sql(warehouse: Warehouse, sql: str) -> str:
    return compile_sql(sql, warehouse.dialect, origin=TABLE)


def ensure_table(warehouse: Warehouse) -> None:
    warehouse.create_schema("canonical")
    warehouse.execute(_sql(warehouse, _DDL))


def latest(warehouse: Warehouse) -> dict[str, StatusRow]:
    """The newest row per connection."""
    if not warehouse.table_exists(TABLE):
        return {}
    rows = warehouse.query(
        _sql(
            warehouse,
            f"""
            select connection_id, status, previous_status, observed_at, detail, source
            from {TABLE}
            qualify row_number() over (
                partition by connection_id order by observed_at desc, _loaded_at desc) = 1
            """,
        )
    )
    return {row[0]: StatusRow(*row) for row in rows}


def history(warehouse: Warehouse, connection_id: str | None = None) -> list[StatusRow]:
    if not warehouse.table_exists(TABLE):
        return []
    where = f"where connection_id = {sql_literal(connection_id)}" if connection_id else ""
    rows = warehouse.query(
        _sql(
            warehouse,
            f"select connection_id, status, previous_status, observed_at, detail, source "
            f"from {TABLE} {where} order by observed_at, _loaded_at",
        )
    )
    return [StatusRow(*row) for row in rows]


def record(warehouse: Warehouse, observations: Iterable) -> list[StatusRow]:
    """Append the observations whose status changed; returns the rows appended.

    `observations` have connection_id, status, detail, observed_at (UTC) and source.
    """
    ensure_table(warehouse)
    current = latest(warehouse)
    appended: list[StatusRow] = []
    for obs in sorted(observations, key=lambda o: o.observed_at):
        previous = current.get(obs.connection_id)
        if previous is not None and previous.status == obs.status:
            continue
        row = StatusRow(
            obs.connection_id,
            obs.status,
            previous.status if previous else None,
            obs.observed_at.replace(tzinfo=None),
            obs.detail,
            obs.source,
        )
        warehouse.execute(
            _sql(
                warehouse,
                f"insert into {TABLE} values ({sql_literal(row.connection_id)}, "
                f"{sql_literal(row.status)}, {sql_literal(row.previous_status)}, "
                f"cast({sql_literal(row.observed_at.isoformat(sep=' '))} as timestamp), "
                f"{sql_literal(row.detail)}, {sql_literal(row.source)}, current_timestamp)",
            )
        )
        current[obs.connection_id] = row
        appended.append(row)
    return appended
