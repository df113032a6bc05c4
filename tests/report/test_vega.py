"""Rendering: ids scoped per chart, no network, and the "no data yet" panel."""

from __future__ import annotations

import re

import pytest

from report.vega import no_data_panel, render

FACETED = {
    "data": {"values": [{"line": line, "x": x, "y": x * 2} for line in "AB" for x in range(3)]},
    "facet": {"field": "line", "type": "nominal"},
    "spec": {
        "mark": {"type": "bar", "clip": True},
        "encoding": {
            "x": {"field": "x", "type": "ordinal"},
            "y": {"field": "y", "type": "quantitative"},
        },
    },
}


def test_ids_are_scoped_to_the_chart() -> None:
    svg = render(FACETED, scope="demo")
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith("demo-") for i in ids)
    assert set(re.findall(r"url\(#([^)]+)\)", svg)) <= set(ids)


def test_render_fetches_nothing() -> None:
    spec = {"data": {"url": "https://example.invalid/data.json"}, "mark": "point"}
    with pytest.raises(ValueError):
        render(spec, scope="remote")


def test_no_data_panel_says_so_and_escapes() -> None:
    panel = no_data_panel("Spend <by> vendor", "after the first sync & more")
    assert panel.startswith("<svg") and "No data yet" in panel
    assert "Spend &lt;by&gt; vendor" in panel and "first sync &amp; more" in panel
