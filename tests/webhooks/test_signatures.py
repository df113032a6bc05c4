"""The webhook verifier and payload parser: design test vector, edge cases, properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webhooks.signatures import (
    PayloadError,
    WebhookEvent,
    parse_payload,
    sign,
    verify_signature,
)

VECTOR_SECRET = "test_secret"
VECTOR_BODY = b'{"event":"purchase-orders.updated","body":["06000398918336"]}'
VECTOR_HEX = "48c8280dfa06b8a50849dabb301fa2614645342d722661a456bbe8a276055d06"
VECTOR_BASE64 = "SMgoDfoGuKUISdq7MB+iYUZFNC1yJmGkVrvoonYFXQY="


def flip_bit(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


@pytest.mark.parametrize(("encoding", "expected"), [("hex", VECTOR_HEX), ("base64", VECTOR_BASE64)])
def test_design_vector_signs_and_verifies(encoding: str, expected: str) -> None:
    assert sign(VECTOR_BODY, VECTOR_SECRET, encoding) == expected
    assert verify_signature(VECTOR_BODY, expected, [VECTOR_SECRET])


@pytest.mark.parametrize("header", [VECTOR_HEX, VECTOR_BASE64])
def test_either_rotation_secret_verifies(header: str) -> None:
    assert verify_signature(VECTOR_BODY, header, ["new_secret", VECTOR_SECRET])
    assert verify_signature(VECTOR_BODY, header, [VECTOR_SECRET, "new_secret"])


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        VECTOR_HEX[:-1],
        VECTOR_HEX[:32],
        VECTOR_BASE64[:-1],
        VECTOR_BASE64.rstrip("="),
        VECTOR_HEX.upper(),
        f"sha256={VECTOR_HEX}",
        f" {VECTOR_HEX}",
        "0" * 64,
        "é" * 64,
    ],
)
def test_bad_headers_are_rejected(header: str | None) -> None:
    assert not verify_signature(VECTOR_BODY, header, [VECTOR_SECRET])


def test_no_secrets_rejects_everything() -> None:
    assert not verify_signature(VECTOR_BODY, VECTOR_HEX, [])


def test_signature_of_another_body_is_rejected() -> None:
    other = VECTOR_BODY.replace(b"0600", b"0700")
    assert not verify_signature(other, VECTOR_HEX, [VECTOR_SECRET])


def test_unknown_encoding_is_an_error() -> None:
    with pytest.raises(ValueError, match="base32"):
        sign(VECTOR_BODY, VECTOR_SECRET, "base32")


@settings(max_examples=200, deadline=None)
@given(
    body=st.binary(max_size=2048),
    secret=st.text(min_size=1, max_size=64),
    other=st.text(min_size=1, max_size=64),
    encoding=st.sampled_from(["hex", "base64"]),
    data=st.data(),
)
def test_signature_properties(
    body: bytes, secret: str, other: str, encoding: str, data: st.DataObject
) -> None:
    signature = sign(body, secret, encoding)
    assert verify_signature(body, signature, [secret])
    if other != secret:
        assert not verify_signature(body, signature, [other])
    if body:
        bit = data.draw(st.integers(0, len(body) * 8 - 1), label="body bit")
        assert not verify_signature(flip_bit(body, bit), signature, [secret])
    raw = signature.encode("ascii")
    bit = data.draw(st.integers(0, len(raw) * 8 - 1), label="signature bit")
    assert not verify_signature(body, flip_bit(raw, bit).decode("latin-1"), [secret])


def test_parse_design_payload() -> None:
    event = parse_payload(VECTOR_BODY)
    assert event == WebhookEvent("purchase-orders", "updated", ("06000398918336",))
    assert event.event == "purchase-orders.updated"


@pytest.mark.parametrize("entity", ["sites", "assets", "purchase-orders", "work-orders"])
@pytest.mark.parametrize("action", ["inserted", "updated"])
def test_parse_every_event_type(entity: str, action: str) -> None:
    body = f'{{"event": "{entity}.{action}", "body": ["a", "b", "a"], "extra": 1}}'.encode()
    assert parse_payload(body) == WebhookEvent(entity, action, ("a", "b"))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"", "not valid JSON"),
        (b'["purchase-orders.updated"]', "must be a JSON object"),
        (b'{"body": ["1"]}', '"event" is missing'),
        (b'{"event": 3, "body": ["1"]}', '"event" is missing or not a string'),
        (b'{"event": "vendors.updated", "body": ["1"]}', "names no known entity"),
        (b'{"event": "purchase-orders", "body": ["1"]}', "names no known entity"),
        (b'{"event": "purchase-orders.deleted", "body": ["1"]}', "no known action"),
        (b'{"event": "sites.inserted"}', '"body" is missing'),
        (b'{"event": "sites.inserted", "body": "1"}', '"body" is missing or not a list'),
        (b'{"event": "sites.inserted", "body": []}', "lists no keys"),
        (b'{"event": "sites.inserted", "body": ["1", 2]}', r'"body"\[1\] must be'),
        (b'{"event": "sites.inserted", "body": [""]}', r'"body"\[0\] must be'),
    ],
)
def test_parse_rejects_with_a_reason(body: bytes, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        parse_payload(body)
