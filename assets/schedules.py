"""Schedules: a daily full-graph sync per connection, an hourly order sync, a daily OEE refresh.

Times are UTC. Each connection's daily run is its own run (run key per connection and day), so
one connection being down fails only its own run, fast, while the others sync.
"""

import dagster as dg

from assets.partitions import register_connections
from assets.resources import MakiniResource

DAILY_SYNC_CRON = "0 2 * * *"
HOURLY_ORDERS_CRON = "15 * * * *"
DAILY_OEE_CRON = "30 2 * * *"


def _per_connection(context: dg.ScheduleEvaluationContext, makini: MakiniResource, kind: str):
    """One run per connection (its partition), keyed by schedule tick."""
    ids = [c.id for c in makini.parsed_connections()]
    register_connections(context.instance, ids)
    tick = context.scheduled_execution_time.strftime("%Y-%m-%dT%H:%M")
    return [dg.RunRequest(run_key=f"{kind}:{i}:{tick}", partition_key=i) for i in ids]


@dg.schedule(
    name="daily_connection_sync",
    cron_schedule=DAILY_SYNC_CRON,
    job_name="makini_sync_job",
    execution_timezone="UTC",
    description="Every day, sync each Makini connection in its own run.",
)
def daily_connection_sync(context: dg.ScheduleEvaluationContext, makini: MakiniResource):
    return _per_connection(context, makini, "daily")


@dg.schedule(
    name="hourly_order_sync",
    cron_schedule=HOURLY_ORDERS_CRON,
    job_name="makini_orders_job",
    execution_timezone="UTC",
    description="Every hour, incrementally sync each connection's purchase orders.",
)
def hourly_order_sync(context: dg.ScheduleEvaluationContext, makini: MakiniResource):
    return _per_connection(context, makini, "hourly")


daily_oee_refresh = dg.ScheduleDefinition(
    name="daily_oee_refresh",
    cron_schedule=DAILY_OEE_CRON,
    execution_timezone="UTC",
    job_name="oee_sync_job",
    description="Every day, load the plant OEE database and rebuild the OEE models.",
)

SCHEDULES = [daily_connection_sync, hourly_order_sync, daily_oee_refresh]
