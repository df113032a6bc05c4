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
    rows = fetch(
        warehouse,
        f"""
        select connection_id, base_currency_code, month, vendor_key,
            min(coalesce(vendor_name, vendor_code, vendor_key, 'unknown vendor')) as vendor,
            sum(spend_base) as spend_base,
            sum(unconverted_line_count) as unconverted_lines
        from marts.po_spend_monthly
        where month >= {date_literal(_months_before(last, SPEND_MONTHS - 1))}
        group by connection_id, base_currency_code, month, vendor_key
        """,
        origin="spend",
    )
    result: list[dict[str, Any]] = []
    for connection_id in sorted({r["connection_id"] for r in rows}):
        result += _top_vendors([r for r in rows if r["connection_id"] == connection_id])
    return result


def _top_vendors(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One connection's rows with every vendor outside its top TOP_VENDORS named OTHER_VENDORS,
    summed per month; `vendor_rank` orders the stack (OTHER_VENDORS last)."""
    totals: dict[Any, float] = {}
    labels: dict[Any, str] = {}
    for row in rows:
        totals[row["vendor_key"]] = totals.get(row["vendor_key"], 0.0) + (row["spend_base"] or 0)
        labels[row["vendor_key"]] = row["vendor"]
    ranked = sorted(totals, key=lambda key: (-totals[key], labels[key], str(key)))
    top = {key: rank for rank, key in enumerate(ranked[:TOP_VENDORS], start=1)}
    names = _unique_names({key: labels[key] for key in top})
    merged: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        vendor = names.get(row["vendor_key"], OTHER_VENDORS)
        slot = merged.setdefault(
            (row["month"], vendor),
            {
                "connection_id": row["connection_id"],
                "base_currency_code": row["base_currency_code"],
                "month": row["month"],
                "vendor": vendor,
                "vendor_rank": top.get(row["vendor_key"], TOP_VENDORS + 1),
                "spend_base": 0.0,
                "unconverted_lines": 0,
            },
        )
        slot["spend_base"] += row["spend_base"] or 0
        slot["unconverted_lines"] += row["unconverted_lines"] or 0
    return sorted(merged.values(), key=lambda r: (r["month"], r["vendor_rank"]))


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
