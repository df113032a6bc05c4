"""The purchasing figures of the report, read from the purchase-order marts.

Spend is shown in each connection's base currency (`spend_base`); amounts in different
currencies are never added, so open order value is shown per line currency.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from report.sql import date_literal, fetch
from warehouse.connections import Warehouse

SPEND_MONTHS = 12
TOP_VENDORS = 10
OTHER_VENDORS = "other vendors"
# open_po_lines.due_bucket in reading order, with the words the report uses for it
DUE_BUCKETS = {
    "overdue": "overdue",
    "due_7d": "due within 7 days",
    "due_30d": "due in 8-30 days",
    "later": "due later",
    "no_date": "no due date",
}


def spend(warehouse: Warehouse) -> list[dict[str, Any]]:
    """Spend in base currency per connection, month and vendor over the last SPEND_MONTHS
    months of the mart: each connection's TOP_VENDORS vendors by spend over those months by
    name, the others summed as OTHER_VENDORS. `unconverted_lines` counts the order lines left
    out because they have no exchange rate to the base currency."""
    if not warehouse.table_exists("marts.po_spend_monthly"):
        return []
    last = fetch(
        warehouse, "select max(month) as month from marts.po_spend_monthly", origin="spend_last"
    )[0]["month"]
    if last is None:
        return []
    # the ranking and the roll-up of the other vendors happen in SQL: a mart of thousands of
    # vendors comes back as at most (TOP_VENDORS + 1) rows per connection and month
    rows = fetch(
        warehouse,
        f"""
        with

        recent as (
            select
                connection_id,
                base_currency_code,
                month,
                vendor_key,
                coalesce(vendor_name, vendor_code, vendor_key, 'unknown vendor') as vendor,
                spend_base,
                unconverted_line_count
            from marts.po_spend_monthly
            where month >= {date_literal(_months_before(last, SPEND_MONTHS - 1))}
        ),

        vendors as (
            select
                connection_id,
                vendor_key,
                min(vendor) as vendor,
                coalesce(sum(spend_base), 0) as total
            from recent
            group by connection_id, vendor_key
        ),

        ranked as (
            select
                *,
                row_number() over (
                    partition by connection_id order by total desc, vendor, vendor_key
                ) as vendor_rank
            from vendors
        )

        select
            recent.connection_id,
            recent.base_currency_code,
            recent.month,
            case when ranked.vendor_rank <= {TOP_VENDORS} then ranked.vendor_key end as vendor_key,
            case when ranked.vendor_rank <= {TOP_VENDORS} then ranked.vendor end as vendor,
            least(ranked.vendor_rank, {TOP_VENDORS + 1}) as vendor_rank,
            coalesce(sum(recent.spend_base), 0) as spend_base,
            coalesce(sum(recent.unconverted_line_count), 0) as unconverted_lines
        from recent
        inner join ranked
            on ranked.connection_id = recent.connection_id
            and ranked.vendor_key is not distinct from recent.vendor_key
        group by 1, 2, 3, 4, 5, 6
        """,
        origin="spend",
    )
    result: list[dict[str, Any]] = []
    for connection_id in sorted({r["connection_id"] for r in rows}):
        result += _named([r for r in rows if r["connection_id"] == connection_id])
    return result


def _named(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One connection's rows, its top vendors named (made unique), the rest OTHER_VENDORS,
    in month and rank order."""
    names = _unique_names(
        {r["vendor_key"]: r["vendor"] for r in rows if r["vendor_rank"] <= TOP_VENDORS}
    )
    for row in rows:
        key = row.pop("vendor_key")
        row["vendor"] = names[key] if row["vendor_rank"] <= TOP_VENDORS else OTHER_VENDORS
    return sorted(rows, key=lambda r: (r["month"], r["vendor_rank"]))


def _unique_names(names: dict[Any, str]) -> dict[Any, str]:
    """Vendor names made unique (the key added where two vendors share a name)."""
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    return {key: name if counts[name] == 1 else f"{name} ({key})" for key, name in names.items()}


def _months_before(month: str, count: int) -> date:
    first = date.fromisoformat(month)
    index = first.year * 12 + first.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def open_lines(warehouse: Warehouse) -> list[dict[str, Any]]:
    """Open order lines and their open value per due bucket and line currency."""
    if not warehouse.table_exists("marts.open_po_lines"):
        return []
    rows = fetch(
        warehouse,
        """
        select due_bucket, coalesce(currency_code, 'unknown') as currency_code,
            count(*) as lines, sum(open_value) as open_value
        from marts.open_po_lines
        group by due_bucket, coalesce(currency_code, 'unknown')
        """,
        origin="open_lines",
    )
    order = list(DUE_BUCKETS)
    for row in rows:
        row["due"] = DUE_BUCKETS.get(row["due_bucket"], row["due_bucket"])
    return sorted(rows, key=lambda r: (r["currency_code"], _position(order, r["due_bucket"])))


def _position(order: list[str], value: str) -> int:
    return order.index(value) if value in order else len(order)
