"""Vega-Lite specs of the OEE charts: the trend, the loss waterfall and the downtime Pareto.

Each takes the rows of `report.oee` and draws one small chart per line (two per row).
"""

from __future__ import annotations

from typing import Any

from report.oee import LOSSES
from report.vega import BLACK, BLUE, GREEN, GREY, ORANGE, PURPLE, VERMILLION

COLUMNS = 2
MEASURES = {
    "oee": ("OEE", BLACK, [1, 0]),
    "availability": ("Availability", BLUE, [6, 3]),
    "performance": ("Performance", ORANGE, [2, 2]),
    "quality": ("Quality", GREEN, [8, 3, 2, 3]),
}
LOSS_NAMES = {
    "breakdowns": "Breakdowns",
    "setup_adjustments": "Setup and adjustments",
    "small_stops": "Small stops",
    "reduced_speed": "Reduced speed",
    "production_rejects": "Production rejects",
    "startup_rejects": "Startup rejects",
}
# the running totals between the losses, after the losses of each factor
TOTAL_AFTER = {
    "setup_adjustments": "Run time",
    "reduced_speed": "Net run time",
    "startup_rejects": "Fully productive time",
}
STEP_KINDS = {
    "total": BLUE,
    "planned stops": GREY,
    "availability loss": VERMILLION,
    "performance loss": ORANGE,
    "quality loss": PURPLE,
}


def _facet(field: str, spec: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "facet": {"field": field, "type": "nominal", "title": None},
        "columns": COLUMNS,
        "spec": spec,
        **extra,
    }


def trend_spec(rows: list[dict[str, Any]], first_day: str, last_day: str) -> dict[str, Any]:
    """Lines of OEE, A, P and Q per day; colour and dash both tell the measures apart."""
    values = [
        {"line_id": row["line_id"], "day": row["day"], "measure": name, "value": row[key]}
        for row in rows
        for key, (name, _, _) in MEASURES.items()
    ]
    names = [name for name, _, _ in MEASURES.values()]
    legend = {
        "title": "measure",
        "orient": "top",
        "symbolType": "stroke",
        "symbolStrokeWidth": 2.5,
        "symbolSize": 400,
    }
    return {
        "title": {
            "text": "OEE, availability, performance and quality per line",
            "subtitle": f"complete days {first_day} to {last_day} (each line's local date)",
        },
        "data": {"values": values},
        **_facet(
            "line_id",
            {
                "width": 380,
                "height": 150,
                "mark": {"type": "line", "strokeWidth": 2},
                "encoding": {
                    "x": {
                        "field": "day",
                        "type": "temporal",
                        "timeUnit": "utcyearmonthdate",
                        "title": "day",
                        "axis": {"format": "%d %b", "labelAngle": 0, "tickCount": 5},
                    },
                    "y": {
                        "field": "value",
                        "type": "quantitative",
                        "title": "percent",
                        "scale": {"domain": [0, 1]},
                        "axis": {"format": ".0%", "tickCount": 5},
                    },
                    "color": {
                        "field": "measure",
                        "type": "nominal",
                        "scale": {"domain": names, "range": [c for _, c, _ in MEASURES.values()]},
                        "legend": legend,
                    },
                    "strokeDash": {
                        "field": "measure",
                        "type": "nominal",
                        "scale": {"domain": names, "range": [d for _, _, d in MEASURES.values()]},
                        "legend": legend,
                    },
                },
            },
        ),
    }


