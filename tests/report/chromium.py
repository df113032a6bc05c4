"""Open a page in headless Chromium and report what a reader's browser would see.

A small DevTools-protocol client (the `websockets` package): it records console errors,
uncaught exceptions, browser log errors and every network request, then measures each chart
on the rendered page. Debian's `chromium` package; `.ci/run` installs it where missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--remote-debugging-port=0",
    "--window-size=1280,1000",
)
# Per figure: is it marked empty, its size, and the drawn marks (Vega's `role-mark` groups, or
# the "no data yet" panel's shapes) that have a non-zero size on screen.
MEASURE_CHARTS = """
[...document.querySelectorAll("figure.chart")].map((figure) => {
  const svg = figure.querySelector("svg");
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const shapes = svg ? [...svg.querySelectorAll(".role-mark > path, .role-mark > line, "
      + ".role-mark > rect, .role-mark > text")] : [];
  const drawn = shapes.filter((s) => {
    const r = s.getBoundingClientRect();
    return r.width > 0 || r.height > 0;
  });
  return {
    chart: figure.dataset.chart,
    empty: figure.dataset.empty === "true",
    width: box.width,
    height: box.height,
    drawn_marks: drawn.length,
    text: figure.innerText,
  };
})
"""


@dataclass
class PageVisit:
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)


def chromium_or_skip() -> str:
    """The chromium binary; a missing one skips the test, or fails it in CI."""
    binary = shutil.which("chromium")
    if binary is None:
        message = "chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI requires it")
        pytest.skip(message)
    return binary


def visit(binary: str, page: Path, settle_s: float = 1.0) -> PageVisit:
    """Load `page` (file://), wait until it has loaded and settled, measure its charts."""
    from websockets.sync.client import connect

    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            port = _devtools_port(process)
            targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json").read())
            socket_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
            with connect(socket_url, max_size=None) as socket:
                session = _Session(socket)
                for domain in ("Page", "Runtime", "Log", "Network"):
                    session.call(f"{domain}.enable")
                session.call("Page.navigate", url=page.resolve().as_uri())
                session.wait_for("Page.loadEventFired", timeout_s=30)
                session.drain(settle_s)
                result = session.call(
                    "Runtime.evaluate", expression=MEASURE_CHARTS, returnByValue=True
                )
                session.visit.charts = result["result"]["value"]
                return session.visit
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)


def _devtools_port(process: subprocess.Popen) -> int:
    deadline = time.monotonic() + 30
    assert process.stderr is not None
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        found = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
        if found:
            return int(found.group(1))
    raise RuntimeError("chromium did not start its DevTools endpoint")


class _Session:
    """Commands in order; every event that arrives meanwhile is recorded."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.next_id = 0
        self.visit = PageVisit()

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=30))
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._record(message)

    def wait_for(self, event: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            message = json.loads(self.socket.recv(timeout=deadline - time.monotonic()))
            self._record(message)
            if message.get("method") == event:
                return
        raise TimeoutError(event)

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                self._record(json.loads(self.socket.recv(timeout=left)))
            except TimeoutError:
                return

    def _record(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
            self.visit.console_errors.append(text)
        elif method == "Runtime.exceptionThrown":
            self.visit.console_errors.append(params["exceptionDetails"]["text"])
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.visit.console_errors.append(params["entry"]["text"])
        elif method == "Network.requestWillBeSent":
            self.visit.requests.append(params["request"]["url"])
