"""`POST /_sandbox/advance`: exactly the reported orders change, with updatedAt at the clock."""

from __future__ import annotations

from tests.sandbox.test_makini_money import check_order_money, currency_exponents

ORDERS = "/api/erp/purchase-orders"


def _snapshot(api, conn: int) -> dict[str, dict]:
    return {o["key"]: o for o in api.all_rows(ORDERS, conn)}


def test_advance_changes_exactly_the_reported_keys(fresh_api):
    before = [_snapshot(fresh_api, c) for c in range(3)]
    response = fresh_api.post(
        "/_sandbox/advance", {"changed_fraction": 0.25, "new_purchase_orders": 4}
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == {"conn-1", "conn-2", "conn-3"}
    for conn, conn_id in enumerate(("conn-1", "conn-2", "conn-3")):
        report, after = answer[conn_id], _snapshot(fresh_api, conn)
        assert report["clock"] == "2026-10-01T01:00:00Z"
        assert len(report["changed"]) == 10 and len(report["new"]) == 4
        assert set(after) == set(before[conn]) | set(report["new"])
        changed = {k for k in before[conn] if after[k] != before[conn][k]}
        assert changed == set(report["changed"])
        for key in report["changed"]:
            assert after[key]["updatedAt"] == report["clock"]
        for key in report["new"]:
            assert after[key]["updatedAt"] <= report["clock"]
            assert after[key]["orderDate"] > "2026-10-01T00:00:00Z"
        changed_lines = sum(
            1
            for key in report["changed"]
            for old, new in zip(
                before[conn][key]["lineItems"], after[key]["lineItems"], strict=True
            )
            if old != new
        )
        assert changed_lines == report["changed_lines"]
        exponents = currency_exponents(fresh_api, conn)
        for key in report["changed"]:
            for old, new in zip(
                before[conn][key]["lineItems"], after[key]["lineItems"], strict=True
            ):
                assert (old == new) or new["updatedAt"] == report["clock"]
            check_order_money(after[key], exponents[after[key]["currencyKey"]])


def test_incremental_filter_finds_exactly_the_changes(fresh_api):
    answer = fresh_api.post(
        "/_sandbox/advance",
        {"changed_fraction": 0.1, "new_purchase_orders": 2, "connection_id": "conn-2"},
    ).json()
    assert list(answer) == ["conn-2"]
    since = fresh_api.all_rows(ORDERS, 1, {"filter[updatedAt:gt]": "2026-10-01T00:00:00Z"})
    assert {o["key"] for o in since} == set(answer["conn-2"]["changed"] + answer["conn-2"]["new"])
    assert fresh_api.all_rows(ORDERS, 0, {"filter[updatedAt:gt]": "2026-10-01T00:00:00Z"}) == []


def test_spread_changes_fall_within_the_step_and_are_found_by_time(fresh_api):
    # a day of edits: each changed order has a time of its own, none after the new clock
    answer = fresh_api.post(
        "/_sandbox/advance",
        {
            "changed_fraction": 0.25,
            "step_s": 86400,
            "spread_changes": True,
            "new_purchase_orders": 0,
            "connection_id": "conn-1",
        },
    ).json()["conn-1"]
    after = _snapshot(fresh_api, 0)
    stamps = {after[key]["updatedAt"] for key in answer["changed"]}
    assert answer["clock"] == "2026-10-02T00:00:00Z" and len(answer["changed"]) == 10
    assert len(stamps) > 1 and all("2026-10-01T00:00:00Z" < t <= answer["clock"] for t in stamps)
    for key in answer["changed"]:
        lines = after[key]["lineItems"]
        assert all(line["updatedAt"] <= after[key]["updatedAt"] for line in lines)
    latest = max(stamps)
    since = fresh_api.all_rows(ORDERS, 0, {"filter[updatedAt:gteq]": latest})
    assert {o["key"] for o in since} == {
        k for k in answer["changed"] if after[k]["updatedAt"] == latest
    }


def test_spread_changes_must_be_a_boolean(fresh_api):
    response = fresh_api.post("/_sandbox/advance", {"spread_changes": "yes"})
    assert response.status_code == 422 and "spread_changes" in response.text


def test_clock_moves_and_downtime_grows(fresh_api):
    downtime_before = len(fresh_api.all_rows("/api/eam/assets-downtime"))
    first = fresh_api.post(
        "/_sandbox/advance", {"changed_fraction": 0, "new_purchase_orders": 0}
    ).json()
    second = fresh_api.post(
        "/_sandbox/advance", {"changed_fraction": 0, "new_purchase_orders": 0, "step_s": 86400}
    ).json()
    assert first["conn-1"]["clock"] == "2026-10-01T01:00:00Z"
    assert second["conn-1"]["clock"] == "2026-10-02T01:00:00Z"
    assert len(fresh_api.all_rows("/api/eam/assets-downtime")) > downtime_before
    current = fresh_api.json("/api/integrations/current")["data"]
    assert current["sync_status"] == "done"


def test_bad_advance_requests_are_rejected(fresh_api):
    assert fresh_api.post("/_sandbox/advance", {"changed_fraction": 2}).status_code == 422
    assert fresh_api.post("/_sandbox/advance", {"connection_id": "conn-9"}).status_code == 404
