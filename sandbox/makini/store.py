"""In-memory tables behind the list endpoints, stored compactly.

Orders are kept as their serialized JSON (orjson bytes) plus the few fields paging and cursors
need (key, updatedAt, line keys and line updatedAt): 100k orders with 400k lines take about
1 GB of process memory, and a page is served by joining bytes, with no per-request
serialization.
Changing an order replaces its bytes. Every table answers the same small protocol (`Table`)
that the query engine filters, sorts and pages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

import orjson

from sandbox.makini.clock import iso, parse_iso

Row = dict[str, Any]
LINE_ITEM_FIELDS = (
    "key",
    "locationKey",
    "assetKey",
    "statusKey",
    "materialKey",
    "storeroomKey",
    "vendorKey",
    "productKey",
    "price",
    "discount",
    "deliveryAt",
    "lineNo",
    "code",
    "name",
    "description",
    "lineRef",
    "quantity",
    "receivedQuantity",
    "type",
    "uomKey",
    "cost",
    "currencyKey",
    "lineTotalValue",
    "lineTaxValue",
    "notes",
    "dueAt",
    "createdAt",
    "updatedAt",
    "customFields",
)


class Table(Protocol):
    """What the query engine needs from a list endpoint's rows."""

    fields: frozenset[str]
    version: int  # bumped on every change, so cached query results expire

    def __len__(self) -> int: ...
    def key(self, i: int) -> str: ...
    def value(self, i: int, field: str) -> Any: ...
    def json(self, i: int) -> bytes: ...
    def time_index(self, field: str) -> Callable[[int], int] | None:
        """Row position -> epoch seconds, for a never-null timestamp field the table keeps
        as a number (so filters and sorts skip rendering and parsing ISO strings); else None."""
        ...


class RowTable:
    """A small table of dicts (vendors, sites, statuses, ...)."""

    def __init__(self, rows: list[Row], fields: frozenset[str] | None = None) -> None:
        self.rows = rows
        self.fields = fields if fields is not None else frozenset(rows[0] if rows else ())
        self.version = 0

    def __len__(self) -> int:
        return len(self.rows)

    def key(self, i: int) -> str:
        return self.rows[i]["key"]

    def value(self, i: int, field: str) -> Any:
        return self.rows[i].get(field)

    def json(self, i: int) -> bytes:
        return orjson.dumps(self.rows[i])

    def time_index(self, field: str) -> None:
        return None

    def append(self, row: Row) -> None:
        self.rows.append(row)
        self.version += 1


@dataclass(slots=True)
class OrderRecord:
    key: str
    updated_s: int
    raw: bytes  # the order's JSON, lines embedded


