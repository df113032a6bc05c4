"""Webhook emission on advance: signed per connection, optionally duplicated and shuffled."""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
import pytest
import requests

from sandbox.makini.webhooks import WebhookConfig, plan_deliveries

VECTOR_BODY = b'{"event":"purchase-orders.updated","body":["06000398918336"]}'
VECTOR_HEX = "48c8280dfa06b8a50849dabb301fa2614645342d722661a456bbe8a276055d06"
VECTOR_BASE64 = "SMgoDfoGuKUISdq7MB+iYUZFNC1yJmGkVrvoonYFXQY="


class Receiver:
    """A tiny HTTP server that records every POST it gets."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((self.path, dict(self.headers), body))
                self.send_response(202)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/makini"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


def _hmac(secret: str, body: bytes) -> bytes:
    return hmac.new(secret.encode(), body, hashlib.sha256).digest()


@pytest.mark.parametrize(
    ("encoding", "signature"), [("hex", VECTOR_HEX), ("base64", VECTOR_BASE64)]
)
def test_design_test_vector(encoding, signature):
    config = WebhookConfig.parse({"url": "http://127.0.0.1:1/webhooks", "encoding": encoding})
    (delivery,) = plan_deliveries(
        config, "test_secret", "c", ["06000398918336"], [], random.Random(0)
    )
    assert delivery.body == VECTOR_BODY and delivery.signature == signature


@pytest.mark.parametrize("encoding", ["hex", "base64"])
def test_advance_posts_signed_events_per_connection(fresh_api, receiver, encoding):
    config = fresh_api.post("/_sandbox/webhooks", {"url": receiver.url, "encoding": encoding})
    assert config.status_code == 200
    answer = fresh_api.post(
        "/_sandbox/advance", {"changed_fraction": 0.1, "new_purchase_orders": 2}
    ).json()
    secrets = {c["id"]: c["webhook_secret"] for c in fresh_api.server.connections}
    events = {}
    for path, headers, body in receiver.received:
        conn_id = path.rsplit("/", 1)[1]
        assert path == f"/webhooks/makini/{conn_id}"
        digest = _hmac(secrets[conn_id], body)
        expected = digest.hex() if encoding == "hex" else base64.b64encode(digest).decode()
        assert headers["X-Webhook-Signature"] == expected
        payload = orjson.loads(body)
        events[(conn_id, payload["event"])] = payload["body"]
    for conn_id, report in answer.items():
        assert events[(conn_id, "purchase-orders.updated")] == report["changed"]
        assert events[(conn_id, "purchase-orders.inserted")] == report["new"]
        assert [d["status"] for d in report["deliveries"]] == [202, 202]


def test_duplicates_and_shuffle(fresh_api, receiver):
    fresh_api.post("/_sandbox/webhooks", {"url": receiver.url, "duplicates": 1.0, "shuffle": True})
    answer = fresh_api.post(
        "/_sandbox/advance",
        {"changed_fraction": 0.1, "new_purchase_orders": 1, "connection_id": "conn-2"},
    ).json()
    deliveries = answer["conn-2"]["deliveries"]
    assert len(receiver.received) == len(deliveries) == 4
    assert sum(d["duplicate"] for d in deliveries) == 2
    bodies = [body for _, _, body in receiver.received]
    assert len(set(bodies)) == 2 and all(bodies.count(b) == 2 for b in bodies)


def test_unreachable_receiver_is_reported_not_fatal(fresh_api):
    fresh_api.post("/_sandbox/webhooks", {"url": "http://127.0.0.1:9/webhooks/makini"})
    answer = fresh_api.post(
        "/_sandbox/advance",
        {"changed_fraction": 0.1, "new_purchase_orders": 0, "connection_id": "conn-1"},
    )
    assert answer.status_code == 200
    (delivery,) = answer.json()["conn-1"]["deliveries"]
    assert delivery["status"] is None and "ConnectError" in delivery["error"]


def test_bad_webhook_config_is_422(fresh_api):
    for body in (
        {"url": "ftp://x"},
        {"url": "http://x", "encoding": "rot13"},
        {"url": "http://x", "duplicates": 3},
    ):
        response = requests.post(f"{fresh_api.base_url}/_sandbox/webhooks", json=body, timeout=10)
        assert response.status_code == 422
