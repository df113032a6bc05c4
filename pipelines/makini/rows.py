"""Turn a page of API records into a typed Arrow table, or fail naming the bad value.

Parsing happens here, per page and column at a time, because dlt normalizes Arrow tables
about as fast as the raw bound while dicts cost 7-30x (see STACK.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
import pyarrow as pa

from pipelines.makini.tables import BOOL, DECIMAL, JSON, TEXT, TIMESTAMP, snake_case

DECIMAL_TYPE = pa.decimal128(38, 9)
TIMESTAMP_TYPE = pa.timestamp("us", tz="UTC")
ARROW_TYPES = {
    TEXT: pa.string(),
    DECIMAL: DECIMAL_TYPE,
    TIMESTAMP: TIMESTAMP_TYPE,
    BOOL: pa.bool_(),
    JSON: pa.string(),
}
# Columns plantsync adds to every raw row, and to embedded lines.
RAW_COLUMNS = {"connection_id": TEXT, "_extracted_at": TIMESTAMP}
LINE_COLUMNS = {**RAW_COLUMNS, "purchase_order_key": TEXT}
NOT_NULL = frozenset({"connection_id", "key", "purchase_order_key"})
_TRUE, _FALSE = frozenset({"true", "1", "yes"}), frozenset({"false", "0", "no"})


class RowError(ValueError):
    """A field value that does not fit its declared kind."""


def to_arrow(
    records: Sequence[dict[str, Any]],
    fields: dict[str, str],
    extra: dict[str, pa.Array],
) -> pa.Table:
    """Build the typed table; `extra` holds ready columns (connection_id, _extracted_at, ...)."""
    arrays = dict(extra)
    for field, kind in fields.items():
        values = [record.get(field) for record in records]
        arrays[snake_case(field)] = _column(values, kind, field, records)
    # Key columns are declared not null, as dlt's merge hints make them.
    schema = pa.schema(
        pa.field(name, array.type, nullable=name not in NOT_NULL) for name, array in arrays.items()
    )
    return pa.Table.from_arrays(list(arrays.values()), schema=schema)


def empty_table(fields: dict[str, str], added: dict[str, str]) -> pa.Table:
    """A table with no rows and the columns `to_arrow` would give."""
    names = [*added, *(snake_case(f) for f in fields)]
    kinds = [*added.values(), *fields.values()]
    schema = pa.schema(
        pa.field(n, ARROW_TYPES[k], nullable=n not in NOT_NULL)
        for n, k in zip(names, kinds, strict=True)
    )
    return schema.empty_table()


def _column(values: list[Any], kind: str, field: str, records: Sequence[dict]) -> pa.Array:
    if kind == JSON:
        return pa.array(
            [None if v is None else orjson.dumps(v).decode() for v in values], pa.string()
        )
    if kind == BOOL:
        return pa.array([_bool(v, field, records, i) for i, v in enumerate(values)], pa.bool_())
    try:
        if kind == TEXT:
            return pa.array(values, pa.string())
        strings = pa.array([None if v == "" else v for v in values], pa.string())
        return strings.cast(ARROW_TYPES[kind])
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        index = _first_bad(values, kind)
        raise RowError(_describe(records, index, field, values[index], kind)) from None


def _bool(value: Any, field: str, records: Sequence[dict], index: int) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise RowError(_describe(records, index, field, value, BOOL))


def _first_bad(values: list[Any], kind: str) -> int:
    for i, value in enumerate(values):
        if value is None or value == "":
            continue
        if kind == TEXT and not isinstance(value, str):
            return i
        if kind != TEXT and (not isinstance(value, str) or not _parses(value, kind)):
            return i
    return 0


def _parses(value: str, kind: str) -> bool:
    try:
        pa.array([value]).cast(ARROW_TYPES[kind])
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    if kind == TIMESTAMP:
        # Arrow reads "2024-01-01" as midnight; that is still an ISO timestamp, accept it.
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


def _describe(records: Sequence[dict], index: int, field: str, value: Any, kind: str) -> str:
    key = records[index].get("key") if index < len(records) else None
    return (
        f"record key={key!r}: field {field!r} = {value!r} ({type(value).__name__}) "
        f"is not a valid {kind}"
    )
