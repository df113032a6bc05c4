"""The sandbox's Makini API surface: auth, envelope and paging, filters, sorting, lookups."""

from __future__ import annotations

import orjson
import pytest
import requests

from sandbox.makini.world import Sandbox

ORDERS = "/api/erp/purchase-orders"


def test_same_seed_same_data_other_seed_other_data():
    first, again, other = (
        Sandbox(seed=5, connections=2, purchase_orders=30),
        Sandbox(seed=5, connections=2, purchase_orders=30),
        Sandbox(seed=6, connections=2, purchase_orders=30),
    )

    def snapshot(sandbox: Sandbox) -> list[bytes]:
        return [
            conn.identity()["token"].encode()
            + orjson.dumps(conn.ref.vendors)
            + b"".join(conn.orders.json(i) for i in range(len(conn.orders)))
            for conn in sandbox.connections
        ]

    assert snapshot(first) == snapshot(again)
    assert snapshot(first) != snapshot(other)


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc"])
def test_missing_or_unknown_token_is_401(api, header):
    headers = {"Authorization": header} if header else {}
    response = requests.get(f"{api.base_url}{ORDERS}", headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}


def test_token_decides_the_connection(api):
    keys = [{o["key"] for o in api.all_rows(ORDERS, conn)} for conn in range(3)]
    currents = [api.json("/api/integrations/current", conn)["data"]["id"] for conn in range(3)]
    assert currents == ["conn-1", "conn-2", "conn-3"]
    assert not keys[0] & keys[1] and not keys[0] & keys[2] and not keys[1] & keys[2]
    # One connection's order is not found with another's token.
    some_key = next(iter(keys[0]))
    assert api.get(f"{ORDERS}/{some_key}", conn=1).status_code == 404


def test_meta_and_links_on_a_middle_page(api):
    body = api.json(ORDERS, params={"per_page": 25, "page": 2})
    assert body["meta"] == {
        "current_page": 2,
        "from": 26,
        "last_page": 3,
        "path": f"{api.base_url}{ORDERS}",
        "per_page": 25,
        "to": 50,
        "total": 60,
    }
    assert len(body["data"]) == 25
    assert body["links"]["prev"].endswith("per_page=25&page=1")
    assert body["links"]["next"].endswith("per_page=25&page=3")


def test_last_partial_page_and_exactly_one_page(api):
    last = api.json(ORDERS, params={"per_page": 25, "page": 3})
    assert len(last["data"]) == 10 and last["links"]["next"] is None
    assert (last["meta"]["from"], last["meta"]["to"]) == (51, 60)
    single = api.json(ORDERS, params={"per_page": 60})
    assert len(single["data"]) == 60 and single["meta"]["last_page"] == 1
    assert single["links"]["next"] is None and single["links"]["prev"] is None


def test_pages_cover_every_row_once(api):
    pages = [
        api.json(ORDERS, params={"per_page": 7, "page": p, "sort[updatedAt]": 0})["data"]
        for p in range(1, 10)
    ]
    keys = [o["key"] for page in pages for o in page]
    assert len(keys) == len(set(keys)) == 60


def test_empty_result_through_a_filter(api):
    body = api.json(ORDERS, params={"filter[updatedAt:gt]": "2099-01-01"})
    assert body["data"] == []
    assert body["meta"]["total"] == 0 and body["meta"]["last_page"] == 1
    assert body["meta"]["from"] is None and body["meta"]["to"] is None


def test_page_beyond_the_last_is_empty(api):
    body = api.json(ORDERS, params={"per_page": 50, "page": 5})
    assert body["data"] == [] and body["meta"]["total"] == 60


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"per_page": 1001}, "per_page"),
        ({"per_page": 0}, "per_page"),
        ({"page": "x"}, "page"),
        ({"filter[nope]": "1"}, "filter[nope]"),
        ({"filter[key:like]": "1"}, "filter[key:like]"),
        ({"sort[nope]": "0"}, "sort[nope]"),
        ({"sort[key]": "2"}, "sort[key]"),
        ({"filterMatch": "some"}, "filterMatch"),
    ],
)
def test_bad_parameters_are_422_naming_the_parameter(api, params, parameter):
    response = api.get(ORDERS, params=params)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [parameter]


def test_time_filters_compare_as_times(api):
    orders = api.all_rows(ORDERS)
    cutoff = sorted(o["updatedAt"] for o in orders)[30]
    after = api.all_rows(ORDERS, params={"filter[updatedAt:gt]": cutoff})
    at_or_after = api.all_rows(ORDERS, params={"filter[updatedAt:gteq]": cutoff})
    before = api.all_rows(ORDERS, params={"filter[updatedAt:lt]": cutoff})
    upto = api.all_rows(ORDERS, params={"filter[updatedAt:lted]": cutoff})
    assert {o["key"] for o in after} == {o["key"] for o in orders if o["updatedAt"] > cutoff}
    assert len(at_or_after) == len(after) + sum(o["updatedAt"] == cutoff for o in orders)
    assert len(before) + len(at_or_after) == 60
    assert upto == api.all_rows(ORDERS, params={"filter[updatedAt:lteq]": cutoff})
    # A date alone means midnight UTC; an offset is honoured.
    day = cutoff[:10]
    by_date = api.all_rows(ORDERS, params={"filter[updatedAt:gteq]": day})
    by_offset = api.all_rows(ORDERS, params={"filter[updatedAt:gteq]": f"{day}T02:00:00+02:00"})
    assert [o["key"] for o in by_date] == [o["key"] for o in by_offset]


