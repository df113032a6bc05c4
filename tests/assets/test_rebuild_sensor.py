"""`rebuild_after_ingest` through the code location, tick after tick with its cursor carried as
the daemon carries it, on a real instance whose runs really loaded the sandbox into DuckDB."""

from __future__ import annotations

import dagster as dg
import pytest
from dagster._core.storage.tags import WILL_RETRY_TAG

from assets.definitions import build_definitions
from assets.makini_ingest import makini_run_config
from assets.rebuild import REBUILD_SENSOR
from assets.tags import CONNECTION_TAG, REASON_TAG


@pytest.fixture
def sandbox(makini_sandbox, monkeypatch):
    monkeypatch.setenv("PLANTSYNC_STEP_RETRIES", "0")
    return makini_sandbox(seed=31, connections=2, purchase_orders=20)


class Ticks:
    """The code location's own sensor, evaluated as the daemon evaluates it."""

    def __init__(self, instance: dg.DagsterInstance) -> None:
        self.instance = instance
        self.defs = build_definitions()
        self.cursor: str | None = None

    def tick(self) -> dg.SensorResult:
        with dg.build_sensor_context(
            instance=self.instance, cursor=self.cursor, definitions=self.defs
        ) as context:
            result = self.defs.get_sensor_def(REBUILD_SENSOR).evaluate_tick(context)
        self.cursor = result.cursor
        return result

    def run(self, job: str, connection: str | None = None) -> None:
        """Execute a run of `job` to the end (for one connection when named)."""
        config = makini_run_config([connection]) if connection else None
        outcome = self.defs.resolve_job_def(job).execute_in_process(
            instance=self.instance, run_config=config, tags=_tags(connection)
        )
        assert outcome.success

    def pending(self, job: str, connection: str, **tags: str) -> dg.DagsterRun:
        """A run of `job` for `connection`, created and not yet started."""
        return self.instance.create_run_for_job(
            self.defs.resolve_job_def(job),
            run_config=makini_run_config([connection]),
            status=dg.DagsterRunStatus.NOT_STARTED,
            tags={**_tags(connection), **tags},
        )


def _tags(connection: str | None) -> dict[str, str]:
    return {CONNECTION_TAG: connection} if connection else {}


def _skipped(result: dg.SensorResult) -> str:
    assert not result.run_requests
    return result.skip_message or ""


@pytest.fixture
def ticks(sandbox):
    with dg.instance_for_test() as instance:
        yield Ticks(instance)


def test_nothing_loaded_nothing_to_rebuild(ticks) -> None:
    assert "no raw table" in _skipped(ticks.tick())
    assert ticks.cursor is None


@pytest.mark.slow
def test_one_rebuild_after_the_batch_never_during_it(ticks) -> None:
    ticks.run("makini_connection_job", "conn-1")
    queued = ticks.pending("makini_connection_job", "conn-2")

    waiting = _skipped(ticks.tick())  # conn-2 is still to load: no rebuild yet
    assert "waiting for 1 run(s) to finish: makini_connection_job" in waiting
    ticks.instance.delete_run(queued.run_id)
    ticks.run("makini_connection_job", "conn-2")

    result = ticks.tick()  # the batch is through
    (request,) = result.run_requests
    assert request.job_name == "models_job" and request.tags[REASON_TAG] == "rebuild"
    assert request.run_key == f"rebuild:{ticks.cursor}"
    # asking again about the same raw state: nothing new, and from scratch the same run key
    assert "already requested" in _skipped(ticks.tick())
    ticks.cursor = None
    assert ticks.tick().run_requests[0].run_key == request.run_key

    ticks.run("models_job")  # the rebuild ran
    assert "no raw table" in _skipped(ticks.tick())


@pytest.mark.slow
def test_waits_for_a_failed_run_the_daemon_will_retry(ticks) -> None:
    ticks.run("makini_connection_job", "conn-1")
    failed = ticks.pending("makini_connection_job", "conn-2")
    ticks.instance.report_run_failed(failed, "conn-2 is down")
    ticks.instance.add_run_tags(failed.run_id, {WILL_RETRY_TAG: "true"})

    assert "waiting for 1 run(s)" in _skipped(ticks.tick())
    ticks.instance.add_run_tags(failed.run_id, {WILL_RETRY_TAG: "false"})  # retries used up
    assert len(ticks.tick().run_requests) == 1


@pytest.mark.slow
def test_a_run_that_also_builds_models_leaves_nothing_to_rebuild(ticks) -> None:
    ticks.run("makini_sync_job", "conn-1")

    assert "no raw table" in _skipped(ticks.tick())
