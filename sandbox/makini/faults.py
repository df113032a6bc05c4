"""Fault injection per connection: what a flaky plant system or API gateway does to a client.

Kinds and options (`POST /_sandbox/faults`):

- `rate_limit`: 429 with `Retry-After: <retry_after>` (default 1 s) for the next `count`
  (default 3) requests.
- `server_error`: `status` (default 500) for the next `count` requests, or, with `fraction`,
  for that share of requests (seeded, so repeatable) until cleared.
- `slow`: every response `delay_s` seconds late (default 2).
- `outage`: 503 on the data endpoints; the connection shows `Inactive` in
  `/api/system/connections` and `sync_status` `error` in `/api/integrations/current`.
- `auth_expired`: 401 for the connection's token, on every endpoint.
- `malformed`: list responses for `page` (default 2) are broken: `mode` `invalid_json`
  (default, a truncated body) or `envelope` (valid JSON without `data`); `path` limits it to one
  endpoint.
- `schema_drift`: orders gain a field (`new_field`, default `sourceSystemVersion`) and one field
  changes type (`retype`: `totalNetValue` as a JSON number (default) or `orderDate` as epoch
  seconds).
- `none`: clears every fault of the connection.

Several kinds can be active at once; setting a kind again replaces its options.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import orjson

from sandbox.makini.clock import parse_iso

KINDS = frozenset(
    (
        "rate_limit",
        "server_error",
        "slow",
        "outage",
        "auth_expired",
        "malformed",
        "schema_drift",
        "none",
    )
)
RETYPES = frozenset(("totalNetValue", "orderDate"))


class FaultError(ValueError):
    """A fault request that names an unknown kind or a bad option."""


@dataclass
class Fault:
    kind: str
    options: dict[str, Any]
    remaining: int | None = None  # requests left for count-limited faults


@dataclass
class Refusal:
    """An error answer a fault substitutes for the real one."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def _number(options: dict[str, Any], name: str, default: float, low: float, high: float) -> float:
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise FaultError(f"option {name} must be a number in [{low}, {high}], got {value!r}")
    return value


def make_fault(kind: str, options: dict[str, Any]) -> Fault:
    """Validate a fault request into a `Fault` (its options normalized)."""
    if kind not in KINDS:
        raise FaultError(f"unknown fault kind {kind!r}; expected one of {sorted(KINDS)}")
    opts: dict[str, Any] = {}
    remaining = None
    if kind == "rate_limit":
        remaining = int(_number(options, "count", 3, 1, 10**6))
        opts["retry_after"] = int(_number(options, "retry_after", 1, 0, 3600))
    elif kind == "server_error":
        opts["status"] = int(_number(options, "status", 500, 500, 599))
        if "fraction" in options:
            opts["fraction"] = _number(options, "fraction", 0.5, 0.0, 1.0)
        else:
            remaining = int(_number(options, "count", 3, 1, 10**6))
    elif kind == "slow":
        opts["delay_s"] = _number(options, "delay_s", 2, 0, 600)
    elif kind == "malformed":
        opts["page"] = int(_number(options, "page", 2, 1, 10**9))
        opts["mode"] = options.get("mode", "invalid_json")
        if opts["mode"] not in ("invalid_json", "envelope"):
            raise FaultError(f"option mode must be invalid_json or envelope, got {opts['mode']!r}")
        opts["path"] = options.get("path")
    elif kind == "schema_drift":
        opts["new_field"] = str(options.get("new_field", "sourceSystemVersion"))
        opts["retype"] = options.get("retype", "totalNetValue")
        if opts["retype"] not in RETYPES:
            raise FaultError(f"option retype must be one of {sorted(RETYPES)}")
    if remaining is not None:
        opts["count"] = remaining
    return Fault(kind, opts, remaining)


class Faults:
    """Active faults of every connection, and the decisions they make per request."""

    def __init__(self, seed: int) -> None:
        self.active: dict[str, dict[str, Fault]] = {}
        self._rng = random.Random(f"{seed}:faults")

    def set(self, conn_id: str, fault: Fault) -> None:
        if fault.kind == "none":
            self.active.pop(conn_id, None)
        else:
            self.active.setdefault(conn_id, {})[fault.kind] = fault

    def listing(self) -> dict[str, list[dict[str, Any]]]:
        return {
            conn_id: [
                {"kind": f.kind, **f.options, "remaining": f.remaining} for f in faults.values()
            ]
            for conn_id, faults in self.active.items()
            if faults
        }

    def has(self, conn_id: str, kind: str) -> bool:
        return kind in self.active.get(conn_id, {})

    def delay_s(self, conn_id: str) -> float:
        fault = self.active.get(conn_id, {}).get("slow")
        return fault.options["delay_s"] if fault else 0.0

    def _consume(self, conn_id: str, kind: str) -> Fault | None:
        """The fault of this kind if it fires on this request (count-limited ones count down)."""
        fault = self.active.get(conn_id, {}).get(kind)
        if fault is None:
            return None
        if fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining <= 0:
                del self.active[conn_id][kind]
        elif "fraction" in fault.options and self._rng.random() >= fault.options["fraction"]:
            return None
        return fault

    def refusal(self, conn_id: str, data_endpoint: bool) -> Refusal | None:
        """The error this request gets instead of its answer, if any."""
        if self.has(conn_id, "auth_expired"):
            return Refusal(401, {"message": "Unauthenticated."})
        if fault := self._consume(conn_id, "rate_limit"):
            return Refusal(
                429,
                {"message": "Too Many Attempts."},
                {"Retry-After": str(fault.options["retry_after"])},
            )
        if fault := self._consume(conn_id, "server_error"):
            return Refusal(fault.options["status"], {"message": "Server Error"})
        if data_endpoint and self.has(conn_id, "outage"):
            return Refusal(503, {"message": "The connection's system is unreachable."})
        return None

    def distort(self, conn_id: str, path: str, page: int | None, body: bytes) -> bytes:
        """A served body as the active malformed/schema-drift faults change it."""
        faults = self.active.get(conn_id, {})
        drift = faults.get("schema_drift")
        if drift and path.startswith("/api/erp/purchase-orders") and ".line-items" not in path:
            body = _drift(body, drift.options)
        broken = faults.get("malformed")
        if broken and page == broken.options["page"] and broken.options["path"] in (None, path):
            if broken.options["mode"] == "invalid_json":
                return body[: max(1, len(body) // 2)]
            return orjson.dumps({"items": orjson.loads(body).get("data"), "page": page})
        return body


def _drift(body: bytes, options: dict[str, Any]) -> bytes:
    document = orjson.loads(body)
    data = document["data"]
    for order in data if isinstance(data, list) else [data]:
        order[options["new_field"]] = "S/4HANA 2025 FPS01"
        if options["retype"] == "totalNetValue" and order["totalNetValue"] is not None:
            order["totalNetValue"] = float(order["totalNetValue"])
        elif options["retype"] == "orderDate" and order["orderDate"] is not None:
            order["orderDate"] = int(parse_iso(order["orderDate"]) or 0)
    return orjson.dumps(document)
