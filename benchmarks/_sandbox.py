"""Shared by the benchmarks: the Makini sandbox in a process of its own (so that serving does not
compete with the measured process), as `plantsync sandbox serve` runs it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_sandbox(workdir: Path, connections: int, orders: int) -> tuple[subprocess.Popen, str]:
    """`plantsync sandbox serve` on a free port; returns the process and its base URL."""
    process = subprocess.Popen(
        [
            sys.executable, "-m", "plantsync", "sandbox", "serve", "--port", "0",
            "--connections", str(connections), "--purchase-orders", str(orders // connections),
            "--connections-file", str(workdir / "connections.json"),
        ],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    line = process.stdout.readline()
    url = re.search(r"http://\S+", line)
    if not url:
        process.kill()
        raise SystemExit(f"the sandbox did not start: {line!r}")
    return process, url.group(0)
