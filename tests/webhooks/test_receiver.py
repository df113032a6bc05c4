"""The receiver over real HTTP (uvicorn on a free port): security, rotation, dedupe, logging.

Every rejected request is checked for its status code and for storing nothing.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from settings import DEFAULT_WEBHOOK_MAX_CONNECTIONS, DEFAULT_WEBHOOK_READ_TIMEOUT_S
from settings.connections import Connection
from webhooks.inbox import Inbox
from webhooks.receiver import MAX_BODY_BYTES, create_app, is_json_content_type
from webhooks.server import server_config
from webhooks.signatures import sign

OLD_SECRET, NEW_SECRET, OTHER_SECRET = "old-secret-1", "new-secret-2", "secret-of-conn-b"
CONNECTIONS = [
    Connection("conn-a", "token-a", (OLD_SECRET, NEW_SECRET)),
    Connection("conn-b", "token-b", (OTHER_SECRET,)),
]
BODY = b'{"event":"purchase-orders.updated","body":["PO-1","PO-2"]}'
JSON = {"Content-Type": "application/json"}


@dataclass
class Receiver:
    client: httpx.Client
    inbox: Inbox
    port: int

    def post(
        self,
        body: bytes | object = BODY,
        signature: str | None = None,
        connection_id: str = "conn-a",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = dict(JSON if headers is None else headers)
        if signature is not None:
            all_headers["X-Webhook-Signature"] = signature
        return self.client.post(
            f"/webhooks/makini/{connection_id}", content=body, headers=all_headers
        )


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    yield from serve(Inbox(f"sqlite:///{tmp_path / 'inbox.db'}"))


def serve(
    inbox: Inbox,
    connections: list[Connection] = CONNECTIONS,
    read_timeout_s: float = DEFAULT_WEBHOOK_READ_TIMEOUT_S,
    max_connections: int = DEFAULT_WEBHOOK_MAX_CONNECTIONS,
) -> Iterator[Receiver]:
    """The app on the receiver's uvicorn setup in a thread, on a free port, with an HTTP client."""
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(connections, inbox)
    server = uvicorn.Server(server_config(app, read_timeout_s, max_connections, "warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "receiver did not start"
        time.sleep(0.01)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        yield Receiver(client, inbox, port)
    server.should_exit = True
    thread.join(timeout=10)
    inbox.close()


def test_healthz(receiver: Receiver) -> None:
    response = receiver.client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/webhooks/makini/conn-a", 405),
        ("POST", "/webhooks/makini/", 404),
        ("POST", "/webhooks/makini/conn-a/extra", 404),
        ("POST", "/healthz", 405),
    ],
)
def test_other_routes_and_methods(receiver: Receiver, method: str, path: str, status: int) -> None:
    headers = {**JSON, "X-Webhook-Signature": sign(BODY, NEW_SECRET)}
    response = receiver.client.request(method, path, content=BODY, headers=headers)
    assert response.status_code == status
    assert receiver.inbox.count() == 0


@pytest.mark.parametrize("encoding", ["hex", "base64"])
def test_signed_event_is_stored(receiver: Receiver, encoding: str) -> None:
    response = receiver.post(signature=sign(BODY, NEW_SECRET, encoding))
    assert response.status_code == 200
    [stored] = receiver.inbox.list_events()
    assert response.json() == {"id": stored.id, "duplicate": False}
    assert (stored.connection_id, stored.event, stored.keys) == (
        "conn-a",
        "purchase-orders.updated",
        ["PO-1", "PO-2"],
    )


def test_header_name_in_any_case(receiver: Receiver) -> None:
    headers = {**JSON, "X-WEBHOOK-SIGNATURE": sign(BODY, NEW_SECRET)}
    response = receiver.client.post("/webhooks/makini/conn-a", content=BODY, headers=headers)
    assert response.status_code == 200
    headers = {**JSON, "x-webhook-signature": sign(BODY, NEW_SECRET)}
    response = receiver.client.post("/webhooks/makini/conn-a", content=BODY, headers=headers)
    assert response.json()["duplicate"] is True


def test_both_rotation_secrets_are_valid(receiver: Receiver) -> None:
    other_body = BODY.replace(b"PO-2", b"PO-3")
    assert receiver.post(signature=sign(BODY, OLD_SECRET)).status_code == 200
    assert receiver.post(other_body, signature=sign(other_body, NEW_SECRET)).status_code == 200
    assert receiver.inbox.count() == 2


def test_replayed_delivery_is_acknowledged_without_a_second_row(receiver: Receiver) -> None:
    first = receiver.post(signature=sign(BODY, NEW_SECRET))
    replay = receiver.post(signature=sign(BODY, NEW_SECRET))
    assert replay.status_code == 200
    assert replay.json() == {"id": first.json()["id"], "duplicate": True}
    assert receiver.inbox.count() == 1


SIGNED = sign(BODY, NEW_SECRET)


