"""Schedules launch one ingest-only run per connection, keyed by tick, configured and tagged with
it; the models are rebuilt after the batch by the rebuild sensor, not by these runs."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg
import pytest

from assets.definitions import build_definitions
from assets.ingest import MODELS_STEP
from assets.makini_ingest import makini_run_config
from assets.tags import CONNECTION_TAG

CONNECTIONS = '[{"id": "plant-a", "token": "t1"}, {"id": "plant-b", "token": "t2"}]'


def _evaluate(name: str, instance, when: datetime, monkeypatch) -> list[dg.RunRequest]:
    """A tick of the code location's own schedule, as the daemon evaluates it."""
    monkeypatch.setenv("MAKINI_CONNECTIONS", CONNECTIONS)
    defs = build_definitions()
    with dg.build_schedule_context(
        instance=instance,
        scheduled_execution_time=when,
        resources={"makini": defs.resources["makini"]},
        repository_def=defs.get_repository_def(),
    ) as context:
        return list(defs.get_schedule_def(name).evaluate_tick(context).run_requests)


def test_per_connection_schedules_target_the_ingest_only_job() -> None:
    defs = build_definitions()
    job = defs.resolve_job_def("makini_connection_job")

    for name in ("daily_connection_sync", "hourly_order_sync"):
        assert defs.get_schedule_def(name).job_name == "makini_connection_job"
    assert [node.name for node in job.nodes] == ["makini_ingest"]
    assert {key.path[0] for key in job.asset_layer.selected_asset_keys} == {"raw_makini"}


@pytest.mark.slow
def test_daily_sync_runs_each_connection_once_per_day(monkeypatch) -> None:
    when = datetime(2026, 11, 30, 2, tzinfo=UTC)
    with dg.instance_for_test() as instance:
        monday = _evaluate("daily_connection_sync", instance, when, monkeypatch)
        again = _evaluate("daily_connection_sync", instance, when, monkeypatch)

    assert [r.tags[CONNECTION_TAG] for r in monday] == ["plant-a", "plant-b"]
    assert [r.run_config for r in monday] == [
        makini_run_config(["plant-a"]),
        makini_run_config(["plant-b"]),
    ]
    assert [r.run_key for r in monday] == [r.run_key for r in again]
    assert len({r.run_key for r in monday}) == 2


def test_hourly_order_sync_keys_differ_per_hour(monkeypatch) -> None:
    with dg.instance_for_test() as instance:
        first = _evaluate(
            "hourly_order_sync", instance, datetime(2026, 11, 30, 9, 15, tzinfo=UTC), monkeypatch
        )
        second = _evaluate(
            "hourly_order_sync", instance, datetime(2026, 11, 30, 10, 15, tzinfo=UTC), monkeypatch
        )

    assert {r.run_key for r in first}.isdisjoint({r.run_key for r in second})
    assert [r.tags[CONNECTION_TAG] for r in second] == ["plant-a", "plant-b"]
    orders = [dg.AssetKey(["raw_makini", t]) for t in ("purchase_orders", "purchase_order_lines")]
    assert all(r.asset_selection == orders for r in second)


@pytest.mark.slow
def test_weekly_rebuild_refreshes_the_incremental_models_from_scratch(monkeypatch) -> None:
    sunday = datetime(2026, 11, 29, 4, tzinfo=UTC)
    with dg.instance_for_test() as instance:
        [request] = _evaluate("weekly_full_rebuild", instance, sunday, monkeypatch)

    defs = build_definitions()
    assert defs.get_schedule_def("weekly_full_rebuild").job_name == "models_job"
    config = request.run_config["ops"][MODELS_STEP]["config"]
    assert config == {"full_refresh": True}
    # the job accepts it: the models step's config schema validates the request
    job = defs.resolve_job_def("models_job")
    assert dg.validate_run_config(job, {**request.run_config}) is not None
