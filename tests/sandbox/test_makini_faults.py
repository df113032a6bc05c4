"""Fault injection: each kind hits one connection only, and `none` clears it."""

from __future__ import annotations

import time

import orjson
import pytest
import requests

ORDERS = "/api/erp/purchase-orders"


def _fault(api, **body) -> dict:
    response = requests.post(f"{api.base_url}/_sandbox/faults", json=body, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_rate_limit_for_count_requests_with_retry_after(fresh_api):
    _fault(fresh_api, connection_id="conn-1", kind="rate_limit", count=2, retry_after=7)
    first, second = fresh_api.get(ORDERS), fresh_api.get(ORDERS)
    assert (first.status_code, second.status_code) == (429, 429)
    assert first.headers["Retry-After"] == "7"
    assert fresh_api.get(ORDERS, conn=1).status_code == 200  # others unaffected
    assert fresh_api.get(ORDERS).status_code == 200  # count used up


def test_server_error_count_and_status(fresh_api):
    _fault(fresh_api, connection_id="conn-2", kind="server_error", count=3, status=502)
    codes = [fresh_api.get(ORDERS, conn=1).status_code for _ in range(4)]
    assert codes == [502, 502, 502, 200]


def test_server_error_fraction_is_a_share_until_cleared(fresh_api):
    _fault(fresh_api, connection_id="conn-1", kind="server_error", fraction=0.5)
    codes = [fresh_api.get("/api/erp/uom").status_code for _ in range(40)]
    assert 8 <= codes.count(500) <= 32 and codes.count(200) == 40 - codes.count(500)
    _fault(fresh_api, connection_id="conn-1", kind="none")
    assert all(fresh_api.get("/api/erp/uom").status_code == 200 for _ in range(5))


def test_slow_delays_only_that_connection(fresh_api):
    _fault(fresh_api, connection_id="conn-3", kind="slow", delay_s=0.5)
    started = time.perf_counter()
    assert fresh_api.get("/api/erp/uom", conn=2).status_code == 200
    assert time.perf_counter() - started >= 0.5
    started = time.perf_counter()
    fresh_api.get("/api/erp/uom", conn=0)
    assert time.perf_counter() - started < 0.5


def test_outage_is_503_and_inactive(fresh_api):
    _fault(fresh_api, connection_id="conn-2", kind="outage")
    assert fresh_api.get(ORDERS, conn=1).status_code == 503
    assert fresh_api.get("/api/eam/assets", conn=1).status_code == 503
    assert fresh_api.get(ORDERS, conn=0).status_code == 200
    statuses = {
        c["key"]: c["status"] for c in fresh_api.json("/api/system/connections", conn=1)["data"]
    }
    assert statuses == {"conn-1": "Active", "conn-2": "Inactive", "conn-3": "Active"}
    assert fresh_api.json("/api/integrations/current", conn=1)["data"]["sync_status"] == "error"
    inactive = {"filter[status]": "Inactive"}
    assert [c["key"] for c in fresh_api.json("/api/system/connections", 0, inactive)["data"]] == [
        "conn-2"
    ]
    _fault(fresh_api, connection_id="conn-2", kind="none")
    assert fresh_api.get(ORDERS, conn=1).status_code == 200
    assert fresh_api.json("/api/system/connections", 0, inactive)["data"] == []


def test_auth_expired_is_401_for_that_token(fresh_api):
    _fault(fresh_api, connection_id="conn-1", kind="auth_expired")
    response = fresh_api.get("/api/integrations/current")
    assert response.status_code == 401 and response.json() == {"message": "Unauthenticated."}
    assert fresh_api.get("/api/integrations/current", conn=1).status_code == 200


@pytest.mark.parametrize("mode", ["invalid_json", "envelope"])
def test_malformed_breaks_only_the_named_page(fresh_api, mode):
    _fault(fresh_api, connection_id="conn-1", kind="malformed", page=2, mode=mode)
    assert fresh_api.get(ORDERS, params={"per_page": 10, "page": 1}).json()["data"]
    broken = fresh_api.get(ORDERS, params={"per_page": 10, "page": 2})
    assert broken.status_code == 200
    if mode == "invalid_json":
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(broken.content)
    else:
        assert "data" not in broken.json()
    assert fresh_api.get(ORDERS, conn=1, params={"per_page": 10, "page": 2}).json()["data"]


@pytest.mark.parametrize(("retype", "expected"), [("totalNetValue", float), ("orderDate", int)])
def test_schema_drift_adds_and_retypes_fields(fresh_api, retype, expected):
    _fault(fresh_api, connection_id="conn-3", kind="schema_drift", retype=retype)
    order = fresh_api.json(ORDERS, conn=2, params={"per_page": 1})["data"][0]
    assert isinstance(order[retype], expected) and "sourceSystemVersion" in order
    by_key = fresh_api.json(f"{ORDERS}/{order['key']}", conn=2)["data"]
    assert isinstance(by_key[retype], expected)
    clean = fresh_api.json(ORDERS, conn=0, params={"per_page": 1})["data"][0]
    assert isinstance(clean[retype], str) and "sourceSystemVersion" not in clean


def test_faults_are_listed_and_validated(fresh_api):
    _fault(fresh_api, connection_id="conn-1", kind="slow", delay_s=0)
    _fault(fresh_api, connection_id="conn-2", kind="rate_limit", count=5)
    listing = requests.get(f"{fresh_api.base_url}/_sandbox/faults", timeout=10).json()
    assert [f["kind"] for f in listing["conn-1"]] == ["slow"]
    assert listing["conn-2"][0]["remaining"] == 5
    bad = requests.post(
        f"{fresh_api.base_url}/_sandbox/faults",
        json={"connection_id": "conn-1", "kind": "meteor"},
        timeout=10,
    )
    assert bad.status_code == 422 and "meteor" in bad.json()["message"]
    unknown = requests.post(
        f"{fresh_api.base_url}/_sandbox/faults",
        json={"connection_id": "conn-7", "kind": "none"},
        timeout=10,
    )
    assert unknown.status_code == 404


def test_control_body_must_be_a_json_object(fresh_api):
    for raw in (b"{not json", b"[1, 2]"):
        response = requests.post(f"{fresh_api.base_url}/_sandbox/faults", data=raw, timeout=10)
        assert response.status_code == 400 and "JSON" in response.json()["message"]
