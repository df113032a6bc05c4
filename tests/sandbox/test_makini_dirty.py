"""`--dirty`: exactly the reported defects, and everything else clean."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

import pytest
import requests

from sandbox.makini.flavours import flavour_for
from sandbox.makini.server import SandboxServer
from tests.sandbox.conftest import Api
from tests.sandbox.test_makini_money import check_order_money, currency_exponents

ORDERS, LINES = "/api/erp/purchase-orders", "/api/erp/purchase-orders.line-items"


@pytest.fixture(scope="module")
def dirty_api() -> Iterator[Api]:
    with SandboxServer(seed=9, connections=3, purchase_orders=40, dirty=True) as server:
        yield Api(server)


def test_clean_sandbox_reports_no_defects(api):
    assert requests.get(f"{api.base_url}/_sandbox/dirty", timeout=10).json() == {}


@pytest.mark.parametrize("conn", [0, 1, 2])
def test_reported_defects_are_exactly_the_defects(dirty_api, conn):
    report = requests.get(f"{dirty_api.base_url}/_sandbox/dirty", timeout=10).json()[
        f"conn-{conn + 1}"
    ]
    orders = dirty_api.all_rows(ORDERS, conn)
    embedded = Counter(line["key"] for o in orders for line in o["lineItems"])
    owners = {}
    for order in orders:
        for line in order["lineItems"]:
            owners.setdefault(line["key"], set()).add(order["key"])
    # (a) duplicate line keys, on lines of two different orders
    duplicates = sorted(k for k, n in embedded.items() if n > 1)
    assert duplicates == sorted(report["duplicate_line_keys"]) and duplicates
    assert all(len(owners[k]) == 2 for k in duplicates)
    # (b) orphans: served line items no order embeds
    served = {line["key"] for line in dirty_api.all_rows(LINES, conn)}
    assert sorted(served - set(embedded)) == sorted(report["orphan_line_keys"])
    assert len(report["orphan_line_keys"]) == 3
    # (c) unknown statuses: a status row no flavour mapping knows
    known = {(code, name) for code, name, _ in flavour_for(conn).po_statuses}
    statuses = {
        s["key"]: (s["code"], s["name"])
        for s in dirty_api.all_rows("/api/erp/statuses/purchase-orders", conn)
    }
    unknown = sorted(o["key"] for o in orders if statuses[o["statusKey"]] not in known)
    assert unknown == sorted(report["unknown_status_po_keys"]) and len(unknown) == 3
    # (d) unbalanced headers; every other order reconciles
    exponents = currency_exponents(dirty_api, conn)
    unbalanced = []
    for order in orders:
        try:
            check_order_money(order, exponents[order["currencyKey"]])
        except AssertionError:
            unbalanced.append(order["key"])
            lines_net = sum(
                Decimal(line["lineTotalValue"]) - Decimal(line["lineTaxValue"])
                for line in order["lineItems"]
                if line["deletedAt"] is None
            )
            assert abs(Decimal(order["totalNetValue"]) - lines_net) >= 100
    assert sorted(unbalanced) == sorted(report["unbalanced_po_keys"]) and len(unbalanced) == 3


def test_advance_leaves_the_defects_alone(dirty_api):
    report = requests.get(f"{dirty_api.base_url}/_sandbox/dirty", timeout=10).json()["conn-1"]
    answer = dirty_api.post(
        "/_sandbox/advance",
        {"changed_fraction": 1.0, "new_purchase_orders": 0, "connection_id": "conn-1"},
    ).json()
    frozen = set(report["unknown_status_po_keys"] + report["unbalanced_po_keys"])
    assert not frozen & set(answer["conn-1"]["changed"])
    assert len(answer["conn-1"]["changed"]) == 40 - 10
