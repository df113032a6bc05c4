"""In-memory tables behind the list endpoints, stored compactly.

Orders are kept as their serialized JSON (orjson bytes) plus the few fields paging and cursors
need (key, updatedAt, line keys and line updatedAt): 100k orders with 400k lines fit in well
under a gigabyte, and a page is served by joining bytes, with no per-request serialization.
Changing an order replaces its bytes. Every table answers the same small protocol (`Table`)
that the query engine filters, sorts and pages.
"""

from __future__ import annotations

from collections.abc import Callable
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
    def index(self, field: str) -> Callable[[int], tuple[int, Any]] | None:
        """A fast (kind, value) getter for a field the table keeps typed, else None."""
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

    def index(self, field: str) -> None:
        return None

    def append(self, row: Row) -> None:
        self.rows.append(row)
        self.version += 1


@dataclass(slots=True)
class OrderRecord:
    key: str
    updated_s: int
    raw: bytes
    line_keys: tuple[str, ...]
    line_updated_s: tuple[int, ...]


def _record(order: Row, updated_s: int, line_updated_s: tuple[int, ...]) -> OrderRecord:
    keys = tuple(line["key"] for line in order["lineItems"])
    return OrderRecord(order["key"], updated_s, orjson.dumps(order), keys, line_updated_s)


class OrderTable:
    """Purchase orders as serialized bytes, with the line-items view built on the same data."""

    def __init__(self, fields: frozenset[str]) -> None:
        self.records: list[OrderRecord] = []
        self.position: dict[str, int] = {}
        self.fields = fields
        self.version = 0
        # (order position, line position) of every embedded line, in order: the line-items view
        self.line_refs: list[tuple[int, int]] = []

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

    def index(self, field: str) -> Callable[[int], tuple[int, Any]] | None:
        # Kind 0 = a time, as query.comparable classifies ISO timestamps.
        if field == "updatedAt":
            return lambda i: (0, self.records[i].updated_s)
        return None

    def load(self, i: int) -> Row:
        """The order at position `i` as a fresh dict (safe to modify, then `replace`)."""
        return orjson.loads(self.records[i].raw)

    def add(self, order: Row, updated_s: int, line_updated_s: tuple[int, ...]) -> None:
        """Append a new order (and its lines to the line-items view)."""
        position = len(self.records)
        self.records.append(_record(order, updated_s, line_updated_s))
        self.position[order["key"]] = position
        self.line_refs.extend((position, n) for n in range(len(order["lineItems"])))
        self.version += 1

    def replace(self, i: int, order: Row, updated_s: int, line_updated_s: tuple[int, ...]) -> None:
        """Store a changed order; its line count must not change (the view indexes lines)."""
        assert len(order["lineItems"]) == len(self.records[i].line_keys)
        self.records[i] = _record(order, updated_s, line_updated_s)
        self.version += 1


def line_item(line: Row) -> Row:
    """An embedded `POLineItem` as the line-items endpoint's `LineItem`: no accountKey or
    deletedAt, and `cost` = the line's net amount (total minus tax)."""
    out = {name: line.get(name) for name in LINE_ITEM_FIELDS}
    total, tax = line["lineTotalValue"], line["lineTaxValue"]
    out["cost"] = None if total is None or tax is None else str(Decimal(total) - Decimal(tax))
    return out


class LineItemTable:
    """`/purchase-orders.line-items`: every embedded line of every order, plus any extra rows
    that belong to no order (only ever injected by the dirty mode)."""

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
        return len(self.orders.line_refs) + len(self.extra)

    def _ref(self, i: int) -> tuple[OrderRecord, int] | None:
        refs = self.orders.line_refs
        if i >= len(refs):
            return None
        order_pos, line_pos = refs[i]
        return self.orders.records[order_pos], line_pos

    def key(self, i: int) -> str:
        ref = self._ref(i)
        if ref is None:
            return self.extra[i - len(self.orders.line_refs)]["key"]
        return ref[0].line_keys[ref[1]]

    def row(self, i: int) -> Row:
        ref = self._ref(i)
        if ref is None:
            return self.extra[i - len(self.orders.line_refs)]
        record, line_pos = ref
        if self._parsed[0] is not record.raw:
            self._parsed = (record.raw, orjson.loads(record.raw)["lineItems"])
        return line_item(self._parsed[1][line_pos])

    def value(self, i: int, field: str) -> Any:
        ref = self._ref(i)
        if ref is not None and field == "key":
            return ref[0].line_keys[ref[1]]
        if ref is not None and field == "updatedAt":
            return iso(ref[0].line_updated_s[ref[1]])
        return self.row(i).get(field)

    def json(self, i: int) -> bytes:
        return orjson.dumps(self.row(i))

    def index(self, field: str) -> Callable[[int], tuple[int, Any]] | None:
        if field != "updatedAt":
            return None
        refs, records, extra = self.orders.line_refs, self.orders.records, self.extra

        def updated(i: int) -> tuple[int, Any]:
            if i >= len(refs):  # an extra row: parse its timestamp
                return 0, parse_iso(extra[i - len(refs)]["updatedAt"])
            order_pos, line_pos = refs[i]
            return 0, records[order_pos].line_updated_s[line_pos]

        return updated
