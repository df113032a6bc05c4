"""Laravel-style list queries: `page`/`per_page`, `filter[field:op]`, `filterMatch`, `sort`.

Values compare by kind: ISO-8601 timestamps as times (`2023-11-07` means midnight UTC),
decimal strings and numbers as numbers, anything else as case-sensitive text; `contains` and
`startsWith` are case-insensitive, like MySQL's default collation under Laravel. `null` as a
filter value matches absent values. Sorting puts nulls first and breaks ties by `key`, so paging
through a sorted result is stable. Bad parameters raise `QueryError`, answered with 422.
"""

from __future__ import annotations

import operator
import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

import orjson

from sandbox.makini.clock import parse_iso
from sandbox.makini.store import Table

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000
FILTER = re.compile(r"^filter\[([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+))?\]$")
SORT = re.compile(r"^sort\[([A-Za-z_][A-Za-z0-9_]*)\]$")
OPERATORS = frozenset(("eq", "gt", "gteq", "lt", "lted", "lteq", "contains", "startsWith"))


class QueryError(ValueError):
    """A bad query parameter; `parameter` names it in the 422 answer."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class Query:
    page: int
    per_page: int
    filters: tuple[tuple[str, str, str], ...]  # (field, operator, value)
    match_all: bool
    sort: tuple[tuple[str, bool], ...]  # (field, descending)


def _positive_int(name: str, text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise QueryError(name, f"The {name.replace('_', ' ')} field must be an integer.") from None
    if number < 1:
        raise QueryError(name, f"The {name.replace('_', ' ')} field must be at least 1.")
    return number


def parse_query(params: Sequence[tuple[str, str]], fields: frozenset[str]) -> Query:
    """Validate the query string of a list request against the endpoint's fields."""
    page, per_page, match_all = 1, DEFAULT_PER_PAGE, True
    filters: list[tuple[str, str, str]] = []
    sort: list[tuple[str, bool]] = []
    for name, value in params:
        if name == "page":
            page = _positive_int(name, value)
        elif name == "per_page":
            per_page = _positive_int(name, value)
            if per_page > MAX_PER_PAGE:
                raise QueryError(
                    name, f"The per page field must not be greater than {MAX_PER_PAGE}."
                )
        elif name == "filterMatch":
            if value not in ("all", "any"):
                raise QueryError(name, "The filter match field must be all or any.")
            match_all = value == "all"
        elif match := FILTER.match(name):
            field, operator = match.group(1), match.group(2) or "eq"
            if field not in fields:
                raise QueryError(name, f"Unknown filter field: {field}.")
            if operator not in OPERATORS:
                raise QueryError(name, f"Unknown filter operator: {operator}.")
            filters.append((field, operator, value))
        elif match := SORT.match(name):
            if match.group(1) not in fields:
                raise QueryError(name, f"Unknown sort field: {match.group(1)}.")
            if value not in ("0", "1"):
                raise QueryError(name, "Sort direction must be 0 (ascending) or 1 (descending).")
            sort.append((match.group(1), value == "1"))
    return Query(page, per_page, tuple(filters), match_all, tuple(sort))


def comparable(value: Any) -> tuple[int, Any]:
    """(kind, value) so that times, numbers and text each compare among themselves."""
    if isinstance(value, bool):
        return 2, "true" if value else "false"
    if isinstance(value, int | float):
        return 1, Decimal(str(value))
    text = value if isinstance(value, str) else orjson.dumps(value).decode()
    epoch = parse_iso(text)
    if epoch is not None:
        return 0, epoch
    try:
        number = Decimal(text)
    except InvalidOperation:
        return 2, text
    return (1, number) if number.is_finite() else (2, text)


Comparable = tuple[int, Any]
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "gt": operator.gt,
    "gteq": operator.ge,
    "lt": operator.lt,
    "lted": operator.le,
    "lteq": operator.le,
}


def _comparables(table: Table, field: str) -> Callable[[int], Comparable | None]:
    """Row position -> comparable value of `field` (None for null)."""

    def get(i: int) -> Comparable | None:
        value = table.value(i, field)
        return None if value is None else comparable(value)

    return get


