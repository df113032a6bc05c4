"""The Starlette app: Makini's API surface plus the `/_sandbox/*` control endpoints.

The Bearer token decides the connection, as in Makini (no connection id in the path).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.makini.clock import iso
from sandbox.makini.connection import Connection
from sandbox.makini.faults import FaultError, make_fault
from sandbox.makini.query import QueryError, page_body, parse_query, select
from sandbox.makini.store import RowTable
from sandbox.makini.webhooks import WebhookConfig, WebhookConfigError, send
from sandbox.makini.world import Sandbox, connection_row, integration_row

DATA_PREFIXES = ("/api/erp/", "/api/eam/")
ORDER_PREFIX = "/api/erp/purchase-orders/"
CONNECTION_FIELDS = frozenset(
    (
        "key",
        "name",
        "email",
        "status",
        "integration_name",
        "redirect",
        "scopes",
        "tags",
        "user_metadata",
        "client_id",
        "updated_at",
        "created_at",
        "connected_at",
    )
)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(data), status, headers, media_type="application/json")


def error(status: int, message: str, **extra: Any) -> Response:
    return json_response({"message": message, **extra}, status)


def create_app(sandbox: Sandbox) -> Starlette:
    """An ASGI app serving `sandbox`."""

    def authenticate(request: Request) -> Connection | None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        return sandbox.by_token.get(token.strip()) if scheme.lower() == "bearer" else None

    def list_response(
        request: Request, conn: Connection, table: Any, cached: bool = True
    ) -> Response:
        params = list(request.query_params.multi_items())
        try:
            query = parse_query(params, table.fields)
        except QueryError as exc:
            return error(422, str(exc), errors={exc.parameter: [str(exc)]})
        positions = sandbox.cache.select(table, query) if cached else select(table, query)
        url = f"{request.url.scheme}://{request.url.netloc}{request.url.path}"
        body, _ = page_body(table, positions, query, url, params)
        body = sandbox.faults.distort(conn.id, request.url.path, query.page, body)
        return Response(body, media_type="application/json")

    def serve(request: Request, conn: Connection) -> Response:
        path = request.url.path
        if path == "/api/system/connections":
            rows = [
                connection_row(c, sandbox.faults.has(c.id, "outage")) for c in sandbox.connections
            ]
            # Built per request (statuses follow faults), so never from the query cache.
            return list_response(request, conn, RowTable(rows, CONNECTION_FIELDS), cached=False)
        if path == "/api/integrations/current":
            return json_response(
                {"data": integration_row(conn, sandbox.faults.has(conn.id, "outage"))}
            )
        if path in conn.tables:
            return list_response(request, conn, conn.tables[path])
        if path.startswith(ORDER_PREFIX):
            key = path.removeprefix(ORDER_PREFIX)
            position = conn.orders.position.get(key)
            if position is None:
                return error(404, f"No query results for model [PurchaseOrder] {key}")
            body = b'{"data":' + conn.orders.json(position) + b"}"
            return Response(
                sandbox.faults.distort(conn.id, path, None, body), media_type="application/json"
            )
        return error(404, "Not Found")

    async def api(request: Request) -> Response:
        conn = authenticate(request)
        sandbox.requests.append(
            {
                "method": request.method,
                "path": request.url.path,
                "query": request.url.query,
                "connection_id": conn.id if conn else None,
                "received_at": time.time(),
            }
        )
        if conn is None:
            return error(401, "Unauthenticated.")
        refusal = sandbox.faults.refusal(conn.id, request.url.path.startswith(DATA_PREFIXES))
        delay_s = sandbox.faults.delay_s(conn.id)
        if delay_s:
            await asyncio.sleep(delay_s)
        if refusal:
            return json_response(refusal.body, refusal.status, refusal.headers)
        return serve(request, conn)

    async def advance(request: Request) -> Response:
        body = await _json_body(request)
        fraction = body.get("changed_fraction", 0.05)
        new_orders = body.get("new_purchase_orders", 25)
        step_s = body.get("step_s", 3600)
        conn_id = body.get("connection_id")
        spread = body.get("spread_changes", False)
        if not isinstance(fraction, int | float) or not 0 <= fraction <= 1:
            return error(422, "changed_fraction must be a number in [0, 1]")
        if not isinstance(new_orders, int) or new_orders < 0:
            return error(422, "new_purchase_orders must be a non-negative integer")
        if not isinstance(step_s, int) or step_s < 1:
            return error(422, "step_s must be a positive integer (seconds)")
        if not isinstance(spread, bool):
            return error(422, "spread_changes must be true or false")
        if conn_id is not None and conn_id not in sandbox.by_id:
            return error(404, f"unknown connection_id {conn_id!r}")
        answer, deliveries = sandbox.advance(fraction, new_orders, step_s, conn_id, spread)
        if deliveries and sandbox.webhooks:
            for entry in await send(sandbox.webhooks, deliveries):
                answer[entry["connection_id"]].setdefault("deliveries", []).append(entry)
        return json_response(answer)

    async def requests_log(request: Request) -> Response:
        if request.method == "DELETE":
            cleared = len(sandbox.requests)
            sandbox.requests.clear()
            return json_response({"cleared": cleared})
        if request.query_params.get("timestamps") == "1":  # epoch seconds, for benchmarks
            return json_response(list(sandbox.requests))
        return json_response(
            [{k: v for k, v in r.items() if k != "received_at"} for r in sandbox.requests]
        )

    async def faults(request: Request) -> Response:
        if request.method == "GET":
            return json_response(sandbox.faults.listing())
        body = await _json_body(request)
        conn_id = body.pop("connection_id", None)
        if conn_id not in sandbox.by_id:
            return error(404, f"unknown connection_id {conn_id!r}")
        try:
            fault = make_fault(str(body.pop("kind", "")), body)
        except FaultError as exc:
            return error(422, str(exc))
        sandbox.faults.set(conn_id, fault)
        return json_response({conn_id: sandbox.faults.listing().get(conn_id, [])})

    async def webhooks(request: Request) -> Response:
        if request.method == "POST":
            body = await _json_body(request)
            try:
                sandbox.webhooks = None if body.get("url") is None else WebhookConfig.parse(body)
            except WebhookConfigError as exc:
                return error(422, str(exc))
        config = sandbox.webhooks
        return json_response(None if config is None else dataclasses.asdict(config))

    async def dirty(request: Request) -> Response:
        return json_response(sandbox.dirty)

    async def health(request: Request) -> Response:
        return json_response(
            {
                "ok": True,
                "clock": iso(sandbox.clock_s),
                "connections": [c.id for c in sandbox.connections],
            }
        )

    async def bad_body(request: Request, exc: Exception) -> Response:
        return error(400, str(exc))

    return Starlette(
        exception_handlers={BadBody: bad_body},
        routes=[
            Route("/api/{path:path}", api, methods=["GET"]),
            Route("/_sandbox/advance", advance, methods=["POST"]),
            Route("/_sandbox/requests", requests_log, methods=["GET", "DELETE"]),
            Route("/_sandbox/faults", faults, methods=["GET", "POST"]),
            Route("/_sandbox/webhooks", webhooks, methods=["GET", "POST"]),
            Route("/_sandbox/dirty", dirty, methods=["GET"]),
            Route("/_sandbox/health", health, methods=["GET"]),
        ],
    )


class BadBody(ValueError):
    """A control request whose body is not a JSON object."""


async def _json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object body ({} when empty)."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadBody(f"body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise BadBody("body must be a JSON object")
    return body
