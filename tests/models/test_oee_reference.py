"""The SQL marts against a pure-Python reference on a generated plant.

The reference uses interval-set arithmetic (union, difference) instead of the SQL's
event-boundary sweep, so the two only agree when both are right.
"""

from __future__ import annotations

import csv
from datetime import datetime

import pytest
import sqlalchemy as sa

import warehouse
from sandbox.plant import generate
from tests.models.oee_fixtures import MODELS_DIR, OEE_MODELS, build_models, load_plant, rows
from warehouse.data_tests import project_tests

EXTRACTED_AT = datetime(2026, 1, 9, 0, 0)  # the generated plant is read at start + 4 days
Interval = tuple[datetime, datetime]


def union(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def minus(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """a - b for unions a and b."""
    out = []
    for start, end in a:
        pieces = [(start, end)]
        for b_start, b_end in b:
            pieces = [
                part
                for p_start, p_end in pieces
                for part in ((p_start, min(p_end, b_start)), (max(p_start, b_end), p_end))
                if part[1] > part[0]
            ]
        out += pieces
    return out


def seconds(intervals: list[Interval]) -> int:
    return int(sum((end - start).total_seconds() for start, end in intervals))


def clip(start: datetime, end: datetime, lo: datetime, hi: datetime) -> Interval:
    return max(start, lo), min(end, hi)


def reference_by_shift(db_url: str) -> dict[str, dict]:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        fetch = lambda sql: [dict(r._mapping) for r in conn.execute(sa.text(sql))]  # noqa: E731
        shifts = fetch("select * from shifts")
        events = fetch(
            "select e.*, r.category from downtime_events e "
            "join reason_codes r on r.reason_code = e.reason_code"
        )
        counts = fetch(
            "select c.*, coalesce(c.ideal_cycle_time_s, p.ideal_cycle_time_s) as ict "
            "from production_counts c join products p using (product_id)"
        )
        rejects = fetch("select * from quality_events")
    engine.dispose()
    parse = lambda v: datetime.fromisoformat(v) if isinstance(v, str) else v  # noqa: E731
    with open(MODELS_DIR / "seeds" / "oee_settings.csv") as f:
        thresholds = {r["line_id"]: int(r["micro_stop_threshold_s"]) for r in csv.DictReader(f)}
    result = {}
    for shift in shifts:
        lo, hi, line = parse(shift["starts_at"]), parse(shift["ends_at"]), shift["line_id"]
        excluded, down, small = [], [], []
        for e in (e for e in events if e["line_id"] == line):
            start, end = parse(e["started_at"]), parse(e["ended_at"]) or EXTRACTED_AT
            if start >= hi or end <= lo:
                continue
            duration = (end - start).total_seconds()
            target = (
                excluded
                if e["category"] == "planned_excluded"
                else down
                if duration >= thresholds.get(line, 120)
                else small
            )
            target.append(clip(start, end, lo, hi))
        excluded = union(excluded)
        downtime = minus(union(down), excluded)
        small_stops = minus(minus(union(small), excluded), union(downtime))
        total = ideal = 0.0
        for c in (c for c in counts if c["line_id"] == line):
            c_start, c_end = parse(c["period_start"]), parse(c["period_end"])
            overlap = seconds([clip(c_start, c_end, lo, hi)]) if c_start < hi and c_end > lo else 0
            share = overlap / (c_end - c_start).total_seconds()
            total += c["total_count"] * share
            ideal += c["total_count"] * float(c["ict"]) * share
        rejected = sum(
            q["quantity"]
            for q in rejects
            if q["line_id"] == line and lo <= parse(q["occurred_at"]) < hi
        )
        result[str(shift["shift_id"])] = {
            "excluded_s": seconds(excluded),
            "downtime_s": seconds(downtime),
            "small_stop_s": seconds(small_stops),
            "total_count": round(total, 3),
            "ideal_run_time_s": round(ideal, 3),
            "good_count": round(max(total - rejected, 0), 3),
        }
    return result


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("generated")
    db_url = f"sqlite:///{root / 'plant.db'}"
    generate(db_url, lines=3, days=4, seed=5)
    load_plant(db_url, root / "w.duckdb", EXTRACTED_AT, pipelines_dir=root / "pipelines")
    wh = build_models(root / "w.duckdb")
    yield db_url, wh
    wh.close()


def test_shift_times_and_counts_match_the_reference(generated):
    db_url, wh = generated
    expected = reference_by_shift(db_url)
    measured = {
        r["shift_id"]: {
            "excluded_s": r["excluded_s"],
            "downtime_s": r["downtime_s"],
            "small_stop_s": r["small_stop_s"],
            "total_count": round(float(r["total_count"]), 3),
            "ideal_run_time_s": round(float(r["ideal_run_time_s"]), 3),
            "good_count": round(float(r["good_count"]), 3),
        }
        for r in rows(wh, "select * from marts.oee_by_shift")
    }
    assert len(measured) == len(expected) > 20
    mismatched = {k: (measured[k], v) for k, v in expected.items() if measured[k] != v}
    assert not mismatched


def test_generated_plant_passes_every_check(generated):
    _, wh = generated
    project = warehouse.load_project(MODELS_DIR)
    oee_models = [m for m in OEE_MODELS if m.split(".")[1] not in ("assets", "asset_downtime")]
    results = warehouse.run_tests(project, wh, oee_models)
    failed = [(r.test.model, r.test.name, r.rows[:3]) for r in results if r.status == "fail"]
    assert not failed
    # every test of those models ran: none was lost to a typo in a selector or a YAML file
    expected = {(t.model, t.name) for t in project_tests(project, oee_models)}
    assert {(r.test.model, r.test.name) for r in results} == expected
    assert len(expected) >= 40
