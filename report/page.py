"""The report as one self-contained HTML page: inline CSS and SVG, no script, no external file.

Every figure on the page is also embedded as JSON (`<script type="application/json"
id="report-data">`, never executed), so the numbers can be read back and checked.
"""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING, Any

from report.oee import LOSSES
from report.oee_charts import LOSS_NAMES

if TYPE_CHECKING:
    from report.build import Chart

SECTIONS = {"oee": "Overall equipment effectiveness", "purchasing": "Purchasing"}
STYLE = """
:root { color-scheme: light; }
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; color: #1a1a1a;
  background: #ffffff; max-width: 1180px; margin: 0 auto; padding: 24px; line-height: 1.45; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 12px; padding-bottom: 4px; border-bottom: 2px solid #1a1a1a; }
p.meta, figcaption, p.note { color: #444444; font-size: 14px; }
nav a { margin-right: 16px; color: #0b5394; }
table { border-collapse: collapse; font-size: 14px; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 12px 5px 0; border-bottom: 1px solid #d4d4d4; text-align: left;
  vertical-align: top; }
th { border-bottom: 2px solid #1a1a1a; }
td.num, th.num { text-align: right; }
figure.chart { margin: 12px 0 28px; break-inside: avoid; page-break-inside: avoid; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
.no-data { padding: 12px 16px; border: 1px dashed #8c8c8c; background: #f6f6f6; }
.severity-error { font-weight: bold; }
@page { margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table { break-inside: auto; }
  tr { break-inside: avoid; }
}
"""


def render_page(data: dict[str, Any], charts: list[tuple[Chart, str]]) -> str:
    """The whole page from `report.build.collect`'s figures and each chart's SVG."""
    window = data["window"]
    span = (
        f"OEE charts cover the complete days {window['first_day']} to {window['last_day']}."
        if window
        else "No complete OEE day yet."
    )
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Plant report</title>",
        f"<style>{STYLE}</style></head><body>",
        "<header><h1>Plant report</h1>",
        f'<p class="meta">Built {escape(_utc(data["built_at"]))} from the '
        f"{escape(data['warehouse'])} warehouse. {escape(span)}</p>",
        '<nav><a href="#lines">Lines</a><a href="#oee">OEE</a><a href="#purchasing">Purchasing</a>'
        '<a href="#syncs">Last syncs</a><a href="#checks">Checks</a></nav></header>',
        '<section id="lines"><h2>Lines at a glance</h2>',
        _headline(data["headline"]),
        "</section>",
    ]
    for section, heading in SECTIONS.items():
        parts.append(f'<section id="{section}"><h2>{escape(heading)}</h2>')
        parts += [_figure(chart, svg, data) for chart, svg in charts if chart.section == section]
        parts.append("</section>")
    parts += [
        '<section id="syncs"><h2>Last syncs</h2>',
        _syncs(data["last_syncs"]),
        "</section>",
        '<section id="checks"><h2>Checks</h2>',
        _checks(data["checks"]),
        "</section>",
        '<script type="application/json" id="report-data">',
        # "</" would end the script element early; JSON reads "<\/" as "</"
        json.dumps(data, sort_keys=True).replace("</", "<\\/"),
        "</script></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _figure(chart: Chart, svg: str, data: dict[str, Any]) -> str:
    rows = data["charts"][chart.name]
    note = _spend_note(rows) if chart.name == "po_spend_monthly" else ""
    caption = f"{escape(chart.title)} (from {escape(chart.mart)}).{note}"
    return (
        f'<figure class="chart" id="chart-{chart.name}" data-chart="{chart.name}" '
        f'data-empty="{"false" if rows else "true"}">{svg}<figcaption>{caption}</figcaption>'
        "</figure>"
    )


def _spend_note(rows: list[dict[str, Any]]) -> str:
    unconverted = sum(r["unconverted_lines"] for r in rows)
    if not unconverted:
        return ""
    return (
        f" {unconverted:,} order lines have no exchange rate to their connection's base "
        "currency and are left out."
    )


def _headline(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return '<p class="no-data">No data yet: no line has a complete day.</p>'
    head = (
        "<tr><th>Line</th><th>Last complete day</th><th class='num'>OEE</th>"
        "<th class='num'>Availability</th><th class='num'>Performance</th>"
        "<th class='num'>Quality</th><th class='num'>TEEP</th><th>Worst loss</th>"
        "<th>Top downtime reason</th></tr>"
    )
    body = "".join(
        f"<tr data-line='{escape(row['line_id'])}'><td>{escape(row['line_id'])}</td>"
        f"<td>{escape(row['day'])}</td>"
        + "".join(
            f"<td class='num'>{_percent(row[key])}</td>"
            for key in ("oee", "availability", "performance", "quality", "teep")
        )
        + f"<td>{_worst_loss(row)}</td><td>{_top_reason(row)}</td></tr>"
        for row in rows
    )
    return f"<table>{head}{body}</table>"


def _worst_loss(row: dict[str, Any]) -> str:
    if row["worst_loss"] is None:
        return "none"
    factor = dict(LOSSES)[row["worst_loss"]]
    name = LOSS_NAMES[row["worst_loss"]]
    return f"{escape(name)} ({_hours(row['worst_loss_s'])}, {factor})"


def _top_reason(row: dict[str, Any]) -> str:
    if row["top_reason"] is None:
        return "no downtime"
    return f"{escape(row['top_reason'])} ({_hours(row['top_reason_s'])})"


def _syncs(rows: list[dict[str, Any]]) -> str:
    names = {"makini": "Makini", "oee": "OEE database"}
    body = "".join(
        f"<tr><td>{names[row['source']]}</td><td>{escape(row['connection_id'] or '')}</td>"
        f"<td>{escape(_utc(row['last_synced_at']) if row['last_synced_at'] else 'never')}"
        "</td></tr>"
        for row in rows
    )
    return f"<table><tr><th>Source</th><th>Connection</th><th>Last synced</th></tr>{body}</table>"


def _checks(checks: dict[str, Any]) -> str:
    parts = []
    failed = checks["failed"]
    if not checks["ran"]:
        parts.append("<p>No check could run yet.</p>")
    elif not failed:
        parts.append(f"<p>All {checks['ran']} checks that could run pass.</p>")
    else:
        errors = sum(f["severity"] == "error" for f in failed)
        parts.append(
            f"<p>{len(failed)} of {checks['ran']} checks fail ({errors} errors, "
            f"{len(failed) - errors} warnings).</p>"
        )
        body = "".join(
            f"<tr class='severity-{escape(f['severity'])}'><td>{escape(f['model'])}</td>"
            f"<td>{escape(f['test'])}</td><td>{escape(f['severity'])}</td>"
            f"<td class='num'>{f['failing_rows']:,}</td><td>{escape(f['rule'])}</td></tr>"
            for f in failed
        )
        parts.append(
            "<table><tr><th>Model</th><th>Check</th><th>Severity</th>"
            f"<th class='num'>Failing rows</th><th>Rule</th></tr>{body}</table>"
        )
    if checks["not_built"]:
        models = ", ".join(checks["not_built"])
        not_run = checks["tests"] - checks["ran"]
        parts.append(
            f'<p class="note">{not_run} checks could not run: not built yet: {escape(models)}.</p>'
        )
    return "".join(parts)


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h"


def _utc(iso: str) -> str:
    """`2026-12-02T09:15:46Z` -> `2026-12-02 09:15 UTC`."""
    return iso[:16].replace("T", " ") + " UTC"
