"""Vega-Lite specs of the purchasing charts: monthly spend with top vendors, and open lines by
due date. Each takes the rows of `report.purchasing`.
"""

from __future__ import annotations

from typing import Any

from report.purchasing import DUE_BUCKETS, OTHER_VENDORS, TOP_VENDORS
from report.vega import BLUE, GREY, ORANGE, SKY_BLUE, VERMILLION

# overdue stands out; the later the due date, the calmer the colour
DUE_COLOURS = [VERMILLION, ORANGE, SKY_BLUE, BLUE, GREY]


def spend_spec(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per connection, in its base currency: spend per month, and its top vendors' spend over
    the same months (a few vendors rarely dominate, so they get their own bars instead of thin
    slices of a stack)."""
    charts = []
    for connection_id in dict.fromkeys(r["connection_id"] for r in rows):
        own = [r for r in rows if r["connection_id"] == connection_id]
        currency = own[0]["base_currency_code"] or "base currency unknown"
        vendors = [r for r in own if r["vendor"] != OTHER_VENDORS]
        money = {
            "type": "quantitative",
            "aggregate": "sum",
            "field": "spend_base",
            "title": f"spend ({currency})",
            "axis": {"format": "~s", "tickCount": 5},
        }
        charts.append(
            {
                "title": {"text": f"{connection_id}: spend in {currency}", "fontSize": 12},
                "hconcat": [
                    {
                        "data": {"values": own},
                        "width": 330,
                        "height": 160,
                        "mark": {"type": "bar", "color": BLUE},
                        "encoding": {
                            "x": {
                                "field": "month",
                                "type": "ordinal",
                                "timeUnit": "utcyearmonth",
                                "title": "month",
                                "axis": {"format": "%b %y", "labelAngle": -45},
                            },
                            "y": money,
                        },
                    },
                    {
                        "data": {"values": vendors},
                        "width": 160,
                        "height": {"step": 15},
                        "title": {"text": f"top {TOP_VENDORS} vendors", "fontSize": 11},
                        "mark": {"type": "bar", "color": ORANGE},
                        "encoding": {
                            "y": {
                                "field": "vendor",
                                "type": "nominal",
                                "sort": "-x",
                                "title": None,
                                "axis": {"labelLimit": 170},
                            },
                            "x": money,
                        },
                    },
                ],
            }
        )
    return {
        "title": {
            "text": "Spend per month and connection, and its top vendors",
            "subtitle": "line net before tax, in each connection's base currency",
        },
        "vconcat": charts,
    }


def open_lines_spec(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Open lines per due bucket, then their open value per bucket in each line currency."""
    dues = list(DUE_BUCKETS.values())
    y = {"field": "due", "type": "nominal", "sort": dues, "title": None}
    colour = {
        "field": "due",
        "type": "nominal",
        "scale": {"domain": dues, "range": DUE_COLOURS},
        "legend": None,
    }
    return {
        "title": {
            "text": "Open purchase-order lines by due date",
            "subtitle": "value is open quantity x unit price, before discount and tax",
        },
        "data": {"values": rows},
        "vconcat": [
            {
                "width": 560,
                "height": {"step": 20},
                "mark": {"type": "bar"},
                "encoding": {
                    "y": y,
                    "x": {
                        "field": "lines",
                        "aggregate": "sum",
                        "type": "quantitative",
                        "title": "open lines (count)",
                    },
                    "color": colour,
                },
            },
            {
                "facet": {
                    "field": "currency_code",
                    "type": "nominal",
                    "title": "open value per line currency",
                },
                "columns": 3,
                "spec": {
                    "width": 150,
                    "height": {"step": 14},
                    "mark": {"type": "bar"},
                    "encoding": {
                        "y": y,
                        "x": {
                            "field": "open_value",
                            "type": "quantitative",
                            "title": "open value (currency above)",
                            "axis": {"format": "~s", "tickCount": 3},
                        },
                        "color": colour,
                    },
                },
                "resolve": {"scale": {"x": "independent"}},
            },
        ],
    }
