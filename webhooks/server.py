"""The receiver's HTTP server: uvicorn on uvloop and httptools, with limits that shed slow clients.

uvicorn offers a keep-alive timeout (between requests) and a concurrency limit (503 beyond it),
but nothing bounds how long a connection may take to deliver a request: one that sends part of
its headers or body and goes silent stays open for ever (the keep-alive timer stops at the first
byte and is not armed on a new connection), and httptools buffers header bytes without limit.
`ReadDeadlineProtocol` adds what is missing:

- a read deadline: from the moment a connection starts waiting for a request (it was opened, or
  its previous response was sent) the whole request, headers and body, must arrive within
  `read_timeout_s`, or the connection is closed. Time the app spends answering a complete request
  does not count; a pipelined request gets its own deadline from its first byte;
- a header cap: more than `MAX_HEADER_BYTES` without the end of the headers is answered 431 and
  the connection closed, before the buffered headers can grow the process.

A handler waiting for a body that stops arriving sees `http.disconnect` when the deadline closes
the connection, so no task outlives it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEADER_BYTES = 64 * 1024
# uvicorn's default: idle keep-alive connections close after this (or the read deadline if
# shorter, since the deadline also runs between requests).
KEEP_ALIVE_S = 5
HEADERS_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\ncontent-length: 31\r\nconnection: close\r\n\r\n"
    b"Request Header Fields Too Large"
)
log = logging.getLogger("plantsync.webhooks")


class ReadDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a per-request read deadline and a header size cap."""

    def __init__(self, *args: Any, read_timeout_s: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read_timeout_s = read_timeout_s
        self._deadline: asyncio.TimerHandle | None = None
        self._headers_pending = True  # no complete header block since the last request
        self._header_bytes = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        counting = self._headers_pending
        super().data_received(data)
        # Counted after parsing: a chunk that completes the headers may carry body bytes.
        if counting and self._headers_pending and not self.transport.is_closing():
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES:
                log.warning(
                    "webhook client=%s status=431 reason=headers over %d bytes",
                    _client(self.client),
                    MAX_HEADER_BYTES,
                )
                self.transport.write(HEADERS_TOO_LARGE)
                self.transport.close()

    # httptools parser callbacks
    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:  # pipelined behind a complete request: its own clock
            self._arm()

    def on_headers_complete(self) -> None:
        self._headers_pending = False
        self._header_bytes = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        self._headers_pending = True
        super().on_message_complete()

    # called by uvicorn when a response was sent
    def on_response_complete(self) -> None:
        # A queued complete request is answered next (its clock starts with its response); a
        # request still arriving keeps the deadline it already has.
        if not self.pipeline and self._deadline is None:
            self._arm()
        super().on_response_complete()

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.read_timeout_s, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            log.warning(
                "webhook client=%s status=closed reason=no complete request within %g s",
                _client(self.client),
                self.read_timeout_s,
            )
            self.transport.close()


def _client(address: tuple[str, int] | None) -> str:
    return f"{address[0]}:{address[1]}" if address else "unknown"


def server_config(
    app: Any, read_timeout_s: float, max_connections: int, log_level: str = "info"
) -> uvicorn.Config:
    """uvicorn settings for the receiver app with the slow-client limits switched on."""
    protocol: Any = functools.partial(ReadDeadlineProtocol, read_timeout_s=read_timeout_s)
    return uvicorn.Config(
        app,
        loop="uvloop",
        http=protocol,
        ws="none",  # no WebSocket routes: an upgrade request stays plain HTTP, under the deadline
        # uvicorn answers 503 once open connections >= limit_concurrency, counting the new
        # one: + 1 makes `max_connections` the number served at once.
        limit_concurrency=max_connections + 1,
        timeout_keep_alive=KEEP_ALIVE_S,
        proxy_headers=False,  # the receiver uses no client address; saves a middleware per request
        log_level=log_level,
        access_log=False,
        lifespan="on",
    )