@pytest.mark.parametrize(
    ("case", "kwargs", "status"),
    [
        ("missing signature", {}, 401),
        ("empty signature", {"signature": ""}, 401),
        ("wrong secret", {"signature": sign(BODY, "not-the-secret")}, 401),
        ("other connection's secret", {"signature": sign(BODY, OTHER_SECRET)}, 401),
        (
            "signature of another body",
            {"signature": sign(b'{"event":"sites.updated","body":["1"]}', NEW_SECRET)},
            401,
        ),
        ("truncated hex signature", {"signature": SIGNED[:-2]}, 401),
        ("truncated base64 signature", {"signature": sign(BODY, NEW_SECRET, "base64")[:20]}, 401),
        ("unknown connection", {"signature": SIGNED, "connection_id": "conn-x"}, 401),
        ("unsigned with wrong content type", {"headers": {"Content-Type": "text/plain"}}, 401),
        (
            "wrong content type",
            {"signature": SIGNED, "headers": {"Content-Type": "text/plain"}},
            400,
        ),
        (
            "form content type",
            {"signature": SIGNED, "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
            400,
        ),
        ("no content type", {"signature": SIGNED, "headers": {}}, 400),
    ],
)
def test_rejected_requests_store_nothing(
    receiver: Receiver, case: str, kwargs: dict, status: int
) -> None:
    response = receiver.post(**kwargs)
    assert response.status_code == status, case
    assert "error" in response.json()
    assert receiver.inbox.count() == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"event": "purchase-orders.updated", "body": ["PO-1"]', "not valid JSON"),
        (b"", "not valid JSON"),
        (b'{"event": "vendors.updated", "body": ["V1"]}', "no known entity"),
        (b'{"event": "sites.deleted", "body": ["S1"]}', "no known action"),
        (b'{"event": "sites.updated", "body": [1]}', "non-empty string key"),
        (b'{"event": "sites.updated", "keys": ["S1"]}', '"body" is missing'),
    ],
)
def test_signed_but_malformed_payload_is_400(receiver: Receiver, body: bytes, message: str) -> None:
    response = receiver.post(body, signature=sign(body, NEW_SECRET))
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert receiver.inbox.count() == 0


def test_oversized_body_is_413_even_when_signed(receiver: Receiver) -> None:
    body = b'{"event":"sites.updated","body":["' + b"k" * MAX_BODY_BYTES + b'"]}'
    response = receiver.post(body, signature=sign(body, NEW_SECRET))
    assert response.status_code == 413
    assert receiver.inbox.count() == 0


def test_oversized_unsigned_body_is_413_before_401(receiver: Receiver) -> None:
    response = receiver.post(b"x" * (MAX_BODY_BYTES + 1), connection_id="conn-x")
    assert response.status_code == 413


def test_chunked_body_stops_being_read_past_the_limit(receiver: Receiver) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        for _ in range(4):  # 4 x 300 KiB: over the limit on the 4th chunk
            yield b"k" * (300 * 1024)

    response = receiver.post(chunks(), signature=SIGNED)
    assert response.status_code == 413
    assert receiver.inbox.count() == 0


def test_body_of_exactly_the_limit_is_read(receiver: Receiver) -> None:
    prefix, suffix = b'{"event":"sites.updated","body":["', b'"]}'
    body = prefix + b"k" * (MAX_BODY_BYTES - len(prefix) - len(suffix)) + suffix
    assert len(body) == MAX_BODY_BYTES
    assert receiver.post(body, signature=sign(body, NEW_SECRET)).status_code == 200


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_receiver(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Receiver]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'inbox.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    yield from serve(Inbox(url))


def test_concurrent_deliveries_share_commits(any_receiver: Receiver) -> None:
    receiver = any_receiver
    bodies = [f'{{"event":"assets.updated","body":["A{n}"]}}'.encode() for n in range(200)]
    statuses: list[int] = []

    def send(part: list[bytes]) -> None:
        with httpx.Client(base_url=receiver.client.base_url, timeout=10) as client:
            for body in part:
                headers = {**JSON, "X-Webhook-Signature": sign(body, NEW_SECRET)}
                statuses.append(
                    client.post(
                        "/webhooks/makini/conn-a", content=body, headers=headers
                    ).status_code
                )

    threads = [threading.Thread(target=send, args=(bodies[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 200
    assert sorted(e.keys[0] for e in receiver.inbox.list_events()) == sorted(
        f"A{n}" for n in range(200)
    )
    replay = receiver.post(bodies[7], signature=sign(bodies[7], NEW_SECRET))
    assert replay.json()["duplicate"] is True
    assert receiver.inbox.count() == 200


def test_logs_name_the_event_but_never_secrets_or_bodies(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    secret_key = "KEY-THAT-MUST-NOT-BE-LOGGED"
    body = f'{{"event":"work-orders.inserted","body":["{secret_key}"]}}'.encode()
    bad = b'{"event":"work-orders.inserted","body":["KEY-THAT-MUST-NOT-BE-LOGGED"'
    with caplog.at_level(logging.DEBUG, logger="plantsync.webhooks"):
        receiver.post(body, signature=sign(body, NEW_SECRET))
        receiver.post(bad, signature=sign(bad, NEW_SECRET))
        receiver.post(body, signature=sign(body, "forged"))
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "event=work-orders.inserted keys=1 status=200" in text
    assert "status=400 reason=payload" in text
    assert "status=401 reason=bad signature" in text
    for secret in (OLD_SECRET, NEW_SECRET, secret_key, sign(body, NEW_SECRET)):
        assert secret not in text


def test_inbox_failure_is_503_and_retryable(tmp_path: Path) -> None:
    class BrokenInbox(Inbox):
        def add_many(self, events):  # type: ignore[no-untyped-def]
            raise RuntimeError("disk full, params: KEY-SECRET")

    inbox = BrokenInbox(f"sqlite:///{tmp_path / 'inbox.db'}")
    app = create_app(CONNECTIONS, inbox)
    transport = httpx.ASGITransport(app=app)

    async def call() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as client:
            headers = {**JSON, "X-Webhook-Signature": SIGNED}
            return await client.post("/webhooks/makini/conn-a", content=BODY, headers=headers)

    response = asyncio.run(call())
    assert response.status_code == 503
    assert inbox.count() == 0


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("application/json", True),
        ("Application/JSON; charset=utf-8", True),
        ("application/json-patch+json", False),
        ("text/json", False),
        (None, False),
    ],
)
def test_content_type_rule(value: str | None, ok: bool) -> None:
    assert is_json_content_type(value) is ok