def test_text_filters_and_filter_match(api):
    vendors = api.all_rows("/api/erp/vendors")
    name = vendors[0]["name"]
    exact = api.all_rows("/api/erp/vendors", params={"filter[name]": name})
    assert exact and all(v["name"] == name for v in exact)
    word = name.split()[0]
    contains = api.all_rows("/api/erp/vendors", params={"filter[name:contains]": word.upper()})
    assert {v["key"] for v in contains} == {
        v["key"] for v in vendors if word.lower() in v["name"].lower()
    }
    starts = api.all_rows("/api/erp/vendors", params={"filter[name:startsWith]": word[:3]})
    assert all(v["name"].lower().startswith(word[:3].lower()) for v in starts)
    other = vendors[-1]["key"]
    both = {"filter[key]": vendors[0]["key"], "filter[code]": vendors[-1]["code"]}
    assert api.all_rows("/api/erp/vendors", params={**both, "filterMatch": "all"}) == []
    any_of = api.all_rows("/api/erp/vendors", params={**both, "filterMatch": "any"})
    assert {v["key"] for v in any_of} == {vendors[0]["key"], other}


def test_null_filter_finds_live_rows(api):
    vendors = api.all_rows("/api/erp/vendors")
    live = api.all_rows("/api/erp/vendors", params={"filter[deletedAt]": "null"})
    assert {v["key"] for v in live} == {v["key"] for v in vendors if v["deletedAt"] is None}


@pytest.mark.parametrize("descending", [0, 1])
def test_sort_with_ties_broken_by_key(api, descending):
    rows = api.all_rows(
        "/api/erp/purchase-orders.line-items", params={"sort[statusKey]": descending}
    )
    expected = sorted(rows, key=lambda r: r["key"])
    expected.sort(key=lambda r: r["statusKey"], reverse=bool(descending))
    assert [r["key"] for r in rows] == [r["key"] for r in expected]


def test_order_by_key_and_unknown_key(api):
    order = api.json(ORDERS, params={"per_page": 1})["data"][0]
    assert api.json(f"{ORDERS}/{order['key']}") == {"data": order}
    response = api.get(f"{ORDERS}/99999999999999")
    assert response.status_code == 404 and "99999999999999" in response.json()["message"]


def test_system_connections_list_every_connection(api):
    rows = api.json("/api/system/connections")["data"]
    assert [(r["key"], r["status"], r["integration_name"]) for r in rows] == [
        ("conn-1", "Active", "SAP S/4HANA"),
        ("conn-2", "Active", "IBM Maximo"),
        ("conn-3", "Active", "Oracle NetSuite"),
    ]
    current = api.json("/api/integrations/current", conn=2)["data"]
    assert current["sync_status"] in {"inprogress", "done", "fulldone", "error", "fail"}


def test_keys_are_fourteen_digit_strings_unique_per_connection(api):
    keys = [o["key"] for o in api.all_rows(ORDERS)]
    keys += [line["key"] for line in api.all_rows("/api/erp/purchase-orders.line-items")]
    keys += [v["key"] for v in api.all_rows("/api/erp/vendors")]
    assert all(len(k) == 14 and k.isdigit() for k in keys)
    assert len(keys) == len(set(keys))


def test_text_is_utf8_with_non_ascii_names(api):
    names = " ".join(
        row["name"]
        for c in range(3)
        for path in ("/api/erp/vendors", "/api/erp/purchase-orders.line-items")
        for row in api.all_rows(path, c)
    )
    assert any(ch in names for ch in "äöüÅØæ") and any("\u3040" <= ch <= "\u9fff" for ch in names)


def test_request_log_records_and_clears(fresh_api):
    requests.delete(f"{fresh_api.base_url}/_sandbox/requests", timeout=10)
    fresh_api.get(ORDERS, conn=1, params={"per_page": 5})
    requests.get(f"{fresh_api.base_url}{ORDERS}", timeout=10)
    log = requests.get(f"{fresh_api.base_url}/_sandbox/requests", timeout=10).json()
    assert log == [
        {"method": "GET", "path": ORDERS, "query": "per_page=5", "connection_id": "conn-2"},
        {"method": "GET", "path": ORDERS, "query": "", "connection_id": None},
    ]
    cleared = requests.delete(f"{fresh_api.base_url}/_sandbox/requests", timeout=10).json()
    assert cleared == {"cleared": 2}
