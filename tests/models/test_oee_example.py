"""The published oee.com example, end to end from plant database rows to marts.oee_by_shift.

8-hour shift, 60-minute break (planned production time 420 min), 47 minutes of breakdowns,
ideal cycle time 1.0 s, 19,271 pieces of which 423 rejected.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.models.oee_fixtures import oee_warehouse, rows, ts

SHIFT_START = ts("2026-01-05 06:00")


def _counts() -> list[dict]:
    """32 quarter-hour counts: 31 x 602 + 609 = 19,271 pieces."""
    return [
        {
            "line_id": "L1",
            "product_id": "P1",
            "period_start": SHIFT_START + timedelta(minutes=15 * i),
            "period_end": SHIFT_START + timedelta(minutes=15 * (i + 1)),
            "total_count": 609 if i == 31 else 602,
        }
        for i in range(32)
    ]


@pytest.fixture
def example(tmp_path):
    return oee_warehouse(
        tmp_path,
        shifts=[
            {
                "line_id": "L1",
                "name": "early",
                "starts_at": SHIFT_START,
                "ends_at": ts("2026-01-05 14:00"),
            }
        ],
        downtime_events=[
            {
                "line_id": "L1",
                "started_at": ts("2026-01-05 10:00"),
                "ended_at": ts("2026-01-05 11:00"),
                "reason_code": "BRK",
            },
            {
                "line_id": "L1",
                "started_at": ts("2026-01-05 07:00"),
                "ended_at": ts("2026-01-05 07:30"),
                "reason_code": "BD-MECH",
            },
            {
                "line_id": "L1",
                "started_at": ts("2026-01-05 12:00"),
                "ended_at": ts("2026-01-05 12:17"),
                "reason_code": "BD-ELEC",
            },
        ],
        production_counts=_counts(),
        quality_events=[
            {
                "line_id": "L1",
                "product_id": "P1",
                "occurred_at": ts("2026-01-05 06:10"),
                "quantity": 23,
                "kind": "startup",
            },
            {
                "line_id": "L1",
                "product_id": "P1",
                "occurred_at": ts("2026-01-05 09:00"),
                "quantity": 400,
                "kind": "scrap",
            },
        ],
    )


def test_oee_com_example(example):
    (shift,) = rows(example, "select * from marts.oee_by_shift")
    assert shift["all_time_s"] == 480 * 60
    assert shift["planned_production_time_s"] == 420 * 60
    assert shift["downtime_s"] == 47 * 60
    assert shift["run_time_s"] == 373 * 60
    assert shift["total_count"] == 19_271
    assert shift["good_count"] == 18_848
    assert round(shift["availability"], 6) == 0.888095
    assert round(shift["performance"], 6) == 0.861081
    assert round(shift["quality"], 6) == 0.978050
    assert round(shift["oee"], 6) == 0.747937
    assert round(shift["teep"], 6) == 0.654444
    assert shift["performance_capped"] is False


def test_six_big_losses_reconcile_with_fully_productive_time(example):
    losses = {
        r["loss"]: float(r["seconds"])
        for r in rows(example, "select loss, seconds from marts.six_big_losses")
    }
    assert losses == {
        "breakdowns": 2820.0,
        "setup_adjustments": 0.0,
        "small_stops": 0.0,
        "reduced_speed": 22380.0 - 19271.0,
        "production_rejects": 400.0,
        "startup_rejects": 23.0,
    }
    # planned production time = fully productive time (good x ideal cycle time) + all losses
    assert sum(losses.values()) + 18_848 * 1.0 == 420 * 60
