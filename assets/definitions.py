"""The Dagster code location: every asset, check, job, sensor and schedule, and the resources
of the destination chosen by `PLANTSYNC_DESTINATION`. Loads with no secrets set."""

import os
from pathlib import Path

import dagster as dg

from assets.connectivity import CATCH_UP_JOB, build_connectivity_sensor, connection_status_job
from assets.ingest import WAREHOUSE_POOL, build_makini_ingest, build_oee_ingest
from assets.jobs import build_jobs
from assets.models import build_model_assets
from assets.report import plant_report
from assets.resources import build_resources
from assets.schedules import SCHEDULES
from assets.webhook_sensor import makini_webhook_sensor

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"


def build_definitions() -> dg.Definitions:
    """Fresh definitions (assets are built per call: tests and the CLI each get their own)."""
    target = os.environ.get("PLANTSYNC_DESTINATION") or "duckdb"
    model_assets, model_checks = build_model_assets(MODELS_DIR, target=target, pool=WAREHOUSE_POOL)
    jobs = build_jobs()
    catch_up_job = next(job for job in jobs if job.name == CATCH_UP_JOB)
    return dg.Definitions(
        assets=[build_makini_ingest(), build_oee_ingest(), *model_assets, plant_report],
        asset_checks=model_checks,
        jobs=[*jobs, connection_status_job],
        sensors=[build_connectivity_sensor(catch_up_job), makini_webhook_sensor],
        schedules=SCHEDULES,
        resources=build_resources(),
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
