"""The Makini dlt source: every endpoint of `tables.ENDPOINTS` for every connection.

Each resource loads one raw table for all connections, merging on (`connection_id`, `key`).
Incremental loads keep one watermark per table and connection in the source state (dlt commits
it with the data it covers), request `filter[<cursor>:gteq]=watermark - lookback` sorted
ascending, and let the merge absorb the overlap. A connection that fails (401, unreachable after
retries, a malformed page or row) is recorded in the `ExtractionReport` and skipped for the rest
of the run; its watermark does not move, so the next run picks up where it stopped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import dlt
import pyarrow as pa
from dlt.common.typing import TDataItems
from dlt.sources import DltResource, DltSource

from pipelines.makini.client import MakiniClient, Page, RetrySettings
from pipelines.makini.errors import MakiniError, MalformedPageError
from pipelines.makini.rows import (
    LINE_COLUMNS,
    RAW_COLUMNS,
    TIMESTAMP_TYPE,
    RowError,
    empty_table,
    to_arrow,
)
from pipelines.makini.tables import (
    ENDPOINTS,
    ENDPOINTS_BY_TABLE,
    JSON,
    PURCHASE_ORDER_LINE_FIELDS,
    PURCHASE_ORDER_LINES_TABLE,
    RAW_TABLES,
    Endpoint,
    snake_case,
)
from settings import DEFAULT_MAKINI_LOOKBACK_S, DEFAULT_MAKINI_PER_PAGE, Connection

MERGE_KEY = ("connection_id", "key")
LINE_PRIMARY_KEY = ("connection_id", "purchase_order_key", "key")
# Lines arrive embedded in their order: replace all lines of every order that was reloaded,
# so a line removed from an order in the source does not linger in the warehouse.
LINE_WRITE_DISPOSITION = {"disposition": "merge", "strategy": "delete-insert"}


@dataclass
class ExtractionReport:
    """What a run did per connection: rows per table, retried problems, failures."""

    rows: Counter = field(default_factory=Counter)
    rows_by_connection: Counter = field(default_factory=Counter)
    retries: list[tuple[str, str]] = field(default_factory=list)
    failures: dict[str, MakiniError] = field(default_factory=dict)
    unknown_fields: dict[str, set[str]] = field(default_factory=dict)
    requested_keys: dict[str, list[str]] = field(default_factory=dict)

    def failed(self, connection_id: str) -> bool:
        return connection_id in self.failures

    def record_retry(self, connection_id: str, problem: str) -> None:
        self.retries.append((connection_id, problem))


def makini_source(
    base_url: str,
    connections: Sequence[Connection],
    tables: Sequence[str] | None = None,
    keys: dict[str, Sequence[str]] | None = None,
    lookback_s: int = DEFAULT_MAKINI_LOOKBACK_S,
    per_page: int = DEFAULT_MAKINI_PER_PAGE,
    retry: RetrySettings | None = None,
    report: ExtractionReport | None = None,
) -> DltSource:
    """Raw Makini tables for `connections`.

    Args:
        base_url: API root, e.g. `https://api.makini.io` or the sandbox URL.
        connections: the customer systems to read, each with its own token.
        tables: raw tables to load (default: all of `RAW_TABLES`).
        keys: targeted refetch: raw table -> record keys, fetched one by one with
            `GET <path>/{key}`; watermarks do not move.
        lookback_s: seconds re-read before each watermark.
        per_page: page size for list endpoints.
        retry: HTTP retry settings.
        report: filled with rows, retries and per-connection failures.

    Returns:
        A source with one resource per selected raw table (embedded order lines come with
        `purchase_orders`). Its arguments are Python objects, not dlt config: dlt's config
        injection cannot bind them, so the `@dlt.source` function is built per call.
    """
    report = report if report is not None else ExtractionReport()
    selected = _selected_endpoints(tables, keys)
    extracted_at = datetime.now(UTC)
    clients = [
        MakiniClient(base_url, conn, retry, on_retry=report.record_retry) for conn in connections
    ]
    resources = []
    for endpoint in selected:
        endpoint_keys = (keys or {}).get(endpoint.table)
        resources.append(
            dlt.resource(
                _endpoint_rows(
                    endpoint, clients, endpoint_keys, lookback_s, per_page, extracted_at, report
                ),
                name=endpoint.table,
                write_disposition="merge",
                primary_key=MERGE_KEY,
            )
        )

    @dlt.source(name="makini", max_table_nesting=0)
    def makini() -> Iterator[DltResource]:
        yield from resources

    return makini()


def _selected_endpoints(
    tables: Sequence[str] | None, keys: dict[str, Sequence[str]] | None
) -> list[Endpoint]:
    names = list(keys) if keys else list(tables or (e.table for e in ENDPOINTS))
    unknown = [n for n in names if n not in ENDPOINTS_BY_TABLE and n != PURCHASE_ORDER_LINES_TABLE]
    if unknown:
        raise ValueError(f"unknown Makini table(s) {unknown}; known: {', '.join(RAW_TABLES)}")
    if PURCHASE_ORDER_LINES_TABLE in names and "purchase_orders" not in names:
        names.append("purchase_orders")  # lines only arrive embedded in their orders
    return [ENDPOINTS_BY_TABLE[n] for n in names if n in ENDPOINTS_BY_TABLE]


def _endpoint_rows(
    endpoint: Endpoint,
    clients: list[MakiniClient],
    keys: Sequence[str] | None,
    lookback_s: int,
    per_page: int,
    extracted_at: datetime,
    report: ExtractionReport,
) -> Iterator[TDataItems]:
    state = dlt.current.source_state().setdefault("watermarks", {}).setdefault(endpoint.table, {})
    # Tables exist from the first run on, even before any connection has rows for them.
    yield empty_table(endpoint.fields, RAW_COLUMNS)
    if endpoint.table == "purchase_orders":
        yield _line_hints(empty_table(PURCHASE_ORDER_LINE_FIELDS, LINE_COLUMNS))
    for client in clients:
        conn_id = client.connection.id
        if report.failed(conn_id):
            continue
        try:
            if keys is not None:
                pages = _pages_by_key(client, endpoint, keys, report)
                watermark = None
            else:
                watermark = state.get(conn_id)
                pages = client.iter_pages(
                    endpoint.path,
                    _incremental_params(endpoint, watermark, lookback_s),
                    per_page if endpoint.paged_by_size else None,
                )
            for page in pages:
                yield from _page_tables(endpoint, page, conn_id, extracted_at, report)
                if endpoint.cursor and keys is None:
                    watermark = _max_cursor(page.data, endpoint.cursor, watermark)
            if endpoint.cursor and keys is None and watermark is not None:
                state[conn_id] = watermark
        except MakiniError as exc:
            report.failures[conn_id] = exc


def _pages_by_key(
    client: MakiniClient, endpoint: Endpoint, keys: Sequence[str], report: ExtractionReport
) -> Iterator[Page]:
    for key in keys:
        report.requested_keys.setdefault(endpoint.table, []).append(key)
        record = client.get_one(endpoint.path, key)
        if record is not None:
            yield Page(
                url=f"{client.base_url}{endpoint.path}/{key}",
                number=1,
                data=[record],
                last_page=1,
                total=1,
            )


def _incremental_params(endpoint: Endpoint, watermark: str | None, lookback_s: int) -> dict:
    if not endpoint.cursor:
        return {}
    params = {f"sort[{endpoint.cursor}]": 0}
    if watermark:
        since = datetime.fromisoformat(watermark.replace("Z", "+00:00")) - timedelta(
            seconds=lookback_s
        )
        params[f"filter[{endpoint.cursor}:gteq]"] = since.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return params


def _max_cursor(records: list[dict], cursor: str, current: str | None) -> str | None:
    values = [r[cursor] for r in records if isinstance(r.get(cursor), str) and r[cursor]]
    if not values:
        return current
    newest = max(values, key=_as_time)
    return newest if current is None or _as_time(newest) > _as_time(current) else current


def _as_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _page_tables(
    endpoint: Endpoint, page: Page, conn_id: str, extracted_at: datetime, report: ExtractionReport
) -> Iterator[TDataItems]:
    records = page.data
    if not records:
        return
    try:
        if any(not r.get("key") for r in records):
            raise RowError("a record has no 'key'")
        fields = _with_new_fields(endpoint.table, records, endpoint.fields, report)
        yield to_arrow(records, fields, _extra(conn_id, extracted_at, len(records)))
        report.rows[endpoint.table] += len(records)
        report.rows_by_connection[(conn_id, endpoint.table)] += len(records)
        if endpoint.table == "purchase_orders":
            yield from _line_table(records, conn_id, extracted_at, report)
    except RowError as exc:
        raise MalformedPageError(conn_id, f"page {page.number} of {page.url}: {exc}") from None


def _line_table(
    orders: list[dict], conn_id: str, extracted_at: datetime, report: ExtractionReport
) -> Iterator[TDataItems]:
    lines, order_keys = [], []
    for order in orders:
        items = order.get("lineItems") or []
        if not isinstance(items, list) or any(not isinstance(i, dict) for i in items):
            raise RowError(f"record key={order.get('key')!r}: 'lineItems' is not a list of objects")
        lines.extend(items)
        order_keys.extend([order["key"]] * len(items))
    if not lines:
        return
    if any(not line.get("key") for line in lines):
        raise RowError("a line item has no 'key'")
    fields = _with_new_fields(PURCHASE_ORDER_LINES_TABLE, lines, PURCHASE_ORDER_LINE_FIELDS, report)
    extra = _extra(conn_id, extracted_at, len(lines))
    extra["purchase_order_key"] = pa.array(order_keys, pa.string())
    table = to_arrow(lines, fields, extra)
    report.rows[PURCHASE_ORDER_LINES_TABLE] += len(lines)
    report.rows_by_connection[(conn_id, PURCHASE_ORDER_LINES_TABLE)] += len(lines)
    yield _line_hints(table)


def _line_hints(table: pa.Table) -> TDataItems:
    return dlt.mark.with_hints(
        table,
        dlt.mark.make_hints(
            table_name=PURCHASE_ORDER_LINES_TABLE,
            write_disposition=LINE_WRITE_DISPOSITION,
            primary_key=LINE_PRIMARY_KEY,
            merge_key=("connection_id", "purchase_order_key"),
        ),
        create_table_variant=True,
    )


def _extra(conn_id: str, extracted_at: datetime, n: int) -> dict[str, pa.Array]:
    return {
        "connection_id": pa.array([conn_id] * n, pa.string()),
        "_extracted_at": pa.array([extracted_at] * n, TIMESTAMP_TYPE),
    }


def _with_new_fields(
    table: str, records: list[dict], fields: dict[str, str], report: ExtractionReport
) -> dict[str, str]:
    """Schema drift contract: a field the API adds lands as a new JSON-text column (nothing is
    dropped) and is reported; a known field whose type changed fails the page in `to_arrow`."""
    present = set().union(*(record.keys() for record in records)) - {"lineItems"}
    new = sorted(present - fields.keys())
    if not new:
        return fields
    taken = {snake_case(f) for f in fields} | {
        "connection_id",
        "_extracted_at",
        "purchase_order_key",
    }
    clashes = [f for f in new if snake_case(f) in taken]
    if clashes:
        raise RowError(f"new field(s) {clashes} collide with existing columns of {table}")
    report.unknown_fields.setdefault(table, set()).update(new)
    return {**fields, **dict.fromkeys(new, JSON)}
