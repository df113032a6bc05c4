"""Test utilities for the model engine: a tiny model project and the raw data it reads.

A tiny project (raw purchase orders -> staging -> canonical -> marts) used by the engine and
Dagster tests; `write_project` writes it, `create_raw` fills its raw tables on any warehouse so the
same project can be compared across DuckDB, fakesnow and PostgreSQL with `tests.support.compare`.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.tables import load_rows
from warehouse.connections import Warehouse

FILES = {
    "sources/_sources.yml": """
sources:
  - schema: raw_makini
    tables: [purchase_orders, purchase_order_lines]
""",
    "seeds/po_status_map.csv": "status_raw,status\nOPEN,open\nCLOSED,closed\nDRAFT,draft\n",
    "seeds/_seeds.yml": """
seeds:
  - name: po_status_map
    description: Source status names to canonical statuses.
    columns:
      - {name: status_raw, type: varchar, tests: [not_null, unique]}
""",
    "staging/purchase_orders.sql": """
with source as (select * from raw_makini.purchase_orders)
select
    connection_id,
    key as po_key,
    upper(status) as status_raw,
    cast(total_net as decimal(18, 4)) as total_net,
    cast(updated_at as timestamp) as updated_at
from source
""",
    "staging/purchase_order_lines.sql": """
select
    connection_id,
    po_key,
    line_key,
    cast(quantity as decimal(18, 6)) as quantity,
    cast(line_net as decimal(18, 4)) as line_net
from raw_makini.purchase_order_lines
""",
    "staging/_staging.yml": """
models:
  - name: purchase_orders
    description: Typed raw purchase orders.
  - name: purchase_order_lines
    description: Typed raw purchase order lines.
""",
    "canonical/purchase_orders.sql": """
with orders as (
    select * from staging.purchase_orders
),
line_totals as (
    select
        connection_id,
        po_key,
        cast(sum(line_net) as decimal(18, 4)) as lines_net,
        count(*) as line_count
    from staging.purchase_order_lines
    group by all
),
final as (
    select
        orders.connection_id || ':' || orders.po_key as po_id,
        orders.connection_id,
        orders.po_key,
        coalesce(status_map.status, 'unknown') as status,
        orders.status_raw,
        orders.total_net,
        coalesce(line_totals.lines_net, 0) as lines_net,
        coalesce(line_totals.line_count, 0) as line_count,
        orders.updated_at
    from orders
    left join seeds.po_status_map as status_map on status_map.status_raw = orders.status_raw
    left join line_totals
        on line_totals.connection_id = orders.connection_id and line_totals.po_key = orders.po_key
)
select * from final
""",
    "canonical/purchase_order_lines.sql": """
select
    connection_id || ':' || po_key || ':' || line_key as po_line_id,
    connection_id || ':' || po_key as po_id,
    quantity,
    line_net
from staging.purchase_order_lines
""",
    "canonical/_canonical.yml": """
models:
  - name: purchase_orders
    description: One row per purchase order.
    materialized: table
    columns:
      - name: po_id
        description: connection_id || ':' || key.
        tests: [not_null, unique]
      - name: status
        description: Canonical status.
        tests:
          - accepted_values:
              values: [draft, open, closed]
              severity: warn
    tests:
      - expression:
          name: header_net_matches_lines
          sql: abs(total_net - lines_net) <= 0.01
  - name: purchase_order_lines
    description: One row per purchase order line.
    materialized: incremental
    unique_key: po_line_id
    columns:
      - name: po_line_id
        description: po_id || ':' || line key.
        tests: [unique, not_null]
      - name: po_id
        description: The order.
        tests:
          - relationships: {to: canonical.purchase_orders, field: po_id}
""",
    "marts/po_spend.sql": """
select
    connection_id,
    status,
    count(*) as orders,
    cast(sum(total_net) as decimal(18, 4)) as total_net
from canonical.purchase_orders
group by all
""",
}

PURCHASE_ORDERS = [
    ("c1", "1", "open", "100.00", "2026-01-01 10:00:00"),
    ("c1", "2", "closed", "50.50", "2026-01-02 10:00:00"),
    ("c2", "1", "Draft", "0", "2026-01-03 10:00:00"),
]
PURCHASE_ORDER_LINES = [
    ("c1", "1", "10", "2", "60.00"),
    ("c1", "1", "20", "1", "40.00"),
    ("c1", "2", "10", "5", "50.50"),
]


def write_project(root: Path, files: dict[str, str] | None = None) -> Path:
    """Write the tiny project (optionally changed by `files`, None values delete) under root."""
    project = root / "models"
    for relative, text in {**FILES, **(files or {})}.items():
        path = project / relative
        if text is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.lstrip())
    return project


def create_raw(
    warehouse: Warehouse,
    orders: list[tuple] = PURCHASE_ORDERS,
    lines: list[tuple] = PURCHASE_ORDER_LINES,
) -> None:
    """The raw tables the tiny project reads, as text like dlt lands API strings."""
    load_rows(
        warehouse,
        "raw_makini.purchase_orders",
        [(c, "varchar") for c in ("connection_id", "key", "status", "total_net", "updated_at")],
        orders,
    )
    load_rows(
        warehouse,
        "raw_makini.purchase_order_lines",
        [(c, "varchar") for c in ("connection_id", "po_key", "line_key", "quantity", "line_net")],
        lines,
    )
