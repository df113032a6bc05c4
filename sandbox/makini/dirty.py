"""The `--dirty` mode: a small, known set of defects per connection, for data-quality checks.

Everything not listed in the report stays clean. Dirty orders are frozen: `advance` never
touches them, so the defects (and the report) stay true.
"""

from __future__ import annotations

import random

from sandbox.makini.clock import CLOCK_START_S, iso
from sandbox.makini.connection import Connection
from sandbox.makini.money import format_minor
from sandbox.makini.orders import to_minor
from sandbox.makini.reference import status_row
from sandbox.makini.store import line_item

UNKNOWN_STATUS = ("ZZ", "Zwischenstatus XY")


def make_dirty(conn: Connection, rng: random.Random) -> dict[str, list[str]]:
    """Inject the defects into `conn` and return the report of `GET /_sandbox/dirty`."""
    orders = conn.orders
    report: dict[str, list[str]] = {
        "duplicate_line_keys": [],
        "orphan_line_keys": [],
        "unknown_status_po_keys": [],
        "unbalanced_po_keys": [],
    }
    if len(orders) < 10:  # too few orders to spoil a few and keep the rest clean
        return report
    chosen = rng.sample(range(len(orders)), 10)
    conn.frozen_orders.update(chosen)
    pairs, unknown, unbalanced = chosen[0:4], chosen[4:7], chosen[7:10]
    # (a) a line key reused by a line of another order
    for first, second in zip(pairs[0::2], pairs[1::2], strict=False):
        order = orders.load(second)
        duplicate = orders.line_keys[orders.lines_of(first).start]
        order["lineItems"][0]["key"] = duplicate
        _store(conn, second, order)
        report["duplicate_line_keys"].append(duplicate)
    # (b) line items that belong to no order
    lines = conn.tables["/api/erp/purchase-orders.line-items"]
    template = orders.load(chosen[0])["lineItems"][0]
    for _ in range(3):
        orphan = line_item({**template, "key": conn.keys.new("line")})
        lines.extra.append(orphan)
        report["orphan_line_keys"].append(orphan["key"])
    # (c) a status no mapping knows
    status_key = conn.keys.new("status")
    code, name = UNKNOWN_STATUS
    conn.tables["/api/erp/statuses/purchase-orders"].append(
        status_row(status_key, conn.ref.organization_key, code, name, iso(CLOCK_START_S))
    )
    for position in unknown:
        order = orders.load(position)
        order["statusKey"] = status_key
        for line in order["lineItems"]:
            line["statusKey"] = status_key
        _store(conn, position, order)
        report["unknown_status_po_keys"].append(order["key"])
    # (d) a header net that is off by far more than rounding (1000 currency units)
    for position in unbalanced:
        order = orders.load(position)
        exponent = conn.ref.exponent[order["currencyKey"]]
        off = to_minor(order["totalNetValue"], exponent) + 1000 * 10**exponent
        order["totalNetValue"] = format_minor(off, exponent)
        _store(conn, position, order)
        report["unbalanced_po_keys"].append(order["key"])
    return report


def _store(conn: Connection, position: int, order: dict) -> None:
    """Replace an order, keeping its timestamps: a defect is not a change."""
    orders = conn.orders
    lines = orders.lines_of(position)
    orders.replace(
        position,
        order,
        orders.records[position].updated_s,
        orders.line_updated_s[lines.start : lines.stop],
    )
