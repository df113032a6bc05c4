"""`POST /_sandbox/advance`: time passes in the source system.

The clock moves forward; a share of each connection's orders changes the way orders do (status
progress with received quantities, now and then a repriced line on an order not yet received),
every changed order and line gets `updatedAt` = the new clock time (or, spread, a time of its own
within the step, as a day of edits has them), totals stay reconciled, new orders arrive, and
assets go down (and come back).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sandbox.makini.assets import downtime_event
from sandbox.makini.clock import iso
from sandbox.makini.connection import Connection, add_order
from sandbox.makini.money import format_minor, format_qty
from sandbox.makini.orders import (
    FULLY_RECEIVED,
    LIFECYCLE,
    RECEIVING,
    Row,
    next_status,
    received_milli,
    reprice,
    to_minor,
)

EDITABLE = ("draft", "pending_approval", "open")  # lines can still be repriced


@dataclass
class Changes:
    changed: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    changed_lines: int = 0


def advance_connection(
    conn: Connection,
    rng: random.Random,
    changed_fraction: float,
    new_orders: int,
    previous_s: int,
    now_s: int,
    spread: bool = False,
) -> Changes:
    """Apply one step of change to `conn`, from clock `previous_s` to `now_s`; `spread`: each
    changed order changes at a time of its own within the step, else all at `now_s`."""
    changes = Changes()
    orders = conn.orders
    candidates = [i for i in range(len(orders)) if i not in conn.frozen_orders]
    count = min(len(candidates), round(changed_fraction * len(orders)))
    for position in sorted(rng.sample(candidates, count)):
        changed_s = rng.randrange(previous_s + 1, now_s + 1) if spread else now_s
        order = orders.load(position)
        touched = _change(conn, order, rng, changed_s)
        lines_s = [
            changed_s if n in touched else orders.line_updated_s[line]
            for n, line in enumerate(orders.lines_of(position))
        ]
        for n in touched:
            order["lineItems"][n]["updatedAt"] = iso(changed_s)
        order["updatedAt"] = iso(changed_s)
        orders.replace(position, order, changed_s, lines_s)
        changes.changed.append(order["key"])
        changes.changed_lines += len(touched)
    for _ in range(new_orders):
        ordered_s = rng.randrange(previous_s + 1, now_s + 1)
        changes.new.append(add_order(orders, conn.factory, rng, ordered_s, now_s))
    _downtime(conn, rng, previous_s, now_s)
    conn.advances += 1
    conn.sync_status, conn.sync_updated_s = "done", now_s
    return changes


def _change(conn: Connection, order: Row, rng: random.Random, now_s: int) -> set[int]:
    """Change one order in place; return the positions of the lines that changed."""
    ref = conn.ref
    canonical = ref.status_canonical.get(order["statusKey"], "unknown")
    following = next_status(ref, canonical)
    lines = order["lineItems"]
    live = [n for n, line in enumerate(lines) if line["deletedAt"] is None]
    touched: set[int] = set()
    if canonical in EDITABLE and live and rng.random() < 0.3:
        # Repricing recomputes every line, but only the edited one's values change.
        edited = rng.choice(live)
        _reprice_line(conn, order, lines[edited], rng)
        touched.add(edited)
    if following is None:  # closed or cancelled: only the header notes change
        order["notes"] = "Nachträglich geprüft / reviewed"
        return touched
    status_key = rng.choice(ref.status_keys[following])
    order["statusKey"] = status_key
    if following in LIFECYCLE[2:] and order["approvedAt"] is None:
        order["approvedAt"], order["userApprovedKey"] = iso(now_s), rng.choice(ref.users)
    if following in RECEIVING and order["shipmentDate"] is None:
        order["shipmentDate"] = iso(now_s)
    if following == "closed":
        order["completedAt"] = iso(now_s)
    for n, line in enumerate(lines):
        line["statusKey"] = status_key
        decimals = ref.unit_decimals[line["uomKey"]]
        qty = to_minor(line["quantity"], 3)
        received = max(
            to_minor(line["receivedQuantity"], 3), received_milli(following, qty, decimals, rng)
        )
        line["receivedQuantity"] = format_qty(received, decimals)
        if following in FULLY_RECEIVED and line["deliveryAt"] is None:
            line["deliveryAt"] = iso(now_s)
        touched.add(n)
    return touched


def _reprice_line(conn: Connection, order: Row, line: Row, rng: random.Random) -> None:
    """A buyer edits a line: quantity or price moves by 5-20 %; totals follow."""
    factor = 1 + rng.choice((-1, 1)) * rng.uniform(0.05, 0.20)
    exponent = conn.ref.exponent[order["currencyKey"]]
    if rng.random() < 0.5:
        decimals = conn.ref.unit_decimals[line["uomKey"]]
        step = 1000 if decimals == 0 else 1
        qty = max(step, int(to_minor(line["quantity"], 3) * factor) // step * step)
        line["quantity"] = format_qty(qty, decimals)
    else:
        price = max(1, int(to_minor(line["price"], exponent) * factor))
        line["price"] = format_minor(price, exponent)
    reprice(order, conn.ref)


def _downtime(conn: Connection, rng: random.Random, previous_s: int, now_s: int) -> None:
    """A few new stops in the elapsed window; open stops may end."""
    for event in conn.downtime.rows:
        if event["endedAt"] is None and rng.random() < 0.5:
            event["endedAt"] = event["updatedAt"] = iso(now_s)
    active = [a["key"] for a in conn.assets if a["isActive"]]
    for _ in range(rng.randint(1, 3)):
        started = rng.randrange(previous_s, now_s)
        conn.downtime.append(downtime_event(rng, conn.keys, rng.choice(active), started, now_s))
    conn.downtime.version += 1
