"""A job on the Dagster instance of `deploy/dagster.yaml.example`: run, event and schedule
storage in the local PostgreSQL, run queue, pool limit and run retries, as for running plantsync
beyond one machine."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
import yaml

from assets.definitions import build_definitions

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "dagster.yaml.example"


@pytest.mark.slow
def test_job_runs_on_the_example_postgres_instance(postgres_url, makini_sandbox, monkeypatch):
    makini_sandbox(seed=6, connections=1, purchase_orders=20)
    database = postgres_url.rsplit("/", 1)[1]
    for name, value in {
        "DAGSTER_PG_USERNAME": "postgres",
        "DAGSTER_PG_PASSWORD": "trust-auth-ignores-it",
        "DAGSTER_PG_HOST": "127.0.0.1",
        "DAGSTER_PG_DB": database,
    }.items():
        monkeypatch.setenv(name, value)
    config = yaml.safe_load(EXAMPLE.read_text())
    job = build_definitions().resolve_job_def("makini_sync_job")
    key = dg.AssetKey(["raw_makini", "purchase_orders"])

    with dg.instance_for_test(overrides=config) as instance:
        result = job.execute_in_process(instance=instance, asset_selection=[key])
        runs = instance.get_runs()
        event = instance.get_latest_materialization_event(key)
        storage = type(instance.run_storage).__name__

    assert result.success
    assert storage == "PostgresRunStorage"
    assert [run.run_id for run in runs] == [result.run_id]
    assert event.asset_materialization.metadata["rows_loaded"].value == 20
