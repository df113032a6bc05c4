"""Makini webhooks: signature checks and payload parsing (pure functions, no I/O).

A delivery is `POST` with header `X-Webhook-Signature`: HMAC-SHA256 of the raw body keyed with
the connection's webhook secret, as lowercase hex (newer senders) or standard padded base64
(older senders). The body is `{"event": "<entity>.<inserted|updated>", "body": ["<key>", ...]}`.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

import orjson

SIGNATURE_HEADER = "X-Webhook-Signature"
ENTITIES = ("sites", "assets", "purchase-orders", "work-orders")
ACTIONS = ("inserted", "updated")
ENCODINGS = ("hex", "base64")

_HEX_LENGTH = 64  # 32 bytes as hex
_BASE64_LENGTH = 44  # 32 bytes as padded base64


class PayloadError(ValueError):
    """The body is not a Makini webhook payload; the message says what is wrong."""


@dataclass(frozen=True)
class WebhookEvent:
    entity: str
    action: str
    keys: tuple[str, ...]

    @property
    def event(self) -> str:
        return f"{self.entity}.{self.action}"


def sign(body: bytes, secret: str, encoding: str = "hex") -> str:
    """Return the `X-Webhook-Signature` value for `body` under `secret`."""
    digest = hmac.digest(secret.encode("utf-8"), body, "sha256")  # one-shot C fast path
    if encoding == "hex":
        return digest.hex()
    if encoding == "base64":
        return base64.b64encode(digest).decode("ascii")
    raise ValueError(f"signature encoding {encoding!r} is not one of {', '.join(ENCODINGS)}")


def verify_signature(body: bytes, header: str | None, secrets: Sequence[str]) -> bool:
    """True when `header` is the HMAC-SHA256 of `body` under one of `secrets`.

    Only the canonical spellings are accepted (lowercase hex, padded standard base64), so every
    change to a valid signature is rejected. The encoding is chosen by the header's length, which
    is public anyway; the digest comparison is constant time and checks every secret, so timing
    reveals neither the digest nor which secret matched.
    """
    if not header or not secrets:
        return False
    if len(header) == _HEX_LENGTH:
        encoding = "hex"
    elif len(header) == _BASE64_LENGTH:
        encoding = "base64"
    else:
        return False
    given = header.encode("utf-8", "surrogatepass")
    matched = False
    for secret in secrets:
        expected = sign(body, secret, encoding).encode("ascii")
        matched |= hmac.compare_digest(given, expected)
    return matched


def parse_payload(body: bytes) -> WebhookEvent:
    """Parse a webhook body; raise `PayloadError` naming the first problem found.

    Unknown top-level fields are ignored (forward compatible); repeated keys are kept once.
    """
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise PayloadError(f"body is not valid JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise PayloadError(f"body must be a JSON object, not {type(payload).__name__}")
    event = payload.get("event")
    if not isinstance(event, str):
        raise PayloadError('"event" is missing or not a string')
    entity, dot, action = event.rpartition(".")
    if not dot or entity not in ENTITIES:
        raise PayloadError(f'"event" {event[:80]!r} names no known entity ({", ".join(ENTITIES)})')
    if action not in ACTIONS:
        raise PayloadError(f'"event" {event[:80]!r} has no known action ({", ".join(ACTIONS)})')
    keys = payload.get("body")
    if not isinstance(keys, list):
        raise PayloadError('"body" is missing or not a list of keys')
    if not keys:
        raise PayloadError('"body" lists no keys')
    for i, key in enumerate(keys):
        if not isinstance(key, str) or not key:
            raise PayloadError(f'"body"[{i}] must be a non-empty string key')
    return WebhookEvent(entity, action, tuple(dict.fromkeys(keys)))
