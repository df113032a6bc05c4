"""Webhook emission: after `advance`, POST signed `purchase-orders.*` events per connection.

The sandbox signs as Makini documents it (HMAC-SHA256 of the raw body under the connection's
webhook secret, lowercase hex or padded base64), with its own code: were it to call the
receiver's verifier module, a bug there would sign and verify alike and pass every test.
Duplicates and shuffling are seeded, so a test sees the same deliveries for the same seed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

ENCODINGS = ("hex", "base64")
SIGNATURE_HEADER = "X-Webhook-Signature"


class WebhookConfigError(ValueError):
    """A bad `POST /_sandbox/webhooks` body."""


@dataclass(frozen=True)
class WebhookConfig:
    url: str  # events for connection C go to <url>/<C>
    encoding: str = "hex"
    duplicates: float = 0.0  # share of deliveries sent twice
    shuffle: bool = False  # deliver in random order

    @classmethod
    def parse(cls, body: dict[str, Any]) -> WebhookConfig:
        url, encoding = body.get("url"), body.get("encoding", "hex")
        duplicates, shuffle = body.get("duplicates", 0.0), body.get("shuffle", False)
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise WebhookConfigError(f"url must be an http(s) URL, got {url!r}")
        if encoding not in ENCODINGS:
            raise WebhookConfigError(f"encoding must be one of {ENCODINGS}, got {encoding!r}")
        if (
            isinstance(duplicates, bool)
            or not isinstance(duplicates, int | float)
            or not 0 <= duplicates <= 1
        ):
            raise WebhookConfigError(f"duplicates must be a share in [0, 1], got {duplicates!r}")
        if not isinstance(shuffle, bool):
            raise WebhookConfigError(f"shuffle must be a boolean, got {shuffle!r}")
        return cls(url.rstrip("/"), encoding, float(duplicates), shuffle)


def signature(body: bytes, secret: str, encoding: str) -> str:
    """`X-Webhook-Signature` of `body`: HMAC-SHA256 under `secret`, hex or base64."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return digest.hex() if encoding == "hex" else base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class Delivery:
    connection_id: str
    event: str
    body: bytes
    signature: str
    duplicate: bool


def plan_deliveries(
    config: WebhookConfig,
    secret: str,
    conn_id: str,
    changed: list[str],
    new: list[str],
    rng: random.Random,
) -> list[Delivery]:
    """The signed deliveries one connection's advance produces, in sending order."""
    planned: list[Delivery] = []
    for event, keys in (("purchase-orders.updated", changed), ("purchase-orders.inserted", new)):
        if not keys:
            continue
        body = orjson.dumps({"event": event, "body": keys})
        delivery = Delivery(conn_id, event, body, signature(body, secret, config.encoding), False)
        planned.append(delivery)
        if rng.random() < config.duplicates:
            planned.append(Delivery(conn_id, event, body, delivery.signature, True))
    if config.shuffle:
        rng.shuffle(planned)
    return planned


async def send(config: WebhookConfig, deliveries: list[Delivery]) -> list[dict[str, Any]]:
    """POST each delivery in order; report each one's HTTP status (or the error)."""
    report: list[dict[str, Any]] = []
    async with httpx.AsyncClient(timeout=10.0) as client:
        for delivery in deliveries:
            entry: dict[str, Any] = {
                "connection_id": delivery.connection_id,
                "event": delivery.event,
                "duplicate": delivery.duplicate,
            }
            try:
                response = await client.post(
                    f"{config.url}/{delivery.connection_id}",
                    content=delivery.body,
                    headers={
                        SIGNATURE_HEADER: delivery.signature,
                        "Content-Type": "application/json",
                    },
                )
                entry["status"] = response.status_code
            except httpx.HTTPError as exc:
                entry["status"], entry["error"] = None, f"{type(exc).__name__}: {exc}"
            report.append(entry)
    return report
