"""Each OEE convention of docs/oee.md against hand-computed expectations.

One plant, one production line per convention (lines are independent in every OEE model), built
row by row, loaded through the OEE source and modelled by the engine once for the module.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

import warehouse
from tests.models.oee_fixtures import MODELS_DIR, OEE_MODELS, oee_warehouse, rows, ts

# Extraction happens while line O's shift runs: its open stops end here.
EXTRACTED_AT = ts("2026-01-10 13:40")
EARLY = ("2026-01-05 06:00", "2026-01-05 14:00")


def _line(line_id: str, timezone: str = "UTC") -> dict:
    return {"line_id": line_id, "site": "Test", "name": line_id, "timezone": timezone}


def _shift(line_id: str, start: str, end: str, name: str = "shift") -> dict:
    return {"line_id": line_id, "name": name, "starts_at": ts(start), "ends_at": ts(end)}


def _stop(line_id: str, start: str, end: str | None, reason: str) -> dict:
    return {
        "line_id": line_id,
        "started_at": ts(start),
        "ended_at": ts(end) if end else None,
        "reason_code": reason,
        "updated_at": ts(end or start),
    }


def _count(line_id: str, start: datetime, end: datetime, total: int, ict: float | None = None):
    return {
        "line_id": line_id,
        "product_id": "P1",
        "period_start": start,
        "period_end": end,
        "total_count": total,
        "ideal_cycle_time_s": ict,
    }


def _reject(line_id: str, at: str, quantity: int, kind: str = "scrap") -> dict:
    return {
        "line_id": line_id,
        "product_id": "P1",
        "occurred_at": ts(at),
        "quantity": quantity,
        "kind": kind,
    }


def _quarter_hours(start: str, count: int) -> list[tuple[datetime, datetime]]:
    first = ts(start)
    return [
        (first + timedelta(minutes=15 * i), first + timedelta(minutes=15 * (i + 1)))
        for i in range(count)
    ]


PLANT = {
    "lines": [_line(x) for x in ("U", "M", "M30", "S", "O", "X", "P", "Z", "D")]
    + [_line("C", "America/Chicago")],
    "shifts": [
        _shift("U", *EARLY),
        _shift("M", *EARLY),
        _shift("M30", *EARLY),
        _shift("S", *EARLY, "early"),
        _shift("S", "2026-01-05 14:00", "2026-01-05 22:00", "late"),
        _shift("S", "2026-01-05 22:00", "2026-01-06 06:00", "night"),
        _shift("O", "2026-01-09 22:00", "2026-01-10 06:00", "night"),
        _shift("O", "2026-01-10 06:00", "2026-01-10 14:00", "early"),
        _shift("X", *EARLY),
        _shift("P", *EARLY),
        _shift("Z", *EARLY, "no_production"),
        _shift("Z", "2026-01-05 14:00", "2026-01-05 22:00", "fully_down"),
        _shift("Z", "2026-01-05 22:00", "2026-01-06 06:00", "fully_excluded"),
        _shift("D", *EARLY, "long"),
        _shift("D", "2026-01-05 14:00", "2026-01-05 18:00", "short"),
        _shift("C", "2026-01-06 03:00", "2026-01-06 07:00", "evening"),
        _shift("C", "2026-01-06 07:00", "2026-01-06 11:00", "night"),
    ],
    "downtime_events": [
        # U: three overlapping stops, union 07:00-08:00
        _stop("U", "2026-01-05 07:00", "2026-01-05 07:30", "BD-MECH"),
        _stop("U", "2026-01-05 07:20", "2026-01-05 07:50", "BD-ELEC"),
        _stop("U", "2026-01-05 07:45", "2026-01-05 08:00", "NOMAT"),
        # M and M30 (threshold 30 s): 60 s, 119 s, 120 s stops, a 60 s stop inside a breakdown
        *[
            _stop(line, start, end, reason)
            for line in ("M", "M30")
            for start, end, reason in (
                ("2026-01-05 08:00:00", "2026-01-05 08:01:00", "JAM"),
                ("2026-01-05 09:00:00", "2026-01-05 09:01:59", "JAM"),
                ("2026-01-05 10:00:00", "2026-01-05 10:02:00", "JAM"),
                ("2026-01-05 11:00:00", "2026-01-05 11:30:00", "BD-MECH"),
                ("2026-01-05 11:10:00", "2026-01-05 11:11:00", "SENSOR"),
            )
        ],
        # S: a breakdown crossing 14:00, a 100 s micro stop crossing 22:00
        _stop("S", "2026-01-05 13:30", "2026-01-05 14:45", "BD-MECH"),
        _stop("S", "2026-01-05 21:59:00", "2026-01-05 22:00:40", "JAM"),
        # O: still open at extraction, one since the night shift
        _stop("O", "2026-01-10 05:00", None, "BD-ELEC"),
        _stop("O", "2026-01-10 13:00", None, "BD-MECH"),
        # X: a break overlapping a breakdown, two overlapping planned windows
        _stop("X", "2026-01-05 10:00", "2026-01-05 10:30", "BRK"),
        _stop("X", "2026-01-05 10:15", "2026-01-05 10:45", "BD-MECH"),
        _stop("X", "2026-01-05 12:00", "2026-01-05 13:00", "PM"),
        _stop("X", "2026-01-05 12:30", "2026-01-05 13:30", "MEET"),
        # Z: one shift fully down, one fully excluded
        _stop("Z", "2026-01-05 14:00", "2026-01-05 22:00", "BD-MECH"),
        _stop("Z", "2026-01-05 22:00", "2026-01-06 06:00", "PM"),
        # D: the short shift is down half the time
        _stop("D", "2026-01-05 14:00", "2026-01-05 16:00", "BD-PNEU"),
    ],
    "production_counts": [
        # P: 31 x 1000 pieces at the product's 1.0 s, 500 at an overriding 2.0 s -> 32,000 s
        *[_count("P", s, e, 1000) for s, e in _quarter_hours("2026-01-05 06:00", 31)],
        _count("P", ts("2026-01-05 13:45"), ts("2026-01-05 14:00"), 500, ict=2.0),
        # D: 1000 good pieces in the long shift, 100 of which 50 rejected in the short one
        _count("D", ts("2026-01-05 06:00"), ts("2026-01-05 14:00"), 1000),
        _count("D", ts("2026-01-05 14:00"), ts("2026-01-05 18:00"), 100),
        # C: one period spanning both shifts, shared by overlap
        _count("C", ts("2026-01-06 06:00"), ts("2026-01-06 08:00"), 1200),
    ],
    "quality_events": [_reject("D", "2026-01-05 15:00", 50)],
}


@pytest.fixture(scope="module")
def oee(tmp_path_factory) -> warehouse.Warehouse:
    wh = oee_warehouse(
        tmp_path_factory.mktemp("conventions"),
        extracted_at=EXTRACTED_AT,
        micro_stop_thresholds={"M30": 30},
        **PLANT,
    )
    yield wh
    wh.close()


def _shifts(wh: warehouse.Warehouse, line_id: str) -> list[dict]:
    return rows(
        wh, f"select * from marts.oee_by_shift where line_id = '{line_id}' order by shift_start"
    )


def test_overlapping_downtime_counts_once(oee):
    (shift,) = _shifts(oee, "U")
    assert shift["downtime_s"] == 3600
    assert shift["run_time_s"] == 8 * 3600 - 3600


def test_pareto_attributes_overlaps_to_the_first_stop_and_sums_to_union(oee):
    pareto = rows(
        oee, "select * from marts.downtime_pareto where line_id = 'U' order by reason_rank"
    )
    assert [(r["reason_code"], r["downtime_s"], r["events"]) for r in pareto] == [
        ("BD-MECH", 1800, 1),
        ("BD-ELEC", 1200, 1),
        ("NOMAT", 600, 1),
    ]
    assert [round(r["share"], 6) for r in pareto] == [0.5, 0.333333, 0.166667]
    assert [round(r["cumulative_share"], 6) for r in pareto] == [0.5, 0.833333, 1.0]
    assert {r["day_downtime_s"] for r in pareto} == {3600}


def test_micro_stops_stay_in_run_time(oee):
    (shift,) = _shifts(oee, "M")
    # 60 s and 119 s are small stops; 120 s reaches the threshold; the 60 s stop inside the
    # breakdown is covered by it
    assert shift["small_stop_s"] == 60 + 119
    assert shift["downtime_s"] == 120 + 1800
    assert shift["run_time_s"] == 8 * 3600 - 1920
    losses = {
        r["loss"]: float(r["seconds"])
        for r in rows(oee, "select loss, seconds from marts.six_big_losses where line_id = 'M'")
    }
    assert losses["small_stops"] == 179.0
    assert losses["breakdowns"] == 1920.0


def test_micro_stop_threshold_is_per_line(oee):
    (shift,) = _shifts(oee, "M30")
    assert shift["small_stop_s"] == 0
    assert shift["downtime_s"] == 60 + 119 + 120 + 1800


def test_events_are_split_at_shift_boundaries(oee):
    early, late, night = _shifts(oee, "S")
    assert (early["downtime_s"], late["downtime_s"], night["downtime_s"]) == (1800, 2700, 0)
    # the whole 100 s stop is a micro stop (its full length decides), shared 60 s / 40 s
    assert (late["small_stop_s"], night["small_stop_s"]) == (60, 40)


def test_open_events_end_at_extraction(oee):
    night, early = _shifts(oee, "O")
    assert night["downtime_s"] == 3600
    # the first stop runs on through the second and covers it up to extraction (13:40)
    assert early["downtime_s"] == 7 * 3600 + 40 * 60
    assert early["is_complete"] is False and night["is_complete"] is True
    events = rows(oee, "select * from canonical.downtime_events where line_id = 'O'")
    assert {e["ended_at"] for e in events} == {EXTRACTED_AT}
    assert all(e["is_open"] for e in events)


def test_excluded_time_is_removed_before_downtime(oee):
    (shift,) = _shifts(oee, "X")
    # break 10:00-10:30 and planned 12:00-13:30 (two overlapping windows) are excluded
    assert shift["excluded_s"] == 1800 + 5400
    assert shift["planned_production_time_s"] == 8 * 3600 - 7200
    # the breakdown 10:15-10:45 counts only after the break: 10:30-10:45
    assert shift["downtime_s"] == 900
    assert round(shift["availability"], 6) == round(20700 / 21600, 6)
    pareto = rows(
        oee, "select reason_code, downtime_s from marts.downtime_pareto where line_id = 'X'"
    )
    assert pareto == [{"reason_code": "BD-MECH", "downtime_s": 900}]


def test_performance_above_one_is_capped_and_flagged(oee):
    (shift,) = _shifts(oee, "P")
    assert float(shift["ideal_run_time_s"]) == 31 * 1000 * 1.0 + 500 * 2.0
    assert round(shift["performance_raw"], 6) == round(32000 / 28800, 6)
    assert shift["performance"] == 1.0
    assert shift["performance_capped"] is True
    assert shift["oee"] == 1.0


def test_zero_production_and_down_shifts_give_nulls(oee):
    no_production, fully_down, fully_excluded = _shifts(oee, "Z")
    assert no_production["total_count"] == 0
    assert no_production["availability"] == 1.0
    assert no_production["quality"] is None and no_production["oee"] is None
    assert fully_down["availability"] == 0.0
    assert fully_down["run_time_s"] == 0
    assert fully_down["performance_raw"] is None and fully_down["oee"] is None
    assert fully_excluded["planned_production_time_s"] == 0
    assert fully_excluded["availability"] is None and fully_excluded["teep"] is None


def test_daily_roll_up_recomputes_from_sums(oee):
    long, short = _shifts(oee, "D")
    assert (long["availability"], short["availability"]) == (1.0, 0.5)
    assert (long["quality"], short["quality"]) == (1.0, 0.5)
    (day,) = rows(oee, "select * from marts.oee_daily where line_id = 'D'")
    assert round(day["availability"], 6) == round(36000 / 43200, 6)  # not the mean, 0.75
    assert round(day["quality"], 6) == round(1050 / 1100, 6)  # not the mean, 0.75
    assert day["shifts"] == 2


def test_day_is_the_lines_local_date_and_counts_are_shared_by_overlap(oee):
    evening, night = _shifts(oee, "C")
    # 03:00 UTC is 21:00 the day before in Chicago
    assert str(evening["day"]) == "2026-01-05" and str(night["day"]) == "2026-01-06"
    assert (evening["total_count"], night["total_count"]) == (600, 600)


def test_yaml_checks_pass(oee):
    project = warehouse.load_project(MODELS_DIR)
    oee_models = [m for m in OEE_MODELS if m.split(".")[1] not in ("assets", "asset_downtime")]
    results = warehouse.run_tests(project, oee, oee_models)
    failed = [(r.test.model, r.test.name, r.rows[:3]) for r in results if r.status == "fail"]
    assert results and not failed
