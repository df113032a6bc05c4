"""Purchase orders with their lines: generation and the money rules that keep them reconciled.

An order is a dict in the spec's `PurchaseOrder` field order with `lineItems` (`POLineItem`)
embedded and `customFields` added. Lines carry `customFields.taxRate` (percent, a string) and,
on SAP-flavour connections, `customFields.priceUnit`, so that a changed line can be repriced
from its own fields.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from sandbox.makini.catalog import COUNTRIES, ITEMS, SHIPPING, TERMS, Item
from sandbox.makini.clock import DAY_S, iso
from sandbox.makini.keys import KeyMaker
from sandbox.makini.money import QTY_SCALE, format_minor, format_qty, line_amounts, round_half_up
from sandbox.makini.reference import Reference, tax_rates

Row = dict[str, Any]
HOUR_S = 3600
LIFECYCLE = (
    "draft",
    "pending_approval",
    "open",
    "partially_received",
    "received",
    "billed",
    "closed",
)
RECEIVING = ("partially_received", "received", "billed", "closed")
FULLY_RECEIVED = ("received", "billed", "closed")
LINE_COUNT_WEIGHTS = (10, 14, 17, 18, 15, 11, 8, 7)  # 1..8 lines, mean about 4.1
COUNT_UNIT = {"sap": "ST", "maximo": "EA", "netsuite": "PC"}
# canonical status mix by order age: (max age in days, ((status, weight), ...))
STATUS_BY_AGE: tuple[tuple[int, tuple[tuple[str, int], ...]], ...] = (
    (7, (("draft", 20), ("pending_approval", 25), ("open", 50), ("cancelled", 5))),
    (
        45,
        (
            ("pending_approval", 5),
            ("open", 40),
            ("partially_received", 30),
            ("received", 20),
            ("cancelled", 5),
        ),
    ),
    (
        120,
        (
            ("open", 10),
            ("partially_received", 15),
            ("received", 30),
            ("billed", 35),
            ("closed", 5),
            ("cancelled", 5),
        ),
    ),
    (
        10**6,
        (
            ("partially_received", 2),
            ("received", 5),
            ("billed", 23),
            ("closed", 65),
            ("cancelled", 5),
        ),
    ),
)


def to_minor(text: str, exponent: int) -> int:
    """ "12.50" -> 1250 at exponent 2 (exact, through Decimal)."""
    return int(Decimal(text).scaleb(exponent))


def flavour_status(ref: Reference, canonical: str) -> str:
    """The nearest canonical status this flavour has: later in the lifecycle first (NetSuite
    has no draft, Maximo no received or billed), then earlier."""
    if canonical in ref.status_keys or canonical not in LIFECYCLE:
        return canonical
    at = LIFECYCLE.index(canonical)
    for candidate in (*LIFECYCLE[at + 1 :], *reversed(LIFECYCLE[:at])):
        if candidate in ref.status_keys:
            return candidate
    raise ValueError(f"flavour {ref.flavour.name} has no lifecycle status")


def next_status(ref: Reference, canonical: str) -> str | None:
    """The flavour's next lifecycle status after `canonical`, or None when it is final."""
    if canonical not in LIFECYCLE:
        return None
    for candidate in LIFECYCLE[LIFECYCLE.index(canonical) + 1 :]:
        if candidate in ref.status_keys:
            return candidate
    return None


