"""The project's commands as users start them: a process of their own, and stopping the
process groups that Dagster's servers start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def plantsync(
    *args: str, cwd: Path = ROOT, timeout: float = 600, **env: str
) -> subprocess.CompletedProcess:
    """`python -m plantsync ARGS` in `cwd`, with the test's environment plus `env`."""
    return subprocess.run(
        [sys.executable, "-m", "plantsync", *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def last_line(done: subprocess.CompletedProcess) -> str:
    """The last line on stderr: where a failing command says why."""
    return done.stderr.strip().splitlines()[-1]


def stop_group(process: subprocess.Popen, grace_s: float = 20) -> None:
    """Ctrl-C to a process group (Dagster's servers stop cleanly on it; SIGTERM they ignore),
    then SIGKILL for what is left after `grace_s`."""
    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        process.wait()
