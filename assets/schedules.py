"""Schedules: a daily full-graph sync per connection, an hourly order sync, a daily OEE refresh.

Times are UTC. Each connection's daily run is its own run (run key per connection and day), so
one connection being down fails only its own run, fast, while the others sync.
"""

import dagster as dg

from assets.resources import MakiniResource

DAILY_SYNC_CRON = "0 2 * * *"
HOURLY_ORDERS_CRON = "15 * * * *"
DAILY_OEE_CRON = "30 2 * * *"


@dg.schedule(
    name="daily_connection_sync",
    cron_schedule=DAILY_SYNC_CRON,
    job_name="makini_sync_job",
    execution_timezone="UTC",
    description="Every day, sync each Makini connection in its own run.",
)
def daily_connection_sync(context: dg.ScheduleEvaluationContext, makini: MakiniResource):
    day = context.scheduled_execution_time.strftime("%Y-%m-%d")
    return [
        dg.RunRequest(
            run_key=f"daily:{connection.id}:{day}",
            run_config={"ops": {"makini_ingest": {"config": {"connection_ids": [connection.id]}}}},
            tags={"plantsync/connection_id": connection.id},
        )
        for connection in makini.parsed_connections()
    ]


hourly_order_sync = dg.ScheduleDefinition(
    name="hourly_order_sync",
    cron_schedule=HOURLY_ORDERS_CRON,
    execution_timezone="UTC",
    job_name="makini_orders_job",
    description="Every hour, incrementally sync purchase orders and rebuild what depends on them.",
)

daily_oee_refresh = dg.ScheduleDefinition(
    name="daily_oee_refresh",
    cron_schedule=DAILY_OEE_CRON,
    execution_timezone="UTC",
    job_name="oee_sync_job",
    description="Every day, load the plant OEE database and rebuild the OEE models.",
)

SCHEDULES = [daily_connection_sync, hourly_order_sync, daily_oee_refresh]
