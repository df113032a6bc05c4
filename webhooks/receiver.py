"""The webhook receiver: a Starlette app that verifies Makini deliveries and stores them.

Checks run cheapest-and-safest first, and each answers before anything is stored:

1. size: a `Content-Length` over 1 MiB gets 413 without reading the body; a chunked body is read
   only up to 1 MiB + 1 byte, then 413;
2. signature (`X-Webhook-Signature`, any case): missing, forged or unknown connection -> 401;
3. content type (`application/json`, parameters allowed) and payload shape -> 400. Checked after
   the signature so that an unauthenticated caller learns nothing but 401;
4. store: the event is committed to the inbox, then 200 `{"id", "duplicate"}`.

Stores go through a `GroupCommitter`: concurrent requests share one transaction and each waits
for that commit before it is answered, so nothing is acknowledged before it is durable.
Logs carry the connection id, event type, key count and status; never secrets or bodies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from settings.connections import Connection
from webhooks.inbox import AddResult, Inbox, NewEvent, body_sha256
from webhooks.signatures import PayloadError, parse_payload, verify_signature

MAX_BODY_BYTES = 1024 * 1024
MAX_BATCH = 512
WEBHOOK_PREFIX = "/webhooks/makini/"
log = logging.getLogger("plantsync.webhooks")


class BodyTooLarge(Exception):
    """The request body is over the limit."""


@dataclass
class _Pending:
    event: NewEvent
    future: asyncio.Future[AddResult]
    loop: asyncio.AbstractEventLoop


class GroupCommitter:
    """Writes inbox events from one thread, many requests per transaction.

    While a commit is in progress new requests queue up; the next transaction takes all of them
    (up to `max_batch`). A request's future resolves only after its transaction committed.
    If a whole batch fails, its events are retried one by one so one bad row fails alone.
    """

    def __init__(self, inbox: Inbox, max_batch: int = MAX_BATCH) -> None:
        self.inbox = inbox
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    async def add(self, event: NewEvent) -> AddResult:
        self._ensure_started()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[AddResult] = loop.create_future()
        self._queue.put(_Pending(event, future, loop))
        return await future

    def alive(self) -> bool:
        return self._thread is None or self._thread.is_alive()

    def stop(self) -> None:
        """Finish the queued writes, then stop the writer thread."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _ensure_started(self) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="webhook-inbox-writer", daemon=True
                    )
                    self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = [first], False
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            self._write(batch)
            if stop:
                return

    def _write(self, batch: list[_Pending]) -> None:
        try:
            results: list[AddResult | BaseException] = list(
                self.inbox.add_many([p.event for p in batch])
            )
        except Exception:  # noqa: BLE001 - retried row by row below
            results = []
            for pending in batch:
                try:
                    results.append(self.inbox.add_many([pending.event])[0])
                except Exception as exc:  # noqa: BLE001 - reported to that request only
                    results.append(exc)
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Pending, object]]] = {}
        for pending, result in zip(batch, results, strict=True):
            by_loop.setdefault(pending.loop, []).append((pending, result))
        for loop, items in by_loop.items():
            with contextlib.suppress(RuntimeError):  # loop closed: nobody is waiting any more
                loop.call_soon_threadsafe(_resolve, items)


def _resolve(items: list[tuple[_Pending, object]]) -> None:
    for pending, result in items:
        if pending.future.done():
            continue  # the request was cancelled (client went away); the row is stored anyway
        if isinstance(result, BaseException):
            pending.future.set_exception(result)
        else:
            pending.future.set_result(result)


class ClientGone(Exception):
    """The client disconnected before its body was read."""


async def read_body(receive: Receive, content_length: str | None, limit: int) -> bytes:
    """The raw body, or `BodyTooLarge` as soon as it is known to exceed `limit` bytes."""
    if content_length is not None and content_length.isdigit() and int(content_length) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def is_json_content_type(value: str | None) -> bool:
    return value is not None and value.split(";", 1)[0].strip().lower() == "application/json"


def _safe(connection_id: str) -> str:
    # The path segment is caller-controlled: keep log lines short and on one line.
    return repr(connection_id[:64])


