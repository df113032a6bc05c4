"""`plantsync run`: settings checks, whole-run retries and the summary, through real Dagster."""

from __future__ import annotations

import gc
import sys

import pytest
import requests
from click.testing import CliRunner

from plantsync.run_command import run
from sandbox.makini.server import SandboxServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def sandbox(makini_sandbox, monkeypatch) -> SandboxServer:
    monkeypatch.setenv("PLANTSYNC_HTTP_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("PLANTSYNC_STEP_RETRIES", "0")
    return makini_sandbox(seed=4, connections=2, purchase_orders=40)


def test_missing_connections_setting_is_named(monkeypatch) -> None:
    result = CliRunner().invoke(run, ["--source", "makini"])

    assert result.exit_code != 0
    assert "MAKINI_CONNECTIONS is not set" in str(result.exception)
    assert gc.isenabled()  # paused for the run's loading, on again after it failed


def test_oee_source_needs_no_makini_settings_but_an_existing_database(monkeypatch) -> None:
    monkeypatch.setenv("PLANTSYNC_OEE_DB_URL", "sqlite:///does/not/exist.db")

    result = CliRunner().invoke(run, ["--source", "oee"])

    assert "no such SQLite file" in str(result.exception)
    assert "MAKINI" not in str(result.exception)


def test_failed_run_is_retried_as_a_whole(sandbox, monkeypatch) -> None:
    monkeypatch.setenv("PLANTSYNC_RUN_RETRIES", "1")
    requests.post(
        f"{sandbox.base_url}/_sandbox/faults",
        json={"connection_id": "conn-2", "kind": "server_error", "count": 1},
        timeout=10,
    ).raise_for_status()

    result = CliRunner().invoke(run, ["--source", "makini"])

    assert result.exit_code == 0, result.output
    assert "running it again" in result.output and "retry 1 of 1" in result.output
    assert "raw_makini/purchase_orders" in result.output
    assert "checks:" in result.output and " 0 failed" in result.output


def test_cycle_collector_is_paused_only_while_the_run_loads(sandbox) -> None:
    # whether the collector was on at each collection inside the job's execution (an explicit
    # gc.collect() runs either way)
    enabled_at: list[bool] = []

    def record(phase: str, info: dict) -> None:
        if phase == "stop" and _called_from("execute_in_process"):
            enabled_at.append(gc.isenabled())

    gc.callbacks.append(record)
    try:
        result = CliRunner().invoke(run, ["--source", "makini"])
    finally:
        gc.callbacks.remove(record)

    assert result.exit_code == 0, result.output
    assert enabled_at and all(enabled_at), enabled_at
    assert gc.isenabled()


def _called_from(function: str) -> bool:
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == function:
            return True
        frame = frame.f_back
    return False


def test_run_names_the_failed_connection_and_exits_non_zero(sandbox, monkeypatch) -> None:
    monkeypatch.setenv("PLANTSYNC_RUN_RETRIES", "2")
    requests.post(
        f"{sandbox.base_url}/_sandbox/faults",
        json={"connection_id": "conn-1", "kind": "auth_expired"},
        timeout=10,
    ).raise_for_status()

    result = CliRunner().invoke(run, ["--source", "makini"])

    assert result.exit_code != 0
    assert "conn-1" in result.output and "token rejected" in result.output
    # A rejected token is not retried: one run only.
    assert "running it again" not in result.output
