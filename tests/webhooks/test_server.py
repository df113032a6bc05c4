"""Slow clients against the real server (uvicorn in a thread, raw sockets): shed, never stored.

The read deadline in these tests is 2 s; a connection counts as shed when the server closes it
within 10 s. Genuine deliveries go through while the slow connections hang.
"""

from __future__ import annotations

import http.client
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.webhooks.test_receiver import BODY, NEW_SECRET, Receiver, serve
from webhooks.inbox import Inbox
from webhooks.server import MAX_HEADER_BYTES
from webhooks.signatures import sign

READ_TIMEOUT_S = 2.0
CLOSED_WITHIN_S = 10.0
PATH = "/webhooks/makini/conn-a"
HEAD = (
    f"POST {PATH} HTTP/1.1\r\nHost: receiver\r\nContent-Type: application/json\r\n"
    f"X-Webhook-Signature: {sign(BODY, NEW_SECRET)}\r\n"
).encode()
SLOW_REQUESTS = {
    "part of the request line": b"POST /webhooks/mak",
    "part of a header": b"POST " + PATH.encode() + b" HTTP/1.1\r\nHost: receiver\r\nX-Webhook-Sig",
    "headers without their end": HEAD,
    "headers, no body": HEAD + b"Content-Length: %d\r\n\r\n" % len(BODY),
    "half a body": HEAD + b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY[: len(BODY) // 2],
    "unfinished chunked body": HEAD + b"Transfer-Encoding: chunked\r\n\r\n10\r\n" + BODY[:16],
}


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    yield from serve(Inbox(f"sqlite:///{tmp_path / 'inbox.db'}"), read_timeout_s=READ_TIMEOUT_S)


def connect(port: int, data: bytes = b"") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=CLOSED_WITHIN_S)
    sock.sendall(data)
    return sock


def read_until_closed(sock: socket.socket, deadline: float) -> bytes:
    """Everything the server sends until it closes the connection; fails at `deadline`."""
    received = b""
    try:
        while True:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            chunk = sock.recv(65536)
            if not chunk:
                return received
            received += chunk
    except ConnectionResetError:
        return received
    except TimeoutError:
        pytest.fail(f"still open {CLOSED_WITHIN_S} s later, after receiving {received[:80]!r}")
    finally:
        sock.close()


def deliver(receiver: Receiver, n: int) -> int:
    body = f'{{"event":"sites.updated","body":["S-{n}"]}}'.encode()
    return receiver.post(body, signature=sign(body, NEW_SECRET)).status_code


@pytest.mark.slow
def test_slow_clients_are_closed_while_deliveries_flow(receiver: Receiver) -> None:
    sent_at = time.monotonic()
    slow = {case: connect(receiver.port, data) for case, data in SLOW_REQUESTS.items()}

    assert [deliver(receiver, n) for n in range(20)] == [200] * 20
    assert sorted(e.keys[0] for e in receiver.inbox.list_events()) == sorted(
        f"S-{n}" for n in range(20)
    )

    for case, sock in slow.items():
        answer = read_until_closed(sock, sent_at + CLOSED_WITHIN_S)
        assert answer == b"", f"{case}: answered {answer[:80]!r}"
    assert receiver.inbox.count() == 20  # nothing of the slow requests was stored


@pytest.mark.slow
def test_idle_and_half_sent_keep_alive_connections_are_closed(receiver: Receiver) -> None:
    sent_at = time.monotonic()
    silent = connect(receiver.port)
    keep_alive = http.client.HTTPConnection("127.0.0.1", receiver.port, timeout=CLOSED_WITHIN_S)
    headers = {"Content-Type": "application/json", "X-Webhook-Signature": sign(BODY, NEW_SECRET)}
    keep_alive.request("POST", PATH, body=BODY, headers=headers)
    response = keep_alive.getresponse()
    assert (response.status, response.read()) == (200, b'{"id":1,"duplicate":false}')
    assert keep_alive.sock is not None
    keep_alive.sock.sendall(HEAD)  # the second request on the connection never ends

    read_until_closed(silent, sent_at + CLOSED_WITHIN_S)
    assert read_until_closed(keep_alive.sock, time.monotonic() + CLOSED_WITHIN_S) == b""


@pytest.fixture
def patient_receiver(tmp_path: Path) -> Iterator[Receiver]:
    yield from serve(Inbox(f"sqlite:///{tmp_path / 'inbox.db'}"), read_timeout_s=5)


def test_request_arriving_in_pieces_within_the_deadline_is_stored(
    patient_receiver: Receiver,
) -> None:
    receiver = patient_receiver  # 5 s deadline, 1 s of pauses: a wide margin on a busy machine
    sock = connect(receiver.port, HEAD + b"Content-Length: %d\r\n\r\n" % len(BODY))
    time.sleep(0.5)
    sock.sendall(BODY[:10])
    time.sleep(0.5)
    sock.sendall(BODY[10:])
    answer = sock.recv(65536)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert receiver.inbox.count() == 1


def test_headers_over_the_cap_are_431_and_closed(receiver: Receiver) -> None:
    # Exactly one byte over, never ending: the server reads all of it, so it closes cleanly.
    flood = HEAD + b"X-Padding: " + b"p" * (MAX_HEADER_BYTES + 1 - len(HEAD) - 11)
    assert len(flood) == MAX_HEADER_BYTES + 1
    answer = read_until_closed(connect(receiver.port, flood), time.monotonic() + CLOSED_WITHIN_S)
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert receiver.inbox.count() == 0


@pytest.fixture
def bounded_receiver(tmp_path: Path) -> Iterator[Receiver]:
    # A long deadline: the connections held below stay until the test closes them.
    yield from serve(
        Inbox(f"sqlite:///{tmp_path / 'inbox.db'}"), read_timeout_s=30, max_connections=4
    )


def test_connections_beyond_the_bound_are_answered_503(bounded_receiver: Receiver) -> None:
    receiver = bounded_receiver
    held = [connect(receiver.port, SLOW_REQUESTS["part of a header"]) for _ in range(4)]

    extra = http.client.HTTPConnection("127.0.0.1", receiver.port, timeout=CLOSED_WITHIN_S)
    headers = {"Content-Type": "application/json", "X-Webhook-Signature": sign(BODY, NEW_SECRET)}
    extra.request("POST", PATH, body=BODY, headers=headers)
    response = extra.getresponse()
    assert response.status == 503
    assert response.getheader("connection") == "close"
    extra.close()
    assert receiver.inbox.count() == 0

    for sock in held:
        sock.close()
    # The server notices the closed connections asynchronously: the bound frees up soon after.
    deadline = time.monotonic() + CLOSED_WITHIN_S
    while (status := deliver(receiver, 1)) == 503 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert status == 200
    assert receiver.inbox.count() == 1