class OrderTable:
    """Purchase orders as serialized bytes, plus a flat index of their embedded lines (the
    line-items view): line n belongs to order `line_order[n]`, whose lines start at
    `line_start[order]`; line keys and updatedAt are kept beside it for paging and cursors."""

    def __init__(self, fields: frozenset[str]) -> None:
        self.records: list[OrderRecord] = []
        self.position: dict[str, int] = {}
        self.fields = fields
        self.version = 0
        self.line_start: list[int] = []
        self.line_order: list[int] = []
        self.line_keys: list[str] = []
        self.line_updated_s: list[int] = []

    def __len__(self) -> int:
        return len(self.records)

    def key(self, i: int) -> str:
        return self.records[i].key

    def value(self, i: int, field: str) -> Any:
        record = self.records[i]
        if field == "key":
            return record.key
        if field == "updatedAt":
            return iso(record.updated_s)
        return orjson.loads(record.raw).get(field)

    def json(self, i: int) -> bytes:
        return self.records[i].raw

    def time_index(self, field: str) -> Callable[[int], int] | None:
        if field == "updatedAt":
            records = self.records
            return lambda i: records[i].updated_s
        return None

    def load(self, i: int) -> Row:
        """The order at position `i` as a fresh dict (safe to modify, then `replace`)."""
        return orjson.loads(self.records[i].raw)

    def lines_of(self, i: int) -> range:
        """Line-index positions of order `i`'s embedded lines."""
        start = self.line_start[i]
        end = self.line_start[i + 1] if i + 1 < len(self.line_start) else len(self.line_keys)
        return range(start, end)

    def add(self, order: Row, updated_s: int, line_updated_s: Sequence[int]) -> None:
        """Append a new order (and its lines to the line index)."""
        position = len(self.records)
        self.records.append(OrderRecord(order["key"], updated_s, orjson.dumps(order)))
        self.position[order["key"]] = position
        self.line_start.append(len(self.line_keys))
        self.line_order.extend([position] * len(order["lineItems"]))
        self.line_keys.extend(line["key"] for line in order["lineItems"])
        self.line_updated_s.extend(line_updated_s)
        self.version += 1

    def replace(self, i: int, order: Row, updated_s: int, line_updated_s: Sequence[int]) -> None:
        """Store a changed order; its line count must not change (the index is flat)."""
        lines = self.lines_of(i)
        assert len(order["lineItems"]) == len(lines) == len(line_updated_s)
        self.records[i] = OrderRecord(order["key"], updated_s, orjson.dumps(order))
        self.line_keys[lines.start : lines.stop] = [line["key"] for line in order["lineItems"]]
        self.line_updated_s[lines.start : lines.stop] = line_updated_s
        self.version += 1


def line_item(line: Row) -> Row:
    """An embedded `POLineItem` as the line-items endpoint's `LineItem`: no accountKey or
    deletedAt, and `cost` = the line's net amount (total minus tax)."""
    out = {name: line.get(name) for name in LINE_ITEM_FIELDS}
    total, tax = line["lineTotalValue"], line["lineTaxValue"]
    out["cost"] = None if total is None or tax is None else str(Decimal(total) - Decimal(tax))
    return out


class LineItemTable:
    """`/purchase-orders.line-items`: every embedded line of every order (through the orders'
    line index), then any extra rows that belong to no order (only the dirty mode adds them)."""

    def __init__(self, orders: OrderTable) -> None:
        self.orders = orders
        self.extra: list[Row] = []
        self.fields = frozenset(LINE_ITEM_FIELDS)
        # The last order parsed: a page holds an order's lines side by side, so one parse
        # serves them all. Keyed by the bytes object, which a change replaces.
        self._parsed: tuple[bytes, list[Row]] = (b"", [])

    @property
    def version(self) -> int:
        return self.orders.version + len(self.extra)

    def __len__(self) -> int:
        return len(self.orders.line_keys) + len(self.extra)

    def key(self, i: int) -> str:
        keys = self.orders.line_keys
        return keys[i] if i < len(keys) else self.extra[i - len(keys)]["key"]

    def row(self, i: int) -> Row:
        orders = self.orders
        if i >= len(orders.line_keys):
            return self.extra[i - len(orders.line_keys)]
        order_pos = orders.line_order[i]
        raw = orders.records[order_pos].raw
        if self._parsed[0] is not raw:
            self._parsed = (raw, orjson.loads(raw)["lineItems"])
        return line_item(self._parsed[1][i - orders.line_start[order_pos]])

    def value(self, i: int, field: str) -> Any:
        if i < len(self.orders.line_keys):
            if field == "key":
                return self.orders.line_keys[i]
            if field == "updatedAt":
                return iso(self.orders.line_updated_s[i])
        return self.row(i).get(field)

    def json(self, i: int) -> bytes:
        return orjson.dumps(self.row(i))

    def time_index(self, field: str) -> Callable[[int], int] | None:
        if field != "updatedAt":
            return None
        updated, extra = self.orders.line_updated_s, self.extra

        def updated_s(i: int) -> int:
            if i < len(updated):
                return updated[i]
            return int(parse_iso(extra[i - len(updated)]["updatedAt"]) or 0)

        return updated_s
