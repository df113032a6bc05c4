"""The loss waterfall: from all time, down by each loss, to fully productive time."""

from __future__ import annotations

import pytest

from report.oee_charts import waterfall_steps

ROW = {
    "line_id": "L1",
    "all_time_s": 36000,
    "excluded_s": 3600,
    "breakdowns": 1800,
    "setup_adjustments": 900,
    "small_stops": 720,
    "reduced_speed": 1080,
    "production_rejects": 360,
    "startup_rejects": 180,
}


def test_waterfall_walks_from_all_time_to_fully_productive_time() -> None:
    steps = {s["step"]: s for s in waterfall_steps(ROW)}
    assert list(steps) == [
        "All time",
        "Planned stops",
        "Planned production time",
        "Breakdowns",
        "Setup and adjustments",
        "Run time",
        "Small stops",
        "Reduced speed",
        "Net run time",
        "Production rejects",
        "Startup rejects",
        "Fully productive time",
    ]
    assert steps["All time"]["end_h"] == 10
    assert steps["Planned production time"]["end_h"] == 9
    assert steps["Run time"]["end_h"] == pytest.approx(9 - 0.75)
    assert steps["Net run time"]["end_h"] == pytest.approx(9 - 0.75 - 0.5)
    assert steps["Fully productive time"]["end_h"] == pytest.approx(9 - 0.75 - 0.5 - 0.15)
    # each loss hangs from the total before it
    assert (steps["Breakdowns"]["start_h"], steps["Breakdowns"]["end_h"]) == (9, 8.5)
    assert steps["Startup rejects"]["kind"] == "quality loss"
    assert all(s["start_h"] == 0 for s in steps.values() if s["kind"] == "total")
