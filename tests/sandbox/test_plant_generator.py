"""The plant database generator: deterministic, realistic enough, and bulk fast."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import sqlalchemy as sa

from sandbox.plant import apply_late_updates, generate
from sandbox.plant.generator import DEFAULT_START


def _rows(url: str, sql: str) -> list[tuple]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        result = list(conn.execute(sa.text(sql)))
    engine.dispose()
    return result


def test_same_seed_same_database(tmp_path):
    first = f"sqlite:///{tmp_path / 'a.db'}"
    second = f"sqlite:///{tmp_path / 'b.db'}"
    assert generate(first, 2, 3, seed=7) == generate(second, 2, 3, seed=7)
    query = "select * from downtime_events order by event_id"
    assert _rows(first, query) == _rows(second, query)
    other = f"sqlite:///{tmp_path / 'c.db'}"
    generate(other, 2, 3, seed=8)
    assert _rows(other, query) != _rows(first, query)


def test_counts_and_calendar(tmp_path):
    url = f"sqlite:///{tmp_path / 'plant.db'}"
    counts = generate(url, lines=3, days=7, seed=1)
    assert counts["lines"] == 3 and counts["reason_codes"] >= 4
    assert all(counts[t] > 0 for t in counts)
    # L01: 3 x 8 h, L02: 2 x 12 h, L03: 2 x 8 h on weekdays only (7 days from a Monday)
    # whole shifts only: Berlin's first starts 05:00 UTC and its last night would end after the
    # 7 days; Chicago's 12 h shifts fit exactly; Suzhou's first weekday shift starts before them
    per_line = dict(_rows(url, "select line_id, count(*) from shifts group by line_id"))
    assert per_line == {"L01": 20, "L02": 14, "L03": 9}
    # counts every 15 minutes of shift time: L01 runs 05:00 UTC on day 1 to 21:00 on day 7
    (periods,) = _rows(url, "select count(*) from production_counts where line_id = 'L01'")
    assert periods[0] == (6 * 24 + 16) * 4


def test_realistic_downtime_mix(tmp_path):
    url = f"sqlite:///{tmp_path / 'plant.db'}"
    generate(url, lines=4, days=14, seed=3)
    categories = Counter(
        dict(
            _rows(
                url,
                "select r.category, count(*) from downtime_events e join reason_codes r "
                "on r.reason_code = e.reason_code group by r.category",
            )
        )
    )
    assert set(categories) == {
        "breakdown",
        "setup_adjustment",
        "planned_excluded",
        "unplanned_other",
    }
    events = _rows(url, "select started_at, ended_at, updated_at from downtime_events")
    as_of = DEFAULT_START + timedelta(days=14)
    parse = datetime.fromisoformat
    closed = [(parse(s), parse(e), parse(u)) for s, e, u in events if e is not None]
    durations = sorted((e - s).total_seconds() for s, e, _ in closed)
    assert durations[0] < 120  # micro stops
    assert durations[-1] > 3600  # long-tailed breakdowns
    assert any(e is None for _, e, _ in events)  # still open at the end
    assert all(u >= e and u <= as_of for _, e, u in closed)
    assert any((u - e).total_seconds() > 3600 for _, e, u in closed)  # late updates
    overlaps = _rows(
        url,
        "select count(*) from downtime_events a join downtime_events b "
        "on a.line_id = b.line_id and a.event_id < b.event_id "
        "and b.started_at < a.ended_at and b.ended_at > a.started_at",
    )
    assert overlaps[0][0] > 0
    crossing = _rows(
        url,
        "select count(*) from downtime_events e join shifts s "
        "on s.line_id = e.line_id and e.started_at < s.ends_at "
        "and e.ended_at > s.ends_at",
    )
    assert crossing[0][0] > 0
    kinds = {k for (k,) in _rows(url, "select distinct kind from quality_events")}
    assert kinds == {"scrap", "rework", "startup"}
    (overrides,) = _rows(
        url, "select count(*) from production_counts where ideal_cycle_time_s is not null"
    )
    assert overrides[0] > 0


def test_late_updates_close_open_events_and_add_counts(tmp_path):
    url = f"sqlite:///{tmp_path / 'plant.db'}"
    generate(url, lines=3, days=2, seed=7)
    (before,) = _rows(url, "select count(*) from downtime_events where ended_at is null")
    changes = apply_late_updates(url)
    assert changes == {"closed_events": before[0], "added_counts": 3}
    (after,) = _rows(url, "select count(*) from downtime_events where ended_at is null")
    assert after[0] == 0
