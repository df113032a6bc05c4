"""Money rules and references: what the canonical models rely on, checked with Decimal."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox.makini.flavours import flavour_for
from sandbox.makini.money import format_minor, line_amounts
from sandbox.makini.world import Sandbox

ORDERS, LINES = "/api/erp/purchase-orders", "/api/erp/purchase-orders.line-items"


def _round(value: Decimal, exponent: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-exponent), rounding=ROUND_HALF_UP)


def currency_exponents(api, conn: int) -> dict[str, int]:
    """currency key -> minor-unit exponent, from the decimals the API uses for its code."""
    codes = {c["key"]: c["code"] for c in api.all_rows("/api/erp/currencies", conn)}
    return {key: 0 if code == "JPY" else 2 for key, code in codes.items()}


def check_order_money(order: dict, exponent: int) -> None:
    """Assert one order follows the money rules of docs/sandbox.md."""
    money = re.compile(r"^-?\d+$" if exponent == 0 else rf"^-?\d+\.\d{{{exponent}}}$")
    net_sum = gross_sum = Decimal(0)
    for line in order["lineItems"]:
        for field in ("price", "discount", "lineTaxValue", "lineTotalValue"):
            assert money.match(line[field]), (field, line[field])
        assert line["currencyKey"] == order["currencyKey"]
        price_unit = Decimal(line["customFields"].get("priceUnit", 1))
        gross = _round(Decimal(line["quantity"]) * Decimal(line["price"]) / price_unit, exponent)
        net = gross - Decimal(line["discount"])
        rate = Decimal(line["customFields"]["taxRate"]) / 100
        assert Decimal(line["lineTaxValue"]) == _round(net * rate, exponent)
        assert Decimal(line["lineTotalValue"]) == net + Decimal(line["lineTaxValue"])
        assert net >= 0
        if line["deletedAt"] is None:
            net_sum += net
            gross_sum += Decimal(line["lineTotalValue"])
    assert money.match(order["totalNetValue"]) and money.match(order["totalGrossValue"])
    assert Decimal(order["totalNetValue"]) == net_sum
    assert Decimal(order["totalGrossValue"]) == gross_sum


@pytest.mark.parametrize("conn", [0, 1, 2])
def test_header_totals_reconcile_with_lines(api, conn):
    exponents = currency_exponents(api, conn)
    for order in api.all_rows(ORDERS, conn):
        check_order_money(order, exponents[order["currencyKey"]])


def test_jpy_has_no_decimals():
    sandbox = Sandbox(seed=3, connections=5, purchase_orders=15)
    japan = sandbox.connections[4]
    assert japan.ref.base_currency == "JPY"
    jpy_key = japan.ref.currency_key["JPY"]
    orders = [orjson.loads(japan.orders.json(i)) for i in range(len(japan.orders))]
    in_yen = [o for o in orders if o["currencyKey"] == jpy_key]
    assert in_yen
    for order in in_yen:
        assert "." not in order["totalNetValue"]
        check_order_money(order, 0)


def test_sap_lines_quote_prices_per_price_unit(api):
    sap_units = set(flavour_for(0).price_units)
    lines = [line for o in api.all_rows(ORDERS, 0) for line in o["lineItems"]]
    units = [line["customFields"]["priceUnit"] for line in lines]
    assert set(units) <= sap_units and max(units) > 1
    others = [line for c in (1, 2) for o in api.all_rows(ORDERS, c) for line in o["lineItems"]]
    assert all("priceUnit" not in line["customFields"] for line in others)


@pytest.mark.parametrize("conn", [0, 1, 2])
def test_received_quantity_follows_the_status(api, conn):
    flavour = flavour_for(conn)
    canonical = {code: status for code, _, status in flavour.po_statuses}
    statuses = {
        s["key"]: canonical[s["code"]]
        for s in api.all_rows("/api/erp/statuses/purchase-orders", conn)
    }
    seen = set()
    for order in api.all_rows(ORDERS, conn):
        status = statuses[order["statusKey"]]
        seen.add(status)
        for line in order["lineItems"]:
            quantity, received = Decimal(line["quantity"]), Decimal(line["receivedQuantity"])
            if status in ("draft", "pending_approval", "open", "cancelled"):
                assert received == 0
            elif status == "partially_received":
                assert 0 <= received < quantity
            else:
                assert received == quantity
        if status in ("closed", "cancelled"):
            assert order["completedAt"] is not None
        else:
            assert order["completedAt"] is None
    assert len(seen) >= 4


@pytest.mark.parametrize("conn", [0, 1, 2])
def test_references_point_at_served_rows(api, conn):
    keys = {
        path: {row["key"] for row in api.all_rows(path, conn)}
        for path in (
            "/api/erp/vendors",
            "/api/erp/sites",
            "/api/erp/currencies",
            "/api/erp/uom",
            "/api/erp/statuses/purchase-orders",
            "/api/eam/assets",
        )
    }
    orders = api.all_rows(ORDERS, conn)
    for order in orders:
        assert order["vendorKey"] in keys["/api/erp/vendors"]
        assert order["siteKey"] in keys["/api/erp/sites"]
        assert order["currencyKey"] in keys["/api/erp/currencies"]
        assert order["statusKey"] in keys["/api/erp/statuses/purchase-orders"]
        for line in order["lineItems"]:
            assert line["uomKey"] in keys["/api/erp/uom"]
            assert line["assetKey"] is None or line["assetKey"] in keys["/api/eam/assets"]
    assert any(line["assetKey"] for o in orders for line in o["lineItems"])
    downtime = api.all_rows("/api/eam/assets-downtime", conn)
    assert {d["assetKey"] for d in downtime} <= keys["/api/eam/assets"]
    rates = api.all_rows("/api/erp/exchange-rates", conn)
    base = [c for c in api.all_rows("/api/erp/currencies", conn) if c["isBase"] == "true"]
    assert len(base) == 1 and {r["baseCurrencyKey"] for r in rates} == {base[0]["key"]}


def test_line_items_endpoint_mirrors_embedded_lines(api):
    embedded = {line["key"]: line for o in api.all_rows(ORDERS) for line in o["lineItems"]}
    served = api.all_rows(LINES)
    assert {line["key"] for line in served} == set(embedded)
    for line in served:
        source = embedded[line["key"]]
        assert line["lineTotalValue"] == source["lineTotalValue"]
        assert Decimal(line["cost"]) == Decimal(source["lineTotalValue"]) - Decimal(
            source["lineTaxValue"]
        )


def test_soft_deleted_rows_exist(api):
    rows = [line for c in range(3) for o in api.all_rows(ORDERS, c) for line in o["lineItems"]]
    rows += [v for c in range(3) for v in api.all_rows("/api/erp/vendors", c)]
    rows += [s for c in range(3) for s in api.all_rows("/api/erp/sites", c)]
    assert any(row["deletedAt"] for row in rows)


@given(
    qty_milli=st.integers(0, 10**9),
    price_minor=st.integers(0, 10**9),
    price_unit=st.sampled_from((1, 10, 100, 1000)),
    tax_pct=st.sampled_from((0, 7, 8, 19, 20, 25)),
    exponent=st.sampled_from((0, 2)),
)
def test_integer_money_matches_decimal_rules(qty_milli, price_minor, price_unit, tax_pct, exponent):
    quantity = Decimal(qty_milli) / 1000
    price = Decimal(price_minor).scaleb(-exponent)
    gross = _round(quantity * price / price_unit, exponent)
    discount_minor = int(gross.scaleb(exponent)) // 3
    net, tax, total = line_amounts(qty_milli, price_minor, price_unit, discount_minor, tax_pct)
    expected_net = gross - Decimal(discount_minor).scaleb(-exponent)
    expected_tax = _round(expected_net * tax_pct / 100, exponent)
    assert Decimal(format_minor(net, exponent)) == expected_net
    assert Decimal(format_minor(tax, exponent)) == expected_tax
    assert Decimal(format_minor(total, exponent)) == expected_net + expected_tax
