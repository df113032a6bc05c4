"""The Makini ingest through real Dagster jobs against the sandbox."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import requests

from assets.definitions import build_definitions
from assets.makini_ingest import makini_run_config
from pipelines.makini.tables import RAW_TABLES
from sandbox.makini.server import SandboxServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sandbox(makini_sandbox, monkeypatch: pytest.MonkeyPatch) -> SandboxServer:
    monkeypatch.setenv("PLANTSYNC_HTTP_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("PLANTSYNC_STEP_RETRIES", "2")
    return makini_sandbox(seed=5, connections=2, purchase_orders=60)


def _run_ingest(instance: dg.DagsterInstance, tables=("purchase_orders",), connections=()):
    """One run of the ingest over every connection (or just `connections`)."""
    job = build_definitions().resolve_job_def("makini_sync_job")
    selection = [dg.AssetKey(["raw_makini", t]) for t in tables]
    return job.execute_in_process(
        instance=instance,
        asset_selection=selection,
        run_config=makini_run_config(connections),
        raise_on_error=False,
    )


def _events(result, event_type: dg.DagsterEventType) -> list:
    return [e for e in result.all_events if e.event_type == event_type]


def test_definitions_load_without_settings() -> None:
    defs = build_definitions()

    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {f"raw_makini/{t}" for t in RAW_TABLES} <= keys
    assert defs.resolve_job_def("sync_all_job").name == "sync_all_job"


@pytest.mark.slow
def test_code_location_validates() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.slow
def test_ingest_job_materializes_every_raw_table(sandbox, duckdb_path) -> None:
    with dg.instance_for_test() as instance:
        result = _run_ingest(instance, tables=RAW_TABLES)

    assert result.success
    materialized = {
        e.event_specific_data.materialization.asset_key.path[-1]: e.event_specific_data
        for e in _events(result, dg.DagsterEventType.ASSET_MATERIALIZATION)
    }
    assert set(materialized) == set(RAW_TABLES)
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        (orders,) = con.execute("select count(*) from raw_makini.purchase_orders").fetchone()
    assert orders == 120
    metadata = materialized["purchase_orders"].materialization.metadata
    assert metadata["rows_loaded"].value == 120
    assert metadata["rows_by_connection"].value == {"conn-1": 60, "conn-2": 60}


@pytest.mark.slow
def test_rejected_token_fails_the_step_without_retrying(sandbox, monkeypatch) -> None:
    connections = sandbox.connections_json().replace(sandbox.connections[1]["token"], "revoked")
    monkeypatch.setenv("MAKINI_CONNECTIONS", connections)

    with dg.instance_for_test() as instance:
        result = _run_ingest(instance)

    assert not result.success
    assert _events(result, dg.DagsterEventType.STEP_UP_FOR_RETRY) == []
    (failure,) = _events(result, dg.DagsterEventType.STEP_FAILURE)
    message = failure.event_specific_data.error.message
    assert "conn-2" in message and "revoked" not in message
    # The healthy connection still loaded; the table's `synced` check names the failed one.
    (materialization,) = _events(result, dg.DagsterEventType.ASSET_MATERIALIZATION)
    metadata = materialization.event_specific_data.materialization.metadata
    assert metadata["rows_by_connection"].value["conn-1"] == 60
    assert metadata["failed_connections"].value == ["conn-2"]
    (check,) = _events(result, dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    assert not check.event_specific_data.passed
    assert "conn-2" in check.event_specific_data.metadata["failed"].value


@pytest.mark.slow
def test_outage_is_retried_by_the_step_retry_policy(sandbox) -> None:
    response = requests.post(
        f"{sandbox.base_url}/_sandbox/faults",
        json={"connection_id": "conn-1", "kind": "server_error", "count": 1000},
        timeout=10,
    )
    assert response.status_code < 300

    with dg.instance_for_test() as instance:
        result = _run_ingest(instance)

    assert not result.success
    # Two step retries after the first attempt, as PLANTSYNC_STEP_RETRIES says.
    assert len(_events(result, dg.DagsterEventType.STEP_UP_FOR_RETRY)) == 2
    assert len(_events(result, dg.DagsterEventType.STEP_RESTARTED)) == 2


@pytest.mark.slow
def test_a_run_for_one_connection_syncs_only_it(sandbox, duckdb_path) -> None:
    with dg.instance_for_test() as instance:
        result = _run_ingest(instance, connections=["conn-2"])

    assert result.success
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        loaded = con.execute("select distinct connection_id from raw_makini.purchase_orders")
        assert loaded.fetchall() == [("conn-2",)]
