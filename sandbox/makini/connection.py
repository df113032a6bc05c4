"""One simulated Makini connection: its identity, its data tables and its mutable state."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

from sandbox.makini.assets import build_assets, build_downtime
from sandbox.makini.clock import CLOCK_START_S
from sandbox.makini.flavours import Flavour, flavour_for
from sandbox.makini.keys import KeyMaker
from sandbox.makini.orders import OrderFactory
from sandbox.makini.rand import FastRandom
from sandbox.makini.reference import HISTORY_START_S, Reference, build_reference
from sandbox.makini.store import LineItemTable, OrderTable, RowTable

PURCHASE_ORDER_FIELDS = frozenset(
    (
        "key",
        "siteKey",
        "organizationKey",
        "orderDate",
        "vendorKey",
        "userRequestedKey",
        "userApprovedKey",
        "orderNo",
        "statusKey",
        "title",
        "description",
        "dueAt",
        "approvedAt",
        "completedAt",
        "shippingMethod",
        "shipmentDate",
        "shipmentAddress",
        "billingAddress",
        "terms",
        "notes",
        "deliveryAddress",
        "currencyKey",
        "locationKey",
        "totalNetValue",
        "totalGrossValue",
        "updatedAt",
    )
)


def derived_secret(seed: int, conn_id: str, purpose: str) -> str:
    """A token or webhook secret that depends only on the seed and the connection."""
    return hashlib.sha256(f"plantsync-sandbox:{seed}:{conn_id}:{purpose}".encode()).hexdigest()


@dataclass
class Connection:
    """A connection's identity, data and state (faults live in `faults.py`)."""

    id: str
    index: int
    flavour: Flavour
    token: str
    webhook_secret: str
    keys: KeyMaker
    ref: Reference
    factory: OrderFactory
    tables: dict[str, Any]
    orders: OrderTable
    downtime: RowTable
    assets: list[dict[str, Any]]
    sync_status: str = "fulldone"
    sync_updated_s: int = CLOCK_START_S
    advances: int = 0
    frozen_orders: set[int] = field(default_factory=set)  # dirty orders advance must not fix

    def identity(self) -> dict[str, str]:
        """The entry of the connections file (`MAKINI_CONNECTIONS`)."""
        return {"id": self.id, "token": self.token, "webhook_secret": self.webhook_secret}


def build_connection(seed: int, index: int, purchase_orders: int) -> Connection:
    """Connection `index` (0-based, id `conn-<index+1>`) with all its data, from the seed."""
    conn_id = f"conn-{index + 1}"
    rng = FastRandom(f"{seed}:{conn_id}")
    flavour = flavour_for(index)
    keys = KeyMaker(rng)
    ref = build_reference(rng, keys, flavour, index, purchase_orders)
    assets = build_assets(rng, keys, ref)
    downtime = RowTable(build_downtime(rng, keys, assets))
    factory = OrderFactory(ref, assets, keys)
    orders = OrderTable(PURCHASE_ORDER_FIELDS)
    # Order times spread over the history, in order, as a database's ids would be.
    for ordered_s in sorted(
        rng.randrange(HISTORY_START_S, CLOCK_START_S) for _ in range(purchase_orders)
    ):
        add_order(orders, factory, rng, ordered_s, CLOCK_START_S)
    tables: dict[str, Any] = {
        "/api/erp/purchase-orders": orders,
        "/api/erp/purchase-orders.line-items": LineItemTable(orders),
        "/api/erp/vendors": RowTable(ref.vendors),
        "/api/erp/statuses/purchase-orders": RowTable(ref.statuses),
        "/api/erp/currencies": RowTable(ref.currencies),
        "/api/erp/exchange-rates": RowTable(ref.exchange_rates),
        "/api/erp/uom": RowTable(ref.units),
        "/api/erp/sites": RowTable(ref.sites),
        "/api/eam/assets": RowTable(assets),
        "/api/eam/assets-downtime": downtime,
    }
    return Connection(
        id=conn_id,
        index=index,
        flavour=flavour,
        token=derived_secret(seed, conn_id, "token"),
        webhook_secret=derived_secret(seed, conn_id, "webhook")[:32],
        keys=keys,
        ref=ref,
        factory=factory,
        tables=tables,
        orders=orders,
        downtime=downtime,
        assets=assets,
    )


def add_order(
    orders: OrderTable, factory: OrderFactory, rng: random.Random, ordered_s: int, now_s: int
) -> str:
    """Generate one order placed at `ordered_s` and store it; returns its key."""
    order, updated_s, line_updated_s = factory.make(rng, ordered_s, now_s)
    orders.add(order, updated_s, line_updated_s)
    return order["key"]
