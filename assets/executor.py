"""Where steps run: Dagster's multiprocess executor (one machine, the default) or dagster-celery's
executor, chosen by `PLANTSYNC_EXECUTOR`, and the Celery queue of each kind of step.

With Celery, each step is a task on a queue: ingest steps on `ingest`, the models step (which
also writes the report) on `models` (steps without a queue, such as recording connection
status, go to `ingest`), so workers can be sized per kind of work. The run itself (the loop
that submits steps and waits for their results) stays where the run launcher starts it.

Worker loss: a task is acknowledged only when it has finished (`task_acks_late`), and a task
whose worker process died is put back (`task_reject_on_worker_lost`); RabbitMQ redelivers the
unacknowledged task of a dead worker to another one, which runs the step again from the start.
Each worker takes one task at a time and reserves none ahead (`worker_prefetch_multiplier` 1),
so no step waits behind a busy worker while another is idle.

The executor config is `deploy/celery/executor.yaml`; its broker and backend are read from the
environment when a run starts (`PLANTSYNC_CELERY_BROKER_URL`, `PLANTSYNC_CELERY_BACKEND_URL`).
Workers build the same Celery app from the same file and settings (`assets.celery_worker`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg
import yaml

import settings

# The executor config, shared by the code location and the workers.
EXECUTOR_YAML = Path(__file__).resolve().parents[1] / "deploy" / "celery" / "executor.yaml"
# dagster-celery reads a step's queue from this op tag (dagster_celery.tags).
QUEUE_TAG = "dagster-celery/queue"
INGEST_QUEUE = "ingest"
MODELS_QUEUE = "models"
QUEUES = (INGEST_QUEUE, MODELS_QUEUE)


def executor_config() -> dict[str, Any]:
    """dagster-celery's executor config from `deploy/celery/executor.yaml`: URLs stay
    environment references, resolved when a run starts (a password never lands in run config)."""
    return yaml.safe_load(EXECUTOR_YAML.read_text())["execution"]["config"]


# One machine: a process per step, forked from a server that has imported the code location
# and built its definitions once (`assets.forkserver`), instead of a fresh interpreter importing
# Dagster and the project and building the definitions for every step.
MULTIPROCESS = dg.multiprocess_executor.configured(
    {"start_method": {"forkserver": {"preload_modules": ["assets.forkserver"]}}}
)


def build_executor() -> dg.ExecutorDefinition:
    """dagster-celery's executor when `PLANTSYNC_EXECUTOR=celery` (its settings checked now,
    naming the variable), else the multiprocess executor with forked step processes."""
    if settings.executor() != "celery":
        return MULTIPROCESS
    settings.celery_broker_url()
    settings.celery_backend_url()
    from dagster_celery import celery_executor

    return celery_executor.configured(executor_config(), name="celery")


def worker_app_args() -> dict[str, Any]:
    """What dagster-celery's `make_app` gets on a worker: the executor's own arguments, the URLs
    read from the same settings."""
    from dagster_celery.executor import CeleryExecutor

    chosen = settings.executor()  # refuses a DuckDB warehouse
    if chosen != "celery":
        raise settings.SettingsError(
            f"PLANTSYNC_EXECUTOR={chosen!r}: a Celery worker runs the steps of the celery "
            "executor; set PLANTSYNC_EXECUTOR=celery where the workers and the code server run"
        )
    config = executor_config()
    executor = CeleryExecutor.for_cli(
        broker=settings.celery_broker_url(),
        backend=settings.celery_backend_url(),
        config_source=config.get("config_source"),
    )
    return executor.app_args()


def on_queue(assets_def: dg.AssetsDefinition, queue: str) -> dg.AssetsDefinition:
    """`assets_def` with its step sent to Celery queue `queue` (an op tag; other executors
    ignore it). The assets modules stay unaware of the executor."""
    from dagster._core.definitions.op_definition import OpDefinition

    op = assets_def.op
    tagged = OpDefinition.dagster_internal_init(
        compute_fn=op.compute_fn,
        name=op.name,
        ins={d.name: dg.In.from_definition(d) for d in op.input_defs},
        outs={d.name: dg.Out.from_definition(d) for d in op.output_defs},
        description=op.description,
        config_schema=op.config_schema,
        required_resource_keys=op.required_resource_keys,
        tags={**op.tags, QUEUE_TAG: queue},
        version=None,
        retry_policy=op.retry_policy,
        code_version=op._version,  # `version` is deprecated; this is the code version
        pool=op.pool,
    )
    attributes = {**assets_def.get_attributes_dict(), "node_def": tagged}
    return dg.AssetsDefinition.dagster_internal_init(**attributes)
