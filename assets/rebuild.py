"""`rebuild_after_ingest`: one models run after a batch of ingest-only runs, never during one.

Scheduled syncs load each connection in its own ingest-only run; building the canonical tables
and marts after each of 20 runs would rebuild them 20 times, and a build that starts while
another connection's load is half-done reads a mix. So the sensor asks for one `models_job` run
when both hold:

- some raw table was loaded after the models that read it last built (its latest
  materialization is newer than that of one of its child models, or a child never built), and
- no run that loads raw tables or builds models is queued or in progress, or failed and is
  about to be retried by the daemon.

The run key names the newest raw materialization it covers (`rebuild:<storage id>`), and the
cursor remembers it: asking again for the same raw state is a no-op, so repeats are harmless,
and a batch that ends gets exactly one rebuild. A run that loads and builds in one go
(`makini_sync_job`, `sync_all_job`) leaves nothing stale behind it, so no rebuild follows it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import dagster as dg

from assets.jobs import RAW_MAKINI, RAW_OEE
from assets.tags import REASON_TAG

if TYPE_CHECKING:
    from assets.jobs import AssetJob

REBUILD_SENSOR = "rebuild_after_ingest"
INTERVAL_S = 15
BUSY_STATUSES = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]
# A failed run is retried by the daemon within seconds; older failures are not waited for.
RETRY_WINDOW = timedelta(hours=1)


def build_rebuild_sensor(models_job: AssetJob, busy_jobs: Collection[str]) -> dg.SensorDefinition:
    """The sensor, starting `models_job` while no run of `busy_jobs` is unfinished."""

    @dg.sensor(
        name=REBUILD_SENSOR,
        job=models_job,
        minimum_interval_seconds=INTERVAL_S,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="After raw tables were loaded and no ingest run is queued or in progress, "
        "build every model once.",
    )
    def rebuild_after_ingest(context: dg.SensorEvaluationContext):
        return evaluate_rebuild(context, models_job.name, frozenset(busy_jobs))

    return rebuild_after_ingest


def evaluate_rebuild(
    context: dg.SensorEvaluationContext, models_job: str, busy_jobs: frozenset[str]
) -> dg.SensorResult | dg.SkipReason:
    """One tick: find raw tables newer than their models; request a rebuild when all is quiet."""
    stale = stale_raw_tables(context.instance, context.repository_def.asset_graph)
    if not stale:
        return dg.SkipReason("no raw table was loaded since the models were built from it")
    newest = max(stale.values())
    if context.cursor and newest <= int(context.cursor):
        return dg.SkipReason(f"a rebuild was already requested for raw state {context.cursor}")
    busy = unfinished_runs(context.instance, busy_jobs)
    if busy:
        return dg.SkipReason(
            f"{len(stale)} raw table(s) changed; waiting for {len(busy)} run(s) to finish: "
            + ", ".join(sorted({r.job_name for r in busy}))
        )
    tables = ", ".join(sorted(k.to_user_string() for k in stale))
    context.log.info(f"rebuilding the models after loads of {tables}")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=f"rebuild:{newest}", job_name=models_job, tags={REASON_TAG: "rebuild"}
            )
        ],
        cursor=str(newest),
    )


def stale_raw_tables(instance: dg.DagsterInstance, graph) -> dict[dg.AssetKey, int]:
    """Raw tables whose latest load is newer than the latest build of a model that reads them:
    key -> storage id of that load."""
    raw = (RAW_MAKINI | RAW_OEE).resolve(graph)
    children = {key: graph.get(key).child_keys - raw for key in raw}
    keys = raw | set().union(*children.values())
    latest = {
        record.asset_entry.asset_key: record.asset_entry.last_materialization_record.storage_id
        for record in instance.get_asset_records(list(keys))
        if record.asset_entry.last_materialization_record
    }
    return {
        key: latest[key]
        for key in raw
        if key in latest
        and children[key]
        and any(latest.get(child, -1) < latest[key] for child in children[key])
    }


def unfinished_runs(instance: dg.DagsterInstance, jobs: frozenset[str]) -> list[dg.DagsterRun]:
    """Runs of `jobs` that are queued or in progress, or failed and waiting for the daemon to
    retry them (the retry would load while the rebuild reads)."""
    active = instance.get_runs(filters=dg.RunsFilter(statuses=BUSY_STATUSES))
    failed = instance.get_runs(
        filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.FAILURE],
            updated_after=datetime.now(UTC) - RETRY_WINDOW,
        )
    )
    retrying = [r for r in failed if r.is_complete_and_waiting_to_retry]
    return [r for r in [*active, *retrying] if r.job_name in jobs]
