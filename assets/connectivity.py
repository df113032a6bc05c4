"""Connection status: the probing sensor, the job that records changes, and the fail-fast check
that stops a sync of a connection already known to be down."""

import json
from datetime import datetime
from typing import TYPE_CHECKING

import dagster as dg

from assets.makini_ingest import makini_run_config
from assets.resources import (
    WAREHOUSE_WRITER_POOL,
    MakiniResource,
    NotifierResource,
    WarehouseResource,
)
from assets.tags import CONNECTION_TAG, REASON_TAG
from connectivity.history import record
from connectivity.status import DOWN_STATUSES, PROBE_RETRY, Observation, probe
from pipelines.makini.client import MakiniClient

if TYPE_CHECKING:
    from assets.jobs import AssetJob


class ObservationConfig(dg.Config):
    connection_id: str
    status: str
    detail: str
    observed_at: str
    source: str


class RecordStatusConfig(dg.Config):
    observations: list[ObservationConfig]


@dg.op(pool=WAREHOUSE_WRITER_POOL)
def record_connection_status(
    context: dg.OpExecutionContext, config: RecordStatusConfig, warehouse: WarehouseResource
) -> None:
    """Append status changes to canonical.connection_status_history."""
    observations = [
        Observation(
            o.connection_id, o.status, o.detail, datetime.fromisoformat(o.observed_at), o.source
        )
        for o in config.observations
    ]
    with warehouse.writing(context) as writer, writer.connect() as wh:
        appended = record(wh, observations)
    for row in appended:
        context.log.info(f"{row.connection_id}: {row.previous_status} -> {row.status}")


@dg.job(description="Record connection status changes found by a probe.")
def connection_status_job() -> None:
    record_connection_status()


def status_run_config(observations: list[Observation]) -> dict:
    return {
        "ops": {
            "record_connection_status": {
                "config": {
                    "observations": [
                        {
                            "connection_id": o.connection_id,
                            "status": o.status,
                            "detail": o.detail,
                            "observed_at": o.observed_at.isoformat(),
                            "source": o.source,
                        }
                        for o in observations
                    ]
                }
            }
        }
    }


def build_connectivity_sensor(catch_up_job: "AssetJob") -> dg.SensorDefinition:
    """The sensor, targeting the status job and the job its catch-up runs use."""

    @dg.sensor(
        name="connectivity_sensor",
        minimum_interval_seconds=60,
        jobs=[connection_status_job, catch_up_job],
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Probe every Makini connection; record changes; catch up once on return.",
    )
    def connectivity_sensor(
        context: dg.SensorEvaluationContext, makini: MakiniResource, notifier: NotifierResource
    ) -> dg.SensorResult:
        return evaluate_connectivity(context, makini, notifier, catch_up_job.name)

    return connectivity_sensor


def evaluate_connectivity(
    context: dg.SensorEvaluationContext,
    makini: MakiniResource,
    notifier: NotifierResource,
    catch_up_job: str,
) -> dg.SensorResult:
    """One tick: probe, compare with the cursor, request runs, announce changes."""
    state: dict[str, dict] = json.loads(context.cursor) if context.cursor else {}
    observations = [
        probe(MakiniClient(makini.base_url, connection, PROBE_RETRY))
        for connection in makini.parsed_connections()
    ]
    changed = [o for o in observations if state.get(o.connection_id, {}).get("status") != o.status]
    run_requests = []
    if changed:
        run_requests.append(
            dg.RunRequest(
                run_key="status:"
                + ",".join(f"{o.connection_id}={o.status}" for o in changed)
                + f"@{changed[0].observed_at.isoformat()}",
                job_name=connection_status_job.name,
                run_config=status_run_config(changed),
            )
        )
    for obs in changed:
        previous = state.get(obs.connection_id)
        if previous is not None:
            notifier.announce(obs, previous["status"])
            if previous["status"] in DOWN_STATUSES and not obs.is_down:
                run_requests.append(_catch_up(obs, catch_up_job))
        since = obs.observed_at.isoformat()
        state[obs.connection_id] = {"status": obs.status, "since": since, "detail": obs.detail}
        context.log.info(f"{obs.connection_id}: {obs.status} ({obs.detail})")
    return dg.SensorResult(run_requests=run_requests, cursor=json.dumps(state, sort_keys=True))


def _catch_up(obs: Observation, job_name: str) -> dg.RunRequest:
    """One incremental sync of the returned connection: it resumes from its own watermarks."""
    return dg.RunRequest(
        run_key=f"catch-up:{obs.connection_id}@{obs.observed_at.isoformat()}",
        job_name=job_name,
        run_config=makini_run_config([obs.connection_id]),
        tags={CONNECTION_TAG: obs.connection_id, REASON_TAG: "catch-up"},
    )