class WebhookEndpoint:
    """`POST /webhooks/makini/{connection_id}` as a plain ASGI app.

    Plain ASGI rather than a Starlette request handler: this is the hot path, and skipping the
    Request/Response objects saves some CPU per event (about 20 µs measured in process).
    The connection id is the last path segment (`ReceiverApp` routes only such paths here).
    """

    HEADERS = (b"content-length", b"content-type", b"x-webhook-signature")

    def __init__(
        self, connections: Sequence[Connection], committer: GroupCommitter, max_body_bytes: int
    ) -> None:
        self.secrets = {c.id: c.webhook_secrets for c in connections}
        self.committer = committer
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # ASGI header names are lower case: "any case" on the wire is handled by the server.
        headers = {
            name.decode(): value.decode("latin-1")
            for name, value in scope["headers"]
            if name in self.HEADERS
        }
        try:
            status, content = await self.handle(
                scope["path"][len(WEBHOOK_PREFIX) :], headers, receive
            )
        except ClientGone:
            return
        body = orjson.dumps(content)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def handle(
        self, connection_id: str, headers: dict[str, str], receive: Receive
    ) -> tuple[int, dict[str, object]]:
        """Check size, signature, content type and payload in that order; store; answer."""
        limit = self.max_body_bytes
        try:
            body = await read_body(receive, headers.get("content-length"), limit)
        except BodyTooLarge:
            log.warning(
                "webhook connection=%s status=413 reason=body over %d bytes",
                _safe(connection_id),
                limit,
            )
            return 413, {"error": f"body is over {limit} bytes"}
        signature = headers.get("x-webhook-signature")
        if not verify_signature(body, signature, self.secrets.get(connection_id, ())):
            reason = (
                "unknown connection"
                if connection_id not in self.secrets
                else "missing signature"
                if not signature
                else "bad signature"
            )
            log.warning("webhook connection=%s status=401 reason=%s", _safe(connection_id), reason)
            return 401, {"error": "invalid signature"}
        if not is_json_content_type(headers.get("content-type")):
            log.warning(
                "webhook connection=%s status=400 reason=content type", _safe(connection_id)
            )
            return 400, {"error": "content type must be application/json"}
        try:
            event = parse_payload(body)
        except PayloadError as exc:
            # The message may quote the payload: it goes to the sender, never to the log.
            log.warning("webhook connection=%s status=400 reason=payload", _safe(connection_id))
            return 400, {"error": str(exc)}
        try:
            result = await self.committer.add(
                NewEvent(connection_id, event.event, event.keys, body_sha256(body))
            )
        except Exception as exc:  # noqa: BLE001 - the sender retries on 503
            # Only the exception type: database errors quote the statement's parameters.
            log.error(
                "webhook connection=%s event=%s status=503 reason=inbox %s",
                _safe(connection_id),
                event.event,
                type(exc).__name__,
            )
            return 503, {"error": "inbox unavailable"}
        # Accepted events are on record in the inbox; a log line each would cost ~20% of the
        # receiver's CPU at burst rates, so they log at DEBUG. Rejections log at WARNING.
        log.debug(
            "webhook connection=%s event=%s keys=%d status=200 id=%d duplicate=%s",
            _safe(connection_id),
            event.event,
            len(event.keys),
            result.id,
            result.duplicate,
        )
        return 200, {"id": result.id, "duplicate": result.duplicate}


class ReceiverApp:
    """The ASGI app: deliveries go straight to the endpoint, everything else through Starlette.

    Starlette's middleware and router cost about a fifth of the receiver's CPU per event under
    `benchmarks/webhooks.py`; they still serve health checks, lifespan, 404 and 405.
    """

    def __init__(self, endpoint: WebhookEndpoint, router: Starlette) -> None:
        self.endpoint = endpoint
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and _is_delivery(scope["path"]):
            await self.endpoint(scope, receive, send)
        else:
            await self.router(scope, receive, send)


def _is_delivery(path: str) -> bool:
    # The path Starlette's "/webhooks/makini/{connection_id}" matches: one non-empty segment.
    return (
        path.startswith(WEBHOOK_PREFIX)
        and len(path) > len(WEBHOOK_PREFIX)
        and "/" not in path[len(WEBHOOK_PREFIX) :]
    )


def create_app(
    connections: Sequence[Connection],
    inbox: Inbox,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> ReceiverApp:
    """The receiver app: `POST /webhooks/makini/{connection_id}` and `GET /healthz`."""
    committer = GroupCommitter(inbox)
    endpoint = WebhookEndpoint(connections, committer, max_body_bytes)

    async def healthz(_request: Request) -> Response:
        ok = committer.alive()
        content = {"status": "ok" if ok else "inbox writer stopped"}
        return Response(orjson.dumps(content), 200 if ok else 503, media_type="application/json")

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await asyncio.to_thread(committer.stop)

    router = Starlette(
        routes=[
            # Reached only by other methods (405): ReceiverApp sends POSTs to the endpoint.
            Route(WEBHOOK_PREFIX + "{connection_id}", endpoint, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    return ReceiverApp(endpoint, router)
