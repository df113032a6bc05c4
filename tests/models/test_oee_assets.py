"""Asset reliability and maintenance spend against downtime, from Makini EAM rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.models.oee_fixtures import oee_warehouse, rows

EXTRACTED = datetime(2026, 2, 15, tzinfo=UTC)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _downtime(key: str, asset: str, start: str, end: str | None, category: str) -> dict:
    return {
        "connection_id": "c1",
        "key": key,
        "asset_key": asset,
        "started_at": _at(start),
        "ended_at": _at(end) if end else None,
        "category_name": category,
        "description": category,
        "_extracted_at": EXTRACTED,
    }


@pytest.fixture(scope="module")
def assets_wh(tmp_path_factory):
    wh = oee_warehouse(
        tmp_path_factory.mktemp("assets"),
        makini_assets=[
            {"connection_id": "c1", "key": "A1", "name": "Filler", "_extracted_at": EXTRACTED},
            {"connection_id": "c1", "key": "A2", "name": "Capper", "_extracted_at": EXTRACTED},
        ],
        makini_downtime=[
            _downtime("d1", "A1", "2026-01-10 00:00", "2026-01-10 02:00", "Breakdown"),
            _downtime("d2", "A1", "2026-01-10 01:00", "2026-01-10 03:00", "Preventive maintenance"),
            _downtime("d3", "A1", "2026-01-20 00:00", "2026-01-20 01:00", "Breakdown"),
            _downtime("d4", "A1", "2026-01-31 23:00", "2026-02-01 01:00", "Failure"),
            _downtime("d5", "A2", "2026-02-14 00:00", None, "Electrical fault"),
        ],
        po_lines=[
            {"connection_id": "c1", "asset_key": "A1", "line_net": 100},
            {"connection_id": "c1", "asset_key": "A1", "line_net": 50},
            {"connection_id": "c1", "asset_key": "A1", "line_net": 30, "currency_code": "USD"},
            {"connection_id": "c1", "asset_key": "A1", "line_net": 1000, "status": "cancelled"},
            {"connection_id": "c1", "asset_key": "A1", "line_net": 999, "is_deleted": True},
            {"connection_id": "c1", "asset_key": "A3", "line_net": 10},
        ],
    )
    yield wh
    wh.close()


def test_canonical_downtime_maps_makini_categories(assets_wh):
    events = {
        e["event_id"]: e
        for e in rows(assets_wh, "select * from canonical.downtime_events where source = 'makini'")
    }
    assert {k: e["category"] for k, e in events.items()} == {
        "c1:d1": "breakdown",
        "c1:d2": "planned_excluded",
        "c1:d3": "breakdown",
        "c1:d4": "breakdown",
        "c1:d5": "breakdown",
    }
    assert events["c1:d5"]["is_open"] and events["c1:d5"]["duration_s"] == 86_400


def test_reliability_per_asset_and_month(assets_wh):
    months = {
        (r["asset_key"], str(r["month"])): r
        for r in rows(assets_wh, "select * from marts.asset_reliability")
    }
    january = months[("A1", "2026-01-01")]
    # union downtime: 00:00-03:00 on the 10th, 1 h on the 20th, the last hour of the month
    assert january["downtime_s"] == 10_800 + 3_600 + 3_600
    assert january["failures"] == 3
    assert january["repair_time_s"] == 7_200 + 3_600 + 7_200
    assert january["operating_time_s"] == 31 * 86_400 - 18_000
    assert january["mtbf_s"] == (31 * 86_400 - 18_000) / 3
    assert january["mttr_s"] == 6_000
    assert round(january["inherent_availability"], 6) == round(
        (31 * 86_400 - 18_000) / (31 * 86_400 - 18_000 + 18_000), 6
    )
    february = months[("A1", "2026-02-01")]
    assert february["period_s"] == 14 * 86_400  # up to the extraction
    assert february["downtime_s"] == 3_600 and february["failures"] == 0
    assert february["mtbf_s"] is None and february["inherent_availability"] is None


def test_spend_against_downtime_per_currency(assets_wh):
    spend = {
        (r["asset_key"], r["currency_code"]): r
        for r in rows(assets_wh, "select * from marts.asset_maintenance_cost_vs_downtime")
    }
    eur, usd = spend[("A1", "EUR")], spend[("A1", "USD")]
    assert (eur["po_lines"], float(eur["po_spend_net"])) == (2, 150.0)
    assert eur["downtime_s"] == 21_600 and eur["asset_name"] == "Filler"
    assert eur["spend_per_downtime_hour"] == 25.0
    assert usd["spend_per_downtime_hour"] == 5.0
    assert spend[("A3", "EUR")]["spend_per_downtime_hour"] is None
    assert spend[("A2", None)]["downtime_s"] == 86_400
