"""The executor a deployment picks: dagster-celery's with its queues and settings, the DuckDB
guard in the code location and in the worker, and deploy/celery's instance config."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assets.definitions import build_definitions
from assets.executor import INGEST_QUEUE, MODELS_QUEUE, MULTIPROCESS, QUEUE_TAG, executor_config
from settings import SettingsError

ROOT = Path(__file__).resolve().parents[2]
BROKER = "amqp://plantsync:s3cret@rabbitmq:5672/plantsync"


@pytest.fixture
def celery_on_postgres(monkeypatch) -> None:
    monkeypatch.setenv("PLANTSYNC_EXECUTOR", "celery")
    monkeypatch.setenv("PLANTSYNC_DESTINATION", "postgres")
    monkeypatch.setenv("PLANTSYNC_CELERY_BROKER_URL", BROKER)
    monkeypatch.setenv("PLANTSYNC_CELERY_BACKEND_URL", "redis://redis:6379/0")


def test_celery_on_duckdb_is_refused_naming_both_settings(monkeypatch) -> None:
    monkeypatch.setenv("PLANTSYNC_EXECUTOR", "celery")

    with pytest.raises(SettingsError) as refused:
        build_definitions()
    message = str(refused.value)
    assert "PLANTSYNC_EXECUTOR=celery" in message and "PLANTSYNC_DESTINATION=duckdb" in message
    assert "\n" not in message


@pytest.mark.slow
def test_a_worker_refuses_to_start_on_duckdb(monkeypatch) -> None:
    monkeypatch.setenv("PLANTSYNC_EXECUTOR", "celery")
    monkeypatch.setenv("PLANTSYNC_CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
    monkeypatch.setenv("PLANTSYNC_CELERY_BACKEND_URL", "rpc://")

    worker = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "assets.celery_worker", "worker", "-Q", "ingest"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode != 0
    assert "PLANTSYNC_DESTINATION=duckdb is one file with one writer" in worker.stderr


def test_a_worker_needs_the_celery_executor(monkeypatch) -> None:
    from assets.executor import worker_app_args

    monkeypatch.setenv("PLANTSYNC_DESTINATION", "postgres")
    with pytest.raises(SettingsError, match="PLANTSYNC_EXECUTOR='multiprocess'"):
        worker_app_args()


def test_multiprocess_with_forked_steps_is_the_default() -> None:
    job = build_definitions().resolve_job_def("makini_connection_job")

    # forked step processes (`start_method: forkserver`); tests/assets/test_daemon.py runs it
    assert job.executor_def is MULTIPROCESS
    assert job.executor_def.name == "multiprocess"


def test_celery_runs_every_job_with_queues_per_kind_of_work(celery_on_postgres) -> None:
    defs = build_definitions()

    for name in ("sync_all_job", "makini_connection_job", "models_job", "connection_status_job"):
        assert defs.resolve_job_def(name).executor_def.name == "celery"
    queues = {
        node.name: node.definition.tags.get(QUEUE_TAG)
        for node in defs.resolve_job_def("sync_all_job").nodes
    }
    assert queues == {
        "makini_ingest": INGEST_QUEUE,
        "oee_ingest": INGEST_QUEUE,
        "models": MODELS_QUEUE,
    }


def test_executor_config_keeps_urls_in_the_environment_and_survives_worker_loss() -> None:
    config = executor_config()

    assert config["broker"] == {"env": "PLANTSYNC_CELERY_BROKER_URL"}
    assert config["backend"] == {"env": "PLANTSYNC_CELERY_BACKEND_URL"}
    celery = config["config_source"]
    assert celery["task_acks_late"] and celery["task_reject_on_worker_lost"]
    assert celery["worker_prefetch_multiplier"] == 1
    assert celery["task_default_queue"] == INGEST_QUEUE


def test_the_worker_app_is_the_executors(celery_on_postgres) -> None:
    from dagster_celery.make_app import make_app

    from assets.executor import worker_app_args

    app = make_app(worker_app_args())
    assert app.conf.broker_url == BROKER
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("PLANTSYNC_EXECUTOR", "k8s", "PLANTSYNC_EXECUTOR='k8s' is not one of multiprocess"),
        ("PLANTSYNC_CELERY_BROKER_URL", None, "PLANTSYNC_CELERY_BROKER_URL is not set"),
        (
            "PLANTSYNC_CELERY_BROKER_URL",
            "kafka://plantsync:s3cret@kafka:9092",
            "PLANTSYNC_CELERY_BROKER_URL='kafka://plantsync:***@kafka:9092': scheme 'kafka'",
        ),
        ("PLANTSYNC_CELERY_BACKEND_URL", "db+sqlite:///r.db", "scheme 'db+sqlite' is not one of"),
    ],
)
def test_bad_settings_are_named(celery_on_postgres, monkeypatch, name, value, expected) -> None:
    if value is None:
        monkeypatch.delenv(name)
    else:
        monkeypatch.setenv(name, value)

    with pytest.raises(SettingsError) as refused:
        build_definitions()
    assert expected in str(refused.value)
    assert "s3cret" not in str(refused.value)


def test_deploy_instance_config_is_valid(tmp_path, monkeypatch) -> None:
    from dagster._core.instance.config import dagster_instance_config

    (tmp_path / "dagster.yaml").write_text((ROOT / "deploy/celery/dagster.yaml").read_text())
    for name in ("USERNAME", "PASSWORD", "HOST", "DB"):
        monkeypatch.setenv(f"DAGSTER_PG_{name}", "x")
    config, _ = dagster_instance_config(str(tmp_path))

    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    limits = {limit["key"] for limit in config["concurrency"]["runs"]["tag_concurrency_limits"]}
    assert limits == {"plantsync/builds_models", "plantsync/connection"}
    assert config["run_retries"]["enabled"] and config["run_monitoring"]["enabled"]
