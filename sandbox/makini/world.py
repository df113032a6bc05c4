"""The whole sandbox: its connections, clock, faults, webhook settings and request log.

All state lives here and is changed only from the server's event loop, so handlers need no
locks.
"""

from __future__ import annotations

import random
from collections import deque
from typing import Any

from sandbox.makini.advance import Changes, advance_connection
from sandbox.makini.clock import CLOCK_START_S, DAY_S, iso
from sandbox.makini.connection import Connection, build_connection
from sandbox.makini.dirty import make_dirty
from sandbox.makini.faults import Faults
from sandbox.makini.query import QueryCache
from sandbox.makini.rand import FastRandom
from sandbox.makini.reference import HISTORY_START_S
from sandbox.makini.webhooks import Delivery, WebhookConfig, plan_deliveries

REQUEST_LOG_SIZE = 100_000  # oldest entries drop off beyond this


class Sandbox:
    """Deterministic for (seed, connections, purchase_orders, dirty)."""

    def __init__(
        self, seed: int = 7, connections: int = 3, purchase_orders: int = 2000, dirty: bool = False
    ) -> None:
        if connections < 1 or purchase_orders < 0:
            raise ValueError("need at least one connection and a non-negative order count")
        self.seed = seed
        self.connections = [build_connection(seed, i, purchase_orders) for i in range(connections)]
        self.by_token = {conn.token: conn for conn in self.connections}
        self.by_id = {conn.id: conn for conn in self.connections}
        self.clock_s = CLOCK_START_S
        self.faults = Faults(seed)
        self.cache = QueryCache()
        self.requests: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_SIZE)
        self.webhooks: WebhookConfig | None = None
        self.dirty: dict[str, dict[str, list[str]]] = {}
        if dirty:
            for conn in self.connections:
                self.dirty[conn.id] = make_dirty(conn, random.Random(f"{seed}:{conn.id}:dirty"))

    def advance(
        self,
        changed_fraction: float,
        new_orders: int,
        step_s: int,
        conn_id: str | None,
        spread: bool = False,
    ) -> tuple[dict[str, dict[str, Any]], list[Delivery]]:
        """Move the clock by `step_s` and change one or every connection (`spread`: each changed
        order at a time of its own within the step); returns the answer per connection and the
        webhook deliveries to send."""
        previous_s, self.clock_s = self.clock_s, self.clock_s + step_s
        targets = [self.by_id[conn_id]] if conn_id else self.connections
        answer: dict[str, dict[str, Any]] = {}
        deliveries: list[Delivery] = []
        for conn in targets:
            rng = FastRandom(f"{self.seed}:{conn.id}:advance:{conn.advances}")
            changes: Changes = advance_connection(
                conn, rng, changed_fraction, new_orders, previous_s, self.clock_s, spread
            )
            answer[conn.id] = {
                "changed": changes.changed,
                "new": changes.new,
                "changed_lines": changes.changed_lines,
                "clock": iso(self.clock_s),
            }
            if self.webhooks:
                deliveries += plan_deliveries(
                    self.webhooks, conn.webhook_secret, conn.id, changes.changed, changes.new, rng
                )
        return answer, deliveries


def connection_row(conn: Connection, inactive: bool) -> dict[str, Any]:
    """`/api/system/connections` entry (snake_case `Connection`); `key` is the connection id."""
    created = HISTORY_START_S - 30 * DAY_S
    return {
        "key": conn.id,
        "name": f"{conn.ref.sites[0]['name']} ({conn.flavour.integration_name})",
        "email": f"it-{conn.id}@example.com",
        "status": "Inactive" if inactive else "Active",
        "integration_name": conn.flavour.integration_name,
        "redirect": None,
        "scopes": "erp eam",
        "tags": [conn.flavour.name],
        "user_metadata": None,
        "client_id": "plantsync-sandbox",
        "updated_at": iso(conn.sync_updated_s),
        "created_at": iso(created),
        "connected_at": iso(created + 3600),
    }


def integration_row(conn: Connection, inactive: bool) -> dict[str, Any]:
    """`/api/integrations/current` data (`Integration`) of the token's connection."""
    return {
        "id": conn.id,
        "company_name": conn.ref.sites[0]["name"],
        "email": f"it-{conn.id}@example.com",
        "provider": conn.flavour.name,
        "updated_at": iso(conn.sync_updated_s),
        "sync_status": "error" if inactive else conn.sync_status,
        "sync_updated_at": iso(conn.sync_updated_s),
    }
