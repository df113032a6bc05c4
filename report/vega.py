"""Vega-Lite specs rendered to SVG on the server (vl-convert), and the "no data yet" panel.

vl-convert bundles Vega and Vega-Lite with its own JavaScript engine: no browser, no network
(`allowed_base_urls=[]` forbids any fetch) and the same SVG for the same spec. Text stays text,
so charts are sharp in print and searchable. Colours are the Okabe-Ito palette, which stays
distinguishable with the common colour-vision deficiencies; no chart relies on colour alone
(labels, dashes or order carry the same information).
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from html import escape
from pathlib import Path
from typing import IO, Any

# Okabe & Ito (2008), "Color Universal Design"
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#8C8C8C"

# Measured with the Liberation Sans that vl-convert bundles (so layout is the same on every
# machine); Arial and Helvetica have the same metrics. A viewer without any of them gets a
# wider font: PADDING leaves room for that.
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
PADDING = {"left": 24, "right": 24, "top": 6, "bottom": 6}
CONFIG: dict[str, Any] = {
    "background": "white",
    "font": FONT,
    "view": {"stroke": "#cccccc"},
    "title": {"fontSize": 14, "anchor": "start", "subtitleColor": "#444444", "offset": 10},
    "axis": {
        "labelFontSize": 11,
        "titleFontSize": 11,
        "titleFontWeight": "normal",
        "titleColor": "#222222",
        "labelColor": "#222222",
        "gridColor": "#e8e8e8",
    },
    "header": {"labelFontSize": 12, "labelFontWeight": "bold", "labelAnchor": "start"},
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "labelLimit": 220},
}


def render(spec: dict[str, Any], scope: str) -> str:
    """SVG of a Vega-Lite spec; element ids prefixed with `scope` so that several charts can
    share one HTML page (Vega numbers its clip paths from 1 in every chart)."""
    svg = _svg(json.dumps({"config": CONFIG, "padding": PADDING, **spec}, sort_keys=True))
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{scope}-\1"', svg)
    return re.sub(r"url\(#([^)]+)\)", rf"url(#{scope}-\1)", svg)


@functools.lru_cache(maxsize=32)
def _svg(full_spec: str) -> str:
    """Rendering costs far more than the spec: a mart's chart on its asset page and in the report
    written right after it in the same process render once."""
    drawn = _background.render(full_spec) if _background is not None else None
    return drawn if drawn is not None else _render_here(full_spec)


def _render_here(full_spec: str) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(json.loads(full_spec), allowed_base_urls=[])


class _Worker:
    """`vega_worker.py` in a child process: one spec per line in, one JSON answer per line out."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("vega_worker.py"))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.alive = True

    def render(self, full_spec: str) -> str | None:
        """The SVG, or None once the worker is gone (the caller then draws itself)."""
        if not self.alive:
            return None
        stdin, stdout = self._pipes()
        try:
            stdin.write(full_spec + "\n")  # json.dumps writes no line breaks
            stdin.flush()
            answer = json.loads(stdout.readline() or "null")
        except (OSError, ValueError):
            answer = None
        if not isinstance(answer, dict):
            self.close()
            return None
        if "error" in answer:
            raise ValueError(f"vl-convert cannot render the chart: {answer['error']}")
        return answer["svg"]

    def close(self) -> None:
        self.alive = False
        if self.process.stdin:
            with suppress(OSError):  # a worker that died takes no more input
                self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()

    def _pipes(self) -> tuple[IO[str], IO[str]]:
        assert self.process.stdin and self.process.stdout
        return self.process.stdin, self.process.stdout


_background: _Worker | None = None


@contextmanager
def background_engine() -> Iterator[None]:
    """Draw the charts of this block in a child process that starts vl-convert's JavaScript
    engine now (about 0.35 s), while the caller builds the tables the charts show.

    A thread would not do: while the engine starts, vl-convert takes the GIL in bursts that
    stall the caller's many short database calls. Should the child not start or die, charts are
    drawn here. Inside a block that has one running already, the block uses that one.
    """
    global _background
    if _background is not None:
        yield
        return
    try:
        worker = _Worker()
    except OSError:  # no interpreter to start (an embedded Python): draw here
        yield
        return
    _background = worker
    try:
        yield
    finally:
        _background = None
        worker.close()


def no_data_panel(title: str, hint: str) -> str:
    """A plain SVG panel saying there is no data yet (and what would bring some)."""
    title, hint = escape(title), escape(hint)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="110" '
        f'viewBox="0 0 640 110" role="img" aria-label="{title}: no data yet">'
        '<rect x="1" y="1" width="638" height="108" fill="#f6f6f6" stroke="#8c8c8c" '
        'stroke-dasharray="6 4"/>'
        f'<text x="20" y="38" font-family="{FONT}" font-size="15" font-weight="bold" '
        f'fill="#222222">{title}</text>'
        f'<text x="20" y="66" font-family="{FONT}" font-size="14" fill="#222222">'
        "No data yet</text>"
        f'<text x="20" y="88" font-family="{FONT}" font-size="12" fill="#444444">{hint}</text>'
        "</svg>"
    )
