"""Rendering: ids scoped per chart, no network, the "no data yet" panel, and the engine in a
process of its own."""

from __future__ import annotations

import re

import pytest

from report import vega
from report.vega import background_engine, no_data_panel, render

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


def _titled(title: str) -> dict:
    """FACETED under a title of its own: renders are cached by spec."""
    return {**FACETED, "title": title}


def test_the_background_engine_draws_what_this_process_draws() -> None:
    here = render(_titled("drawn here"), scope="demo")
    vega._svg.cache_clear()
    with background_engine():
        worker = vega._background
        assert worker is not None and worker.process.poll() is None
        # the same chart; Vega numbers clip paths per engine, so those differ
        drawn = render(_titled("drawn here"), scope="demo")
        assert re.sub(r"clip\d+", "clip", drawn) == re.sub(r"clip\d+", "clip", here)
        with pytest.raises(ValueError, match="vl-convert cannot render"):
            render({"data": {"url": "https://example.invalid/d.json"}, "mark": "point"}, "x")
        assert worker.alive  # a spec it cannot draw does not end it
    assert worker.process.returncode == 0 and vega._background is None


def test_charts_are_drawn_here_when_the_background_engine_dies() -> None:
    with background_engine():
        worker = vega._background
        worker.process.kill()
        worker.process.wait()
        svg = render(_titled("after the worker died"), scope="demo")
        assert svg.startswith("<svg") and not worker.alive


def test_charts_are_drawn_here_when_no_background_engine_can_start(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr("sys.executable", str(tmp_path / "no-python-here"))
    with background_engine():
        assert vega._background is None
        assert render(_titled("no worker"), scope="demo").startswith("<svg")


def test_a_block_inside_a_running_engine_uses_it_and_leaves_it_running() -> None:
    with background_engine():
        outer = vega._background
        with background_engine():  # the models step inside `plantsync run`
            assert vega._background is outer
            assert render(_titled("inner block"), scope="demo").startswith("<svg")
        assert vega._background is outer and outer.process.poll() is None
    assert outer.process.returncode == 0 and vega._background is None
