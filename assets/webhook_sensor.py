"""`makini_webhook_sensor`: turns stored webhook events into targeted refetch runs.

Each tick first settles the runs it launched earlier (found on the instance by tag): events of a
succeeded run are marked processed, events of a failed or cancelled run become pending again.
Then it claims the pending events, groups their keys per (connection, entity) and requests one
`makini_refetch_job` run per group. Refetching is a merge, so a repeat is harmless, and an older
delivery arriving late cannot regress a row because `updatedAt` decides.

The inbox is the source of truth for which events a run serves (`run_id` holds the run key);
the cursor keeps when each run key was requested, so a claim whose run never started (the tick
failed after claiming) is released after `ORPHANED_AFTER_S`.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import dagster as dg

import settings
from assets.makini_ingest import refetch_run_config
from assets.tags import CONNECTION_TAG, REASON_TAG

if TYPE_CHECKING:
    from assets.jobs import AssetJob
    from webhooks.inbox import Inbox, StoredEvent

EVENT_IDS_TAG = "plantsync/webhook_event_ids"
RUN_KEY_TAG = "plantsync/webhook_run_key"
MAX_EVENTS_PER_TICK = 5000
MAX_KEYS_PER_RUN = 1000
ORPHANED_AFTER_S = 600
_UNFINISHED = {
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
    dg.DagsterRunStatus.MANAGED,
}


def group_events(events: Iterable[StoredEvent]) -> dict[tuple[str, str], list[StoredEvent]]:
    """Events per (connection id, entity), in id order."""
    groups: dict[tuple[str, str], list[StoredEvent]] = {}
    for event in events:
        groups.setdefault((event.connection_id, event.entity), []).append(event)
    return groups


def split_by_keys(events: Sequence[StoredEvent], max_keys: int) -> list[list[StoredEvent]]:
    """Consecutive batches of events naming at most `max_keys` distinct keys (one event may
    exceed it alone)."""
    batches: list[list[StoredEvent]] = []
    batch: list[StoredEvent] = []
    keys: set[str] = set()
    for event in events:
        if batch and len(keys | set(event.keys)) > max_keys:
            batches.append(batch)
            batch, keys = [], set()
        batch.append(event)
        keys.update(event.keys)
    if batch:
        batches.append(batch)
    return batches


def run_key_for(connection_id: str, entity: str, events: Sequence[StoredEvent]) -> str:
    """Deterministic for the same events and attempt; new for a retry."""
    attempt = max(e.attempts for e in events) + 1
    ids = ",".join(str(e.id) for e in events)
    digest = hashlib.sha1(f"{ids}:{attempt}".encode()).hexdigest()[:12]
    return f"webhooks-{connection_id}-{entity}-{events[0].id}-{digest}"


def settle_runs(
    instance: dg.DagsterInstance,
    inbox: Inbox,
    requested_at: dict[str, float],
    now: float,
    log: dg.DagsterLogManager | None = None,
) -> dict[str, float]:
    """Close or release the in-flight events whose runs finished; return what is still open."""
    still_open: dict[str, float] = {}
    for run_key, events in inbox.in_flight().items():
        ids = [e.id for e in events]
        runs = instance.get_runs(filters=dg.RunsFilter(tags={RUN_KEY_TAG: run_key}))
        succeeded = [r for r in runs if r.status == dg.DagsterRunStatus.SUCCESS]
        if succeeded:
            inbox.mark_processed(ids, succeeded[0].run_id)
        elif any(r.status in _UNFINISHED for r in runs):
            still_open[run_key] = requested_at.get(run_key, now)
        elif runs:
            run = runs[0]  # newest first
            inbox.mark_failed(ids, f"run {run.run_id} {run.status.value.lower()}")
            if log:
                log.warning(
                    f"refetch {run_key} {run.status.value.lower()}: {len(ids)} events retried"
                )
        elif now - requested_at.get(run_key, now) > ORPHANED_AFTER_S:
            inbox.mark_failed(ids, f"run {run_key} was never launched")
        else:
            still_open[run_key] = requested_at.get(run_key, now)
    return still_open


def request_runs(
    inbox: Inbox, job_name: str, log: dg.DagsterLogManager | None = None
) -> list[dg.RunRequest]:
    """Claim pending events and request one refetch run per (connection, entity) batch."""
    requests: list[dg.RunRequest] = []
    for (connection_id, entity), events in group_events(inbox.pending(MAX_EVENTS_PER_TICK)).items():
        for batch in split_by_keys(events, MAX_KEYS_PER_RUN):
            ids = [e.id for e in batch]
            keys = sorted({k for e in batch for k in e.keys})
            try:
                run_config = refetch_run_config(connection_id, {entity: keys})
            except ValueError as exc:  # an entity no job can refetch: close it, say why
                inbox.mark_skipped(ids, f"not refetched: {exc}")
                if log:
                    log.warning(f"{len(ids)} {entity} events of {connection_id} skipped: {exc}")
                continue
            run_key = run_key_for(connection_id, entity, batch)
            inbox.claim(ids, run_key)
            requests.append(
                dg.RunRequest(
                    run_key=run_key,
                    job_name=job_name,
                    run_config=run_config,
                    tags={
                        EVENT_IDS_TAG: ",".join(map(str, ids)),
                        RUN_KEY_TAG: run_key,
                        CONNECTION_TAG: connection_id,
                        REASON_TAG: "webhook",
                    },
                )
            )
    return requests


def build_webhook_sensor(refetch_job: AssetJob) -> dg.SensorDefinition:
    """The sensor launching `refetch_job` runs for stored webhook events."""

    @dg.sensor(name="makini_webhook_sensor", job=refetch_job, minimum_interval_seconds=30)
    def makini_webhook_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        """Refetch just the Makini records that webhooks reported as changed."""
        state = json.loads(context.cursor) if context.cursor else {}
        now = time.time()
        # imported here: SQLAlchemy would cost every step process of every run its import time
        from webhooks.inbox import Inbox

        inbox = Inbox(settings.webhook_inbox_url())
        try:
            in_flight = settle_runs(
                context.instance, inbox, state.get("in_flight", {}), now, context.log
            )
            run_requests = request_runs(inbox, refetch_job.name, context.log)
        finally:
            inbox.close()
        in_flight.update({r.run_key: now for r in run_requests if r.run_key})
        cursor = json.dumps({"in_flight": in_flight}, sort_keys=True)
        if not run_requests:
            return dg.SensorResult(skip_reason="no pending webhook events", cursor=cursor)
        return dg.SensorResult(run_requests=run_requests, cursor=cursor)

    return makini_webhook_sensor
