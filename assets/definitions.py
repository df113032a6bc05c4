"""The Dagster code location: every asset, check, job, sensor and schedule, the resources of the
destination chosen by `PLANTSYNC_DESTINATION` and the executor chosen by `PLANTSYNC_EXECUTOR`.
Loads with no secrets set."""

import functools
import warnings
from pathlib import Path

import dagster as dg

import settings
from assets.connectivity import build_connectivity_sensor, connection_status_job
from assets.executor import INGEST_QUEUE, MODELS_QUEUE, build_executor, on_queue
from assets.jobs import build_jobs
from assets.makini_ingest import build_makini_ingest
from assets.models import build_model_assets
from assets.oee_ingest import build_oee_ingest
from assets.policies import ingest_retry_policy
from assets.rebuild import build_rebuild_sensor
from assets.resources import build_resources
from assets.schedules import build_schedules
from assets.webhook_sensor import build_webhook_sensor

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"

# Dagster copies every sensor onto its resolved job with an empty owners list and then warns
# that sensor owners are in beta, though no sensor here sets any: nothing a user can act on.
warnings.filterwarnings(
    "ignore", message="Parameter `owners` of initializer `SensorDefinition", category=dg.BetaWarning
)


def build_definitions() -> dg.Definitions:
    """Fresh definitions (assets are built per call: tests and the CLI each get their own)."""
    owners = settings.asset_owners()
    retry_policy = ingest_retry_policy()
    jobs = build_jobs()
    return dg.Definitions(
        assets=[
            on_queue(build_makini_ingest(retry_policy, owners), INGEST_QUEUE),
            on_queue(build_oee_ingest(retry_policy, owners), INGEST_QUEUE),
            on_queue(
                build_model_assets(
                    MODELS_DIR, target=settings.destination(), owners=owners, with_report=True
                ),
                MODELS_QUEUE,
            ),
        ],
        jobs=[*jobs, connection_status_job],
        sensors=[
            build_connectivity_sensor(jobs.makini_sync),
            build_webhook_sensor(jobs.makini_refetch),
            build_rebuild_sensor(jobs.models, [job.name for job in jobs]),
        ],
        schedules=build_schedules(jobs),
        resources=build_resources(),
        executor=build_executor(),
    )


@functools.cache
def code_location() -> dg.Definitions:
    """The definitions a process serves: built once per process (and once for every step
    process forked from the executor's server, which builds them before it forks)."""
    return build_definitions()


@dg.definitions
def defs() -> dg.Definitions:
    return code_location()
