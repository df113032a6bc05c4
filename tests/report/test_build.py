"""The report page: its figures equal the marts', it references nothing outside itself, an
empty warehouse gives "no data yet" panels, failing checks are listed."""

from __future__ import annotations

import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import pytest

from report import build_report, mart_chart
from report.build import CHARTS
from report.oee import LOSSES
from report.purchasing import OTHER_VENDORS
from warehouse.connections import DuckDBWarehouse, connect

MARTS_CHARTED = {
    "marts.oee_daily",
    "marts.six_big_losses",
    "marts.downtime_pareto",
    "marts.po_spend_monthly",
    "marts.open_po_lines",
}


def embedded_data(page: Path) -> dict[str, Any]:
    """The JSON figures block of a report page."""
    html = page.read_text(encoding="utf-8")
    found = re.search(
        r'<script type="application/json" id="report-data">\n(.*?)\n</script>', html, re.S
    )
    assert found, "the page embeds its figures"
    return json.loads(found.group(1))


def query(wh: DuckDBWarehouse, sql: str) -> list[dict[str, Any]]:
    rows = wh.query(sql)
    return [dict(zip(rows.columns, row, strict=True)) for row in rows]


@pytest.fixture(scope="module")
def page(plant_warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    with DuckDBWarehouse(duckdb.connect(str(plant_warehouse_path), read_only=True)) as wh:
        return build_report(wh, tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def data(page: Path) -> dict[str, Any]:
    return embedded_data(page)


def test_every_mart_chart_is_on_the_page_with_data(page: Path, data: dict) -> None:
    html = page.read_text(encoding="utf-8")
    assert {chart.mart for chart in CHARTS} == MARTS_CHARTED
    for chart in CHARTS:
        assert data["charts"][chart.name], chart.name
        assert f'data-chart="{chart.name}" data-empty="false"><svg' in html


def test_trend_equals_oee_daily(plant_warehouse: DuckDBWarehouse, data: dict) -> None:
    expected = query(
        plant_warehouse,
        "select line_id, cast(day as varchar) as day, oee, availability, performance, quality "
        "from marts.oee_daily order by line_id, day",
    )
    # the fixture's plant was read after its last shift: every day is complete and in the window
    # (ratios are DOUBLEs: they survive the JSON round trip exactly)
    assert data["charts"]["oee_trend"] == expected
    span = query(
        plant_warehouse,
        "select cast(min(day) as varchar) as first_day, cast(max(day) as varchar) as last_day "
        "from marts.oee_daily",
    )
    assert data["window"] == span[0]


def test_losses_equal_six_big_losses(plant_warehouse: DuckDBWarehouse, data: dict) -> None:
    losses = query(
        plant_warehouse,
        "select line_id, loss, sum(seconds) as seconds from marts.six_big_losses group by all",
    )
    times = query(
        plant_warehouse,
        "select line_id, sum(all_time_s) as all_time_s, sum(excluded_s) as excluded_s "
        "from marts.oee_by_shift group by all",
    )
    reported = {row["line_id"]: row for row in data["charts"]["six_big_losses"]}
    assert set(reported) == {row["line_id"] for row in times}
    for row in times:
        assert reported[row["line_id"]]["all_time_s"] == row["all_time_s"]
        assert reported[row["line_id"]]["excluded_s"] == row["excluded_s"]
    for row in losses:
        assert reported[row["line_id"]][row["loss"]] == pytest.approx(float(row["seconds"]))


def test_pareto_equals_downtime_pareto(plant_warehouse: DuckDBWarehouse, data: dict) -> None:
    by_reason = query(
        plant_warehouse,
        "select line_id, reason_code, sum(downtime_s) as downtime_s from marts.downtime_pareto "
        "group by all order by line_id, downtime_s desc, reason_code",
    )
    bars = data["charts"]["downtime_pareto"]
    for line_id in {row["line_id"] for row in by_reason}:
        expected = [r for r in by_reason if r["line_id"] == line_id]
        reported = [b for b in bars if b["line_id"] == line_id]
        total = sum(r["downtime_s"] for r in expected)
        assert sum(b["downtime_s"] for b in reported) == total
        named = [b for b in reported if not b["reason"].startswith("other")]
        assert [(b["reason"], b["downtime_s"]) for b in named] == [
            (r["reason_code"], r["downtime_s"]) for r in expected[: len(named)]
        ]
        assert reported[-1]["cumulative_share"] == pytest.approx(1.0)
        assert [b["rank"] for b in reported] == list(range(1, len(reported) + 1))


def test_spend_equals_po_spend_monthly(plant_warehouse: DuckDBWarehouse, data: dict) -> None:
    expected = query(
        plant_warehouse,
        "select connection_id, base_currency_code, cast(month as varchar) as month, "
        "coalesce(sum(spend_base), 0) as spend_base, "
        "sum(unconverted_line_count) as unconverted_lines "
        "from marts.po_spend_monthly group by all order by all",
    )
    reported: dict[tuple, dict[str, float]] = {}
    for row in data["charts"]["po_spend_monthly"]:
        key = (row["connection_id"], row["base_currency_code"], row["month"])
        slot = reported.setdefault(key, {"spend_base": 0.0, "unconverted_lines": 0})
        slot["spend_base"] += row["spend_base"]
        slot["unconverted_lines"] += row["unconverted_lines"]
    assert reported == {
        (r["connection_id"], r["base_currency_code"], r["month"]): {
            "spend_base": pytest.approx(float(r["spend_base"])),
            "unconverted_lines": r["unconverted_lines"],
        }
        for r in expected
    }
    vendors = query(
        plant_warehouse,
        "select connection_id, cast(month as varchar) as month, vendor_name, "
        "sum(spend_base) as spend_base from marts.po_spend_monthly group by all",
    )
    # the fixture has fewer vendors per connection than the top list: each shown by name
    assert not any(r["vendor"] == OTHER_VENDORS for r in data["charts"]["po_spend_monthly"])
    for row in vendors:
        match = [
            r
            for r in data["charts"]["po_spend_monthly"]
            if (r["connection_id"], r["month"], r["vendor"])
            == (row["connection_id"], row["month"], row["vendor_name"])
        ]
        assert [m["spend_base"] for m in match] == [pytest.approx(float(row["spend_base"] or 0))]


def test_open_lines_equal_open_po_lines(plant_warehouse: DuckDBWarehouse, data: dict) -> None:
    expected = query(
        plant_warehouse,
        "select due_bucket, currency_code, count(*) as lines, sum(open_value) as open_value "
        "from marts.open_po_lines group by all",
    )
    reported = {
        (r["due_bucket"], r["currency_code"]): (r["lines"], r["open_value"])
        for r in data["charts"]["open_po_lines"]
    }
    assert reported == {
        (r["due_bucket"], r["currency_code"]): (r["lines"], pytest.approx(float(r["open_value"])))
        for r in expected
    }


def test_headline_is_each_lines_last_day(plant_warehouse: DuckDBWarehouse, data: dict) -> None:
    days = query(
        plant_warehouse,
        "select line_id, cast(day as varchar) as day, oee, availability, performance, quality, "
        "teep from marts.oee_daily qualify day = max(day) over (partition by line_id) "
        "order by line_id",
    )
    headline = data["headline"]
    assert [{k: h[k] for k in days[0]} for h in headline] == days
    order = [loss for loss, _ in LOSSES]
    for row in headline:
        losses = query(
            plant_warehouse,
            f"select loss, sum(seconds) as seconds from marts.six_big_losses "
            f"where line_id = '{row['line_id']}' and day = '{row['day']}' group by loss",
        )
        worst = max(losses, key=lambda r: (r["seconds"], -order.index(r["loss"])))
        assert (row["worst_loss"], row["worst_loss_s"]) == (
            worst["loss"],
            pytest.approx(float(worst["seconds"])),
        )
        top = query(
            plant_warehouse,
            f"select reason_code, downtime_s from marts.downtime_pareto where reason_rank = 1 "
            f"and line_id = '{row['line_id']}' and day = '{row['day']}'",
        )
        assert (row["top_reason"], row["top_reason_s"]) == (
            (top[0]["reason_code"], top[0]["downtime_s"]) if top else (None, None)
        )


def test_headline_table_shows_the_figures(page: Path, data: dict) -> None:
    html = page.read_text(encoding="utf-8")
    for row in data["headline"]:
        cells = re.search(rf"<tr data-line='{row['line_id']}'>(.*?)</tr>", html).group(1)
        shown = re.findall(r"<td class='num'>([^<]*)</td>", cells)
        keys = ("oee", "availability", "performance", "quality", "teep")
        assert shown == [f"{row[k] * 100:.1f}%" for k in keys]


def test_syncs_and_checks(data: dict) -> None:
    assert data["last_syncs"] == [
        {"source": "makini", "connection_id": "c-jp", "last_synced_at": "2026-03-12T23:30:00Z"},
        {"source": "makini", "connection_id": "c-ns", "last_synced_at": "2026-03-10T06:00:00Z"},
        {"source": "makini", "connection_id": "c-sap", "last_synced_at": "2026-03-10T06:00:00Z"},
        {"source": "oee", "connection_id": None, "last_synced_at": "2026-02-15T00:00:00Z"},
    ]
    checks = data["checks"]
    assert checks["ran"] == checks["tests"] > 100
    assert checks["failed"] == [] and checks["not_built"] == []


class _References(HTMLParser):
    """Every attribute that can make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "srcset", "action", "data", "poster"):
                self.found.append((tag, name, value or ""))


def test_page_references_nothing_outside_itself(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    parser = _References()
    parser.feed(html)
    assert parser.found, "the navigation links are seen"
    for tag, name, value in parser.found:
        assert value.startswith("#"), f"<{tag} {name}={value!r}> leaves the page"
    assert all(ref.startswith("#") for ref in re.findall(r"url\(\s*['\"]?([^)'\"]*)", html))
    assert "@import" not in html
    assert not re.search(r"<(link|iframe|object|embed|img)\b", html)
    assert not re.search(r"<script(?![^>]*type=\"application/json\")", html)


def test_chart_ids_are_unique_on_the_page(page: Path) -> None:
    ids = re.findall(r'\bid="([^"]+)"', page.read_text(encoding="utf-8"))
    assert len(ids) == len(set(ids))


def test_charts_are_the_same_for_the_same_data(plant_warehouse_path: Path, page: Path) -> None:
    with DuckDBWarehouse(duckdb.connect(str(plant_warehouse_path), read_only=True)) as wh:
        again = build_report(wh, page.parent / "again")
    built_at = re.compile(r"(Built |\"built_at\": \")[^ \"]+ ?\S*")
    assert built_at.sub("", again.read_text()) == built_at.sub("", page.read_text())


def test_mart_chart_is_svg_for_charted_marts_only(plant_warehouse: DuckDBWarehouse) -> None:
    for fqn in MARTS_CHARTED:
        svg = mart_chart(plant_warehouse, fqn)
        assert svg.startswith("<svg") and 'class="marks"' in svg, fqn
    assert mart_chart(plant_warehouse, "marts.oee_by_shift") is None
    assert mart_chart(plant_warehouse, "canonical.purchase_orders") is None


def test_empty_warehouse_gives_no_data_panels(tmp_path: Path) -> None:
    with connect("duckdb", duckdb_path=tmp_path / "empty.duckdb") as wh:
        page = build_report(wh, tmp_path / "report")
        panel = mart_chart(wh, "marts.oee_daily")
    html = page.read_text(encoding="utf-8")
    data = embedded_data(page)
    assert all(rows == [] for rows in data["charts"].values())
    assert html.count('data-empty="true">') == len(CHARTS)
    assert html.count("No data yet") == len(CHARTS) + 1  # and the headline table
    assert "No data yet" in panel and "<svg" in panel
    assert data["headline"] == [] and data["window"] is None
    assert [row["last_synced_at"] for row in data["last_syncs"]] == [None, None]
    assert data["checks"]["ran"] == 0 and "marts.oee_daily" in data["checks"]["not_built"]
    assert "No check could run yet." in html and "could not run: not built yet" in html


def test_failing_checks_are_listed(plant_warehouse_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(plant_warehouse_path, path)
    with connect("duckdb", duckdb_path=path) as wh:
        # a day counted twice breaks the mart's uniqueness test
        wh.execute("insert into marts.oee_daily select * from marts.oee_daily limit 1")
        page = build_report(wh, tmp_path / "report")
    failed = embedded_data(page)["checks"]["failed"]
    assert failed == [
        {
            "model": "marts.oee_daily",
            "test": "unique_line_id_day",
            "severity": "error",
            "failing_rows": 1,
            "rule": "(line_id, day) is unique",
        }
    ]
    assert "<td>unique_line_id_day</td><td>error</td>" in page.read_text(encoding="utf-8")


def test_a_running_shift_keeps_its_day_out(plant_warehouse_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(plant_warehouse_path, path)
    with connect("duckdb", duckdb_path=path) as wh:
        wh.execute(
            "update marts.oee_by_shift set is_complete = false where shift_id = (select "
            "max_by(shift_id, shift_start) from marts.oee_by_shift where line_id = 'L01')"
        )
        last = query(wh, "select max(day) as day from marts.oee_by_shift where line_id = 'L01'")
        data = embedded_data(build_report(wh, tmp_path / "report"))
    running_day = str(last[0]["day"])
    trend_days = {(r["line_id"], r["day"]) for r in data["charts"]["oee_trend"]}
    assert ("L01", running_day) not in trend_days
    assert next(h["day"] for h in data["headline"] if h["line_id"] == "L01") < running_day


def test_spend_names_the_top_vendors_and_sums_the_others() -> None:
    from report.purchasing import TOP_VENDORS, spend

    with DuckDBWarehouse(duckdb.connect()) as warehouse:
        warehouse.execute("create schema marts")
        warehouse.execute(
            "create table marts.po_spend_monthly as select 'c1' as connection_id, "
            "'EUR' as base_currency_code, date '2026-11-01' as month, "
            "'V' || i as vendor_key, null as vendor_code, 'Vendor ' || i as vendor_name, "
            "cast(100 * i as decimal(18, 4)) as spend_base, 1 as unconverted_line_count "
            f"from range(1, {TOP_VENDORS + 3}) as t(i)"
        )
        rows = spend(warehouse)

    named = [r["vendor"] for r in rows if r["vendor"] != OTHER_VENDORS]
    assert named == [f"Vendor {i}" for i in range(TOP_VENDORS + 2, 2, -1)]  # largest first
    [other] = [r for r in rows if r["vendor"] == OTHER_VENDORS]
    assert (other["spend_base"], other["unconverted_lines"], other["vendor_rank"]) == (
        300.0,
        2,
        TOP_VENDORS + 1,
    )


def test_runs_that_share_a_report_folder_each_replace_the_page_whole(
    plant_warehouse: DuckDBWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "report"
    replace = os.replace
    interleaved = []

    def another_run_writes_meanwhile(src, dst) -> None:
        # the other run writes its whole page between this one's write and its rename
        if not interleaved:
            interleaved.append(True)
            build_report(plant_warehouse, out)
        replace(src, dst)

    monkeypatch.setattr("report.build.os.replace", another_run_writes_meanwhile)
    build_report(plant_warehouse, out)

    assert interleaved
    assert [p.name for p in out.iterdir()] == ["index.html"]
    assert embedded_data(out / "index.html")["charts"]
