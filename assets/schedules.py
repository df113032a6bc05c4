"""Schedules: a daily sync per connection, an hourly order sync, a daily OEE refresh, and a
weekly rebuild from scratch.

Times are UTC. Each connection's daily and hourly runs are its own runs (run key per connection
and tick, tagged with the connection), so one connection being down fails only its own run,
fast, while the others sync. They load raw tables only (`makini_connection_job`): the
`rebuild_after_ingest` sensor builds the models once the batch is through, incrementally. Once a
week the models are rebuilt from scratch and every row is checked, which also brings in what an
incremental build cannot see (an edited seed, such as the status map).
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from assets.ingest import MODELS_STEP
from assets.jobs import ORDER_TABLES, Jobs
from assets.makini_ingest import makini_run_config
from assets.resources import MakiniResource
from assets.tags import CONNECTION_TAG
from pipelines.makini.tables import DATASET

DAILY_SYNC_CRON = "0 2 * * *"
HOURLY_ORDERS_CRON = "15 * * * *"
DAILY_OEE_CRON = "30 2 * * *"
WEEKLY_REBUILD_CRON = "0 4 * * 0"  # Sundays, after the daily syncs
ORDER_KEYS = [dg.AssetKey([DATASET, t]) for t in ORDER_TABLES]


def per_connection_runs(
    context: dg.ScheduleEvaluationContext,
    makini: MakiniResource,
    kind: str,
    asset_selection: Sequence[dg.AssetKey] | None = None,
) -> list[dg.RunRequest]:
    """One run per configured connection, keyed by schedule tick."""
    tick = context.scheduled_execution_time.strftime("%Y-%m-%dT%H:%M")
    return [
        dg.RunRequest(
            run_key=f"{kind}:{c.id}:{tick}",
            run_config=makini_run_config([c.id]),
            tags={CONNECTION_TAG: c.id},
            asset_selection=asset_selection,
        )
        for c in makini.parsed_connections()
    ]


def build_schedules(jobs: Jobs) -> list[dg.ScheduleDefinition]:
    @dg.schedule(
        name="daily_connection_sync",
        cron_schedule=DAILY_SYNC_CRON,
        job=jobs.makini_connection,
        execution_timezone="UTC",
        description="Every day, load each Makini connection's raw tables in its own run.",
    )
    def daily_connection_sync(context: dg.ScheduleEvaluationContext, makini: MakiniResource):
        return per_connection_runs(context, makini, "daily")

    @dg.schedule(
        name="hourly_order_sync",
        cron_schedule=HOURLY_ORDERS_CRON,
        job=jobs.makini_connection,
        execution_timezone="UTC",
        description="Every hour, incrementally load each connection's purchase orders.",
    )
    def hourly_order_sync(context: dg.ScheduleEvaluationContext, makini: MakiniResource):
        return per_connection_runs(context, makini, "hourly", ORDER_KEYS)

    daily_oee_refresh = dg.ScheduleDefinition(
        name="daily_oee_refresh",
        cron_schedule=DAILY_OEE_CRON,
        execution_timezone="UTC",
        job=jobs.oee_sync,
        description="Every day, load the plant OEE database and rebuild the OEE models.",
    )
    weekly_full_rebuild = dg.ScheduleDefinition(
        name="weekly_full_rebuild",
        cron_schedule=WEEKLY_REBUILD_CRON,
        execution_timezone="UTC",
        job=jobs.models,
        run_config={"ops": {MODELS_STEP: {"config": {"full_refresh": True}}}},
        description="Every week, rebuild the incremental models from scratch and check every row.",
    )
    return [daily_connection_sync, hourly_order_sync, daily_oee_refresh, weekly_full_rebuild]
