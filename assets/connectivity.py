"""Connection status: the probing sensor, the job that records changes, and the fail-fast check
that stops a sync of a connection already known to be down."""

import json
from datetime import UTC, datetime

import dagster as dg

from assets.partitions import add_partitions_request
from assets.resources import MakiniResource, NotifierResource, WarehouseResource
from pipelines.makini.client import MakiniClient, RetrySettings
from pipelines.makini.connections import Connection
from pipelines.makini.source import ExtractionReport
from pipelines.makini.status import DOWN_STATUSES, Observation, from_error, probe

STATUS_JOB = "connection_status_job"
CATCH_UP_JOB = "makini_sync_job"
# A probe must answer within a sensor tick: few, short attempts.
PROBE_RETRY = RetrySettings(max_attempts=2, backoff_s=0.0, max_delay_s=0.0, timeout_s=10.0)


class ObservationConfig(dg.Config):
    connection_id: str
    status: str
    detail: str
    observed_at: str
    source: str


class RecordStatusConfig(dg.Config):
    observations: list[ObservationConfig]


@dg.op(pool="warehouse_writer")
def record_connection_status(
    context: dg.OpExecutionContext, config: RecordStatusConfig, warehouse: WarehouseResource
) -> None:
    """Append status changes to canonical.connection_status_history."""
    from warehouse.status_history import record

    observations = [
        Observation(
            o.connection_id, o.status, o.detail, datetime.fromisoformat(o.observed_at), o.source
        )
        for o in config.observations
    ]
    with warehouse.connect() as wh:
        appended = record(wh, observations)
    for row in appended:
        context.log.info(f"{row.connection_id}: {row.previous_status} -> {row.status}")


@dg.job(name=STATUS_JOB, description="Record connection status changes found by a probe.")
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


def build_connectivity_sensor(catch_up_job) -> dg.SensorDefinition:
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
        return evaluate_connectivity(context, makini, notifier)

    return connectivity_sensor


def evaluate_connectivity(
    context: dg.SensorEvaluationContext, makini: MakiniResource, notifier: NotifierResource
) -> dg.SensorResult:
    """One tick: probe, compare with the cursor, request runs, announce changes."""
    state: dict[str, dict] = json.loads(context.cursor) if context.cursor else {}
    known = set(state)
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
                job_name=STATUS_JOB,
                run_config=status_run_config(changed),
            )
        )
    for obs in changed:
        previous = state.get(obs.connection_id)
        if previous is not None:
            notifier.announce(obs, previous["status"])
            if previous["status"] in DOWN_STATUSES and not obs.is_down:
                run_requests.append(_catch_up(obs))
        since = obs.observed_at.isoformat()
        state[obs.connection_id] = {"status": obs.status, "since": since, "detail": obs.detail}
        context.log.info(f"{obs.connection_id}: {obs.status} ({obs.detail})")
    # Every connection seen for the first time becomes a partition of the Makini assets.
    new_connections = [o.connection_id for o in changed if o.connection_id not in known]
    return dg.SensorResult(
        run_requests=run_requests,
        cursor=json.dumps(state, sort_keys=True),
        dynamic_partitions_requests=[add_partitions_request(new_connections)]
        if new_connections
        else None,
    )


def _catch_up(obs: Observation) -> dg.RunRequest:
    """One incremental sync of the returned connection: it resumes from its own watermarks."""
    return dg.RunRequest(
        run_key=f"catch-up:{obs.connection_id}@{obs.observed_at.isoformat()}",
        job_name=CATCH_UP_JOB,
        partition_key=obs.connection_id,
        tags={"plantsync/reason": "catch-up"},
    )


def still_down(
    makini: MakiniResource,
    warehouse: WarehouseResource,
    connections: list[Connection],
    known_before: datetime,
) -> dict[str, str]:
    """Connections recorded as down before `known_before` that a quick probe confirms
    -> why and since when."""
    from warehouse.status_history import latest

    with warehouse.connect() as wh:
        recorded = latest(wh)
    cutoff = known_before
    if cutoff.tzinfo is not None:
        cutoff = cutoff.astimezone(UTC).replace(tzinfo=None)
    down = {}
    for connection in connections:
        row = recorded.get(connection.id)
        if row is None or row.status not in DOWN_STATUSES or row.observed_at >= cutoff:
            continue
        if not probe(MakiniClient(makini.base_url, connection, PROBE_RETRY)).is_down:
            continue
        down[connection.id] = (
            f"connection {connection.id} is {row.status} since "
            f"{row.observed_at:%Y-%m-%d %H:%M} UTC ({row.detail})"
        )
    return down


def record_extraction_outcomes(
    warehouse: WarehouseResource, connections: list[Connection], extraction: ExtractionReport
) -> None:
    """Feed what a sync learned (rejected tokens, outages, success) into the status history."""
    from warehouse.status_history import record

    now = datetime.now(UTC)
    observations = []
    for connection in connections:
        error = extraction.failures.get(connection.id)
        status, detail = from_error(error) if error else ("active", "extraction succeeded")
        observations.append(Observation(connection.id, status, detail, now, "extract"))
    with warehouse.connect() as wh:
        record(wh, observations)