def _text(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def _predicate(table: Table, field: str, op: str, operand: str) -> Callable[[int], bool]:
    """A test of one filter on a row position."""
    if op in ("contains", "startsWith"):
        needle = operand.lower()

        def text_test(i: int) -> bool:
            value = table.value(i, field)
            if value is None:
                return False
            text = _text(value).lower()
            return needle in text if op == "contains" else text.startswith(needle)

        return text_test
    compare = COMPARE[op]
    operand_kind, right = comparable(operand)
    epoch = table.time_index(field)
    if epoch is not None and operand_kind == 0:  # indexed timestamps: no parsing per row
        return lambda i: compare(epoch(i), right)
    get = _comparables(table, field)

    def test(i: int) -> bool:
        left = get(i)
        if left is None:
            return op == "eq" and operand == "null"
        if left[0] != operand_kind:  # a time against a word, say: compare the text forms
            return compare(_text(table.value(i, field)), operand)
        return compare(left[1], right)

    return test


def select(table: Table, query: Query) -> Sequence[int]:
    """Positions of the rows matching `query`'s filters, in its order."""
    positions: Sequence[int] = range(len(table))
    if query.filters:
        tests = [_predicate(table, *spec) for spec in query.filters]
        combine = all if query.match_all else any
        positions = [i for i in positions if combine(test(i) for test in tests)]
    if query.sort:
        ordered = sorted(positions, key=table.key)
        for field, descending in reversed(query.sort):
            # Stable sorts, last key first; reverse=True keeps equal rows in key order.
            epoch = table.time_index(field)
            if epoch is not None:
                ordered.sort(key=epoch, reverse=descending)
                continue
            get = _comparables(table, field)
            # Nulls first: (0,) sorts before (1, kind, value).
            ordered.sort(
                key=lambda i, get=get: (1, *c) if (c := get(i)) else (0,), reverse=descending
            )
        positions = ordered
    return positions


class QueryCache:
    """Recent results per (table, version, filters, sort): paging through one query filters and
    sorts once, and any change to the table expires its entries."""

    def __init__(self, size: int = 16) -> None:
        self._entries: OrderedDict[tuple[Any, ...], Sequence[int]] = OrderedDict()
        self._size = size

    def select(self, table: Table, query: Query) -> Sequence[int]:
        if not query.filters and not query.sort:
            return range(len(table))
        # Tables live as long as the sandbox, so id() stays theirs; a table built per request
        # must call `select` directly instead.
        cache_key = (id(table), table.version, query.filters, query.match_all, query.sort)
        if cache_key in self._entries:
            self._entries.move_to_end(cache_key)
            return self._entries[cache_key]
        result = select(table, query)
        self._entries[cache_key] = result
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return result


def page_body(
    table: Table,
    positions: Sequence[int],
    query: Query,
    url: str,
    params: Sequence[tuple[str, str]],
) -> tuple[bytes, list[int]]:
    """The Laravel envelope of one page (bytes) and the positions on it."""
    total, per_page, page = len(positions), query.per_page, query.page
    last_page = max(1, -(-total // per_page))
    start = (page - 1) * per_page
    on_page = list(positions[start : start + per_page])
    others = [(k, v) for k, v in params if k != "page"]

    def link(number: int) -> str:
        return f"{url}?{urlencode([*others, ('page', str(number))])}"

    links = {
        "first": link(1),
        "last": link(last_page),
        "prev": link(page - 1) if 1 < page <= last_page + 1 else None,
        "next": link(page + 1) if page < last_page else None,
    }
    meta = {
        "current_page": page,
        "from": start + 1 if on_page else None,
        "last_page": last_page,
        "path": url,
        "per_page": per_page,
        "to": start + len(on_page) if on_page else None,
        "total": total,
    }
    body = b"".join(
        (
            b'{"data":[',
            b",".join(table.json(i) for i in on_page),
            b'],"links":',
            orjson.dumps(links),
            b',"meta":',
            orjson.dumps(meta),
            b"}",
        )
    )
    return body, on_page