def received_milli(canonical: str, qty_milli: int, decimals: int, rng: random.Random) -> int:
    """Received quantity consistent with the order status (partial: a share, whole units
    for units without decimals)."""
    if canonical in FULLY_RECEIVED:
        return qty_milli
    if canonical != "partially_received":
        return 0
    share = qty_milli * rng.uniform(0.0, 0.95)
    step = QTY_SCALE if decimals == 0 else 1
    return int(share // step) * step


def price_line(
    line: Row, qty_milli: int, price_minor: int, discount_minor: int, exponent: int, decimals: int
) -> tuple[int, int]:
    """Set a line's quantity, price, discount, tax and total; return (net, total) in minor
    units."""
    custom = line["customFields"]
    net, tax, total = line_amounts(
        qty_milli, price_minor, custom.get("priceUnit", 1), discount_minor, int(custom["taxRate"])
    )
    line["quantity"] = format_qty(qty_milli, decimals)
    line["price"] = format_minor(price_minor, exponent)
    line["discount"] = format_minor(discount_minor, exponent)
    line["lineTaxValue"] = format_minor(tax, exponent)
    line["lineTotalValue"] = format_minor(total, exponent)
    return net, total


def set_totals(order: Row, amounts: list[tuple[int, int]], exponent: int) -> None:
    """Header totals from the (net, total) of the lines that are not soft-deleted."""
    net = gross = 0
    for line, (line_net, line_total) in zip(order["lineItems"], amounts, strict=True):
        if line["deletedAt"] is None:
            net += line_net
            gross += line_total
    order["totalNetValue"] = format_minor(net, exponent)
    order["totalGrossValue"] = format_minor(gross, exponent)


def reprice(order: Row, ref: Reference) -> None:
    """Recompute every line's money and the header totals from the lines' current fields."""
    exponent = ref.exponent[order["currencyKey"]]
    amounts = [
        price_line(
            line,
            to_minor(line["quantity"], 3),
            to_minor(line["price"], exponent),
            to_minor(line["discount"], exponent),
            exponent,
            ref.unit_decimals[line["uomKey"]],
        )
        for line in order["lineItems"]
    ]
    set_totals(order, amounts, exponent)


def timeline(
    rng: random.Random, canonical: str, ordered_s: int, now_s: int
) -> tuple[int | None, int | None, int | None, int]:
    """(approvedAt, shipmentDate, completedAt, updatedAt) of an order in this status, each
    between its order time and now (a just-placed order has nothing in the future)."""

    def at(offset_s: int) -> int:
        return min(ordered_s + offset_s, now_s)

    approved = canonical in LIFECYCLE[2:] or (canonical == "cancelled" and rng.random() < 0.5)
    approved_s = at(rng.randrange(1, 48) * HOUR_S) if approved else None
    shipment_s = at(rng.randrange(3, 30) * DAY_S) if canonical in RECEIVING else None
    completed_s = None
    if canonical in ("closed", "cancelled"):
        completed_s = rng.randrange(shipment_s or ordered_s, now_s + 1)
    latest = max(t for t in (ordered_s, approved_s, shipment_s, completed_s) if t is not None)
    return approved_s, shipment_s, completed_s, min(latest + rng.randrange(0, 6 * HOUR_S), now_s)


class OrderFactory:
    """Builds realistic orders for one connection."""

    def __init__(self, ref: Reference, assets: list[Row], keys: KeyMaker) -> None:
        self.ref, self.keys = ref, keys
        self.sites = [s for s in ref.sites if s["deletedAt"] is None]
        self.vendors = [v for v in ref.vendors if v["deletedAt"] is None]
        self.asset_keys = [a["key"] for a in assets if a["isActive"]]
        # Keys looked up per line, computed once.
        self.accounts = [keys.key("account", i) for i in range(6)]
        self.locations = [keys.key("location", i) for i in range(8)]
        self.storeroom = keys.key("storeroom", 0)
        self.materials = {item.code: keys.key("material", i) for i, item in enumerate(ITEMS)}
        count_unit = COUNT_UNIT.get(ref.flavour.name, "EA")
        self.item_unit = {
            item.code: ref.unit_key[count_unit if item.unit == "count" else item.unit]
            for item in ITEMS
        }
        self.order_count = 0

    def order_no(self, index: int) -> str:
        """Document numbers as each back end formats them."""
        return {"sap": f"45{index + 100000:08d}", "maximo": f"{10000 + index}"}.get(
            self.ref.flavour.name, f"PO{5000 + index}"
        )

    def canonical_for_age(self, rng: random.Random, age_s: int) -> str:
        """A canonical status that fits an order of this age."""
        for max_days, mix in STATUS_BY_AGE:
            if age_s < max_days * DAY_S:
                statuses, weights = zip(*mix, strict=True)
                return flavour_status(self.ref, rng.choices(statuses, weights)[0])
        raise AssertionError("unreachable: the last age bucket is open-ended")

    def make(
        self, rng: random.Random, ordered_s: int, now_s: int
    ) -> tuple[Row, int, tuple[int, ...]]:
        """A new order placed at `ordered_s`, aged to `now_s`; returns (order, updatedAt,
        the lines' updatedAt), times in epoch seconds."""
        ref = self.ref
        index, self.order_count = self.order_count, self.order_count + 1
        canonical = self.canonical_for_age(rng, now_s - ordered_s)
        site, vendor = rng.choice(self.sites), rng.choice(self.vendors)
        vendor_currency = COUNTRIES[ref.vendor_country[vendor["key"]]].currency
        currency = ref.currency_key[vendor_currency if rng.random() < 0.35 else ref.base_currency]
        due_s = ordered_s + rng.randrange(7, 60) * DAY_S
        approved_s, shipment_s, completed_s, updated_s = timeline(rng, canonical, ordered_s, now_s)
        status_key = rng.choice(ref.status_keys[canonical])
        order: Row = {
            "key": self.keys.new("purchase_order"),
            "siteKey": site["key"],
            "organizationKey": ref.organization_key,
            "orderDate": iso(ordered_s),
            "vendorKey": vendor["key"],
            "userRequestedKey": rng.choice(ref.users),
            "userApprovedKey": rng.choice(ref.users) if approved_s else None,
            "orderNo": self.order_no(index),
            "statusKey": status_key,
            "title": None,
            "description": None,
            "dueAt": iso(due_s),
            "approvedAt": iso(approved_s),
            "completedAt": iso(completed_s),
            "shippingMethod": rng.choice(SHIPPING) if rng.random() < 0.7 else None,
            "shipmentDate": iso(shipment_s),
            "shipmentAddress": site["address"],
            "billingAddress": ref.billing_address,
            "terms": rng.choice(TERMS),
            "notes": "Bitte Bestellnummer auf Lieferschein angeben" if rng.random() < 0.1 else None,
            "deliveryAddress": site["address"],
            "currencyKey": currency,
            "locationKey": rng.choice(self.locations) if rng.random() < 0.5 else None,
            "totalNetValue": None,
            "totalGrossValue": None,
            "updatedAt": iso(updated_s),
            "lineItems": [],
            "customFields": {
                "costCenter": f"CC-{rng.randrange(4100, 4190)}",
                "buyer": rng.choice(
                    ("Jürgen Weiß", "Åsa Nyström", "田中 花子", "Søren Kjær", "Emily Carter")
                ),
                "incoterms": rng.choice(("DAP", "FCA", "EXW", "DDP")),
            },
        }
        lines_updated_s = self._add_lines(
            rng, order, canonical, site["key"], ordered_s, updated_s, shipment_s
        )
        line_count = len(order["lineItems"])
        first = order["lineItems"][0]["name"]
        order["title"] = first if line_count == 1 else f"{first} (+{line_count - 1})"
        order["description"] = f"{site['name']}: {line_count} Position(en)"
        return order, updated_s, lines_updated_s

    def _add_lines(
        self,
        rng: random.Random,
        order: Row,
        canonical: str,
        site_key: str,
        ordered_s: int,
        updated_s: int,
        shipment_s: int | None,
    ) -> tuple[int, ...]:
        """Add 1-8 priced lines to `order` and set its totals; returns the lines' updatedAt."""
        ref = self.ref
        exponent = ref.exponent[order["currencyKey"]]
        tax_pct, reduced_pct = tax_rates(ref, site_key, order["vendorKey"])
        # Receiving touches the lines; before that they keep their creation time.
        line_updated_s = updated_s if canonical in RECEIVING else ordered_s
        line_updated = iso(line_updated_s)
        delivered = iso(shipment_s) if canonical in FULLY_RECEIVED else None
        amounts, lines_updated_s = [], []
        for position in range(rng.choices(range(1, 9), LINE_COUNT_WEIGHTS)[0]):
            line, qty_milli, amount = self._line(
                rng,
                order,
                rng.choice(ITEMS),
                position,
                exponent,
                reduced_pct if rng.random() < 0.1 else tax_pct,
            )
            decimals = ref.unit_decimals[line["uomKey"]]
            line["receivedQuantity"] = format_qty(
                received_milli(canonical, qty_milli, decimals, rng), decimals
            )
            line["deliveryAt"], line["createdAt"], line["updatedAt"] = (
                delivered,
                order["orderDate"],
                line_updated,
            )
            lines_updated_s.append(line_updated_s)
            if position and rng.random() < 0.03:  # a line removed after ordering
                line["deletedAt"] = iso(rng.randrange(ordered_s, updated_s + 1))
                line["updatedAt"] = order["updatedAt"]
                lines_updated_s[-1] = updated_s
            order["lineItems"].append(line)
            amounts.append(amount)
        set_totals(order, amounts, exponent)
        return tuple(lines_updated_s)

    def _line(
        self, rng: random.Random, order: Row, item: Item, position: int, exponent: int, tax_pct: int
    ) -> tuple[Row, int, tuple[int, int]]:
        """A priced line; returns (line, quantity in thousandths, (net, total))."""
        ref = self.ref
        uom_key = self.item_unit[item.code]
        decimals = ref.unit_decimals[uom_key]
        unit_price_eur = rng.uniform(*item.price_eur)
        # SAP quotes cheap items per 10, 100 or 1000 units.
        price_unit = rng.choice(ref.flavour.price_units) if unit_price_eur < 20 else 1
        unit_price = unit_price_eur / ref.eur_value[order["currencyKey"]]
        price_minor = max(1, round(unit_price * price_unit * 10**exponent))
        qty_milli = rng.randint(item.qty[0] * QTY_SCALE, item.qty[1] * QTY_SCALE)
        if decimals == 0:
            qty_milli -= qty_milli % QTY_SCALE
        discount = 0
        if rng.random() < 0.15:
            gross = round_half_up(qty_milli * price_minor, QTY_SCALE * price_unit)
            discount = int(gross * rng.uniform(0.02, 0.10))
        custom: Row = {"taxRate": str(tax_pct)}
        if len(ref.flavour.price_units) > 1:  # only back ends with price units report one
            custom["priceUnit"] = price_unit
        is_sap = ref.flavour.name == "sap"
        line: Row = {
            "key": self.keys.new("line"),
            "locationKey": order["locationKey"],
            "accountKey": rng.choice(self.accounts),
            "vendorKey": order["vendorKey"],
            "assetKey": rng.choice(self.asset_keys)
            if item.maintenance and rng.random() < 0.4
            else None,
            "materialKey": self.materials[item.code] if item.kind == "material" else None,
            "productKey": None,
            "statusKey": order["statusKey"],
            "storeroomKey": self.storeroom if item.kind == "material" else None,
            "lineNo": f"{(position + 1) * 10:05d}" if is_sap else str(position + 1),
            "code": item.code,
            "type": item.kind,
            "name": item.name,
            "description": f"{item.name} ({item.code})",
            "lineRef": f"PR-{rng.randrange(10**6):06d}" if rng.random() < 0.3 else None,
            "quantity": None,
            "receivedQuantity": None,
            "uomKey": uom_key,
            "currencyKey": order["currencyKey"],
            "price": None,
            "discount": None,
            "lineTaxValue": None,
            "lineTotalValue": None,
            "notes": None,
            "deliveryAt": None,
            "dueAt": order["dueAt"],
            "createdAt": None,
            "updatedAt": None,
            "deletedAt": None,
            "customFields": custom,
        }
        amount = price_line(line, qty_milli, price_minor, discount, exponent, decimals)
        return line, qty_milli, amount