def waterfall_steps(row: dict[str, Any]) -> list[dict[str, Any]]:
    """One line's waterfall in hours: running totals (from 0) and losses (down from the total
    before them), from all time through planned production time to fully productive time."""
    hours = {key: (row[key] or 0) / 3600 for key in ("all_time_s", "excluded_s", *LOSS_NAMES)}
    level = hours["all_time_s"]
    steps = [("All time", "total", 0.0, level)]
    steps.append(("Planned stops", "planned stops", level, level - hours["excluded_s"]))
    level -= hours["excluded_s"]
    steps.append(("Planned production time", "total", 0.0, level))
    for loss, factor in LOSSES:
        steps.append((LOSS_NAMES[loss], f"{factor} loss", level, level - hours[loss]))
        level -= hours[loss]
        if loss in TOTAL_AFTER:
            steps.append((TOTAL_AFTER[loss], "total", 0.0, level))
    return [
        {
            "line_id": row["line_id"],
            "order": order,
            "step": step,
            "kind": kind,
            "start_h": start,
            "end_h": end,
            "hours": abs(start - end),
            "label_h": max(start, end),
        }
        for order, (step, kind, start, end) in enumerate(steps)
    ]


def waterfall_spec(rows: list[dict[str, Any]], first_day: str, last_day: str) -> dict[str, Any]:
    """Horizontal waterfall per line, steps top to bottom, each bar labelled with its hours."""
    values = [step for row in rows for step in waterfall_steps(row)]
    step_order = [s["step"] for s in waterfall_steps(rows[0])]
    y = {"field": "step", "type": "nominal", "sort": step_order, "title": None}
    return {
        "title": {
            "text": "Six big losses: from all time to fully productive time",
            "subtitle": f"hours over complete days {first_day} to {last_day}",
        },
        "data": {"values": values},
        **_facet(
            "line_id",
            {
                "width": 280,
                "height": {"step": 17},
                "layer": [
                    {
                        "mark": {"type": "bar"},
                        "encoding": {
                            "y": y,
                            "x": {
                                "field": "start_h",
                                "type": "quantitative",
                                "title": "hours",
                                "axis": {"format": "~s"},
                            },
                            "x2": {"field": "end_h"},
                            "color": {
                                "field": "kind",
                                "type": "nominal",
                                "scale": {
                                    "domain": list(STEP_KINDS),
                                    "range": list(STEP_KINDS.values()),
                                },
                                "legend": {"title": "step", "orient": "top"},
                            },
                        },
                    },
                    {
                        "mark": {"type": "text", "align": "left", "dx": 3, "fontSize": 10},
                        "encoding": {
                            "y": y,
                            "x": {"field": "label_h", "type": "quantitative"},
                            "text": {"field": "hours", "type": "quantitative", "format": ",.0f"},
                        },
                    },
                ],
            },
        ),
    }


def pareto_spec(rows: list[dict[str, Any]], first_day: str, last_day: str) -> dict[str, Any]:
    """Bars of downtime hours per reason, largest first, and the cumulative share as a line on
    its own percent axis."""
    values = [{**row, "hours": row["downtime_s"] / 3600} for row in rows]
    x = {
        "field": "reason",
        "type": "nominal",
        "sort": {"field": "rank"},
        "title": "reason code",
        "axis": {"labelAngle": -35, "labelLimit": 110},
    }
    return {
        "title": {
            "text": "Downtime Pareto per line",
            "subtitle": (
                f"largest reasons over complete days {first_day} to {last_day}; "
                "bars: hours, line: cumulative share"
            ),
        },
        "data": {"values": values},
        **_facet(
            "line_id",
            {
                "width": 340,
                "height": 160,
                "layer": [
                    {
                        "mark": {"type": "bar", "color": BLUE},
                        "encoding": {
                            "x": x,
                            "y": {
                                "field": "hours",
                                "type": "quantitative",
                                "title": "downtime (hours)",
                            },
                        },
                    },
                    {
                        "mark": {
                            "type": "line",
                            "color": BLACK,
                            "strokeWidth": 2,
                            "point": {"color": BLACK, "size": 25},
                        },
                        "encoding": {
                            "x": x,
                            "y": {
                                "field": "cumulative_share",
                                "type": "quantitative",
                                "title": "cumulative share (%)",
                                "scale": {"domain": [0, 1]},
                                "axis": {"format": ".0%", "orient": "right"},
                            },
                        },
                    },
                ],
                "resolve": {"scale": {"y": "independent"}},
            },
            resolve={"scale": {"x": "independent", "y": "independent"}},
        ),
    }
