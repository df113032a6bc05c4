"""Fixtures shared by every test: isolated environment, temporary warehouses, local services.

In CI (`CI=true`) a test that needs PostgreSQL, MariaDB, RabbitMQ or Redis fails when the server
is missing; elsewhere it is skipped with the reason.
"""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_ADMIN_URL = os.environ.get(
    "PLANTSYNC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
MARIADB_ADMIN_URL = os.environ.get(
    "PLANTSYNC_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
)
# The local RabbitMQ (its vhosts are made with rabbitmqctl) and Redis.
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672"
REDIS_URL = os.environ.get("PLANTSYNC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """With pytest-xdist (`make test` runs two workers), end-to-end and broker tests run one
    after another on one worker: each starts process trees (Dagster daemon, Celery workers,
    servers) that must not compete with another's; the rest share the other worker."""
    for item in items:
        if item.get_closest_marker("e2e") or item.get_closest_marker("rabbitmq"):
            item.add_marker(pytest.mark.xdist_group("processes"))


def _service_missing(what: str, error: Exception) -> None:
    message = f"{what} is not reachable: {error}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI requires it)")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own working directory, dlt pipelines directory and clean settings."""
    for name in list(os.environ):
        if name.startswith(("PLANTSYNC_", "MAKINI_", "SNOWFLAKE_", "DESTINATION__", "SOURCES__")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt"))
    monkeypatch.setenv("DLT_PROJECT_DIR", str(tmp_path))
    monkeypatch.setenv("RUNTIME__LOG_LEVEL", "WARNING")
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    monkeypatch.setenv("PLANTSYNC_DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("PLANTSYNC_REPORT_DIR", str(tmp_path / "report"))
    from assets.event_log_storage import settings_for

    # Dagster's records as `make demo` and `make dev` keep them (plantsync's SQLite event log).
    home = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n" + settings_for(home))
    return tmp_path


@pytest.fixture
def duckdb_path(isolated_env: Path) -> Path:
    """A fresh DuckDB warehouse file path (not yet created)."""
    return isolated_env / "warehouse.duckdb"


def _fresh_database(what: str, admin_url: str, quote: str, drop_suffix: str = "") -> Iterator[str]:
    """Create an empty database on a local server, yield its URL, drop it afterwards."""
    import sqlalchemy as sa

    name = f"{quote}plantsync_test_{uuid.uuid4().hex[:10]}{quote}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"create database {name}"))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "not reachable"
        admin.dispose()
        _service_missing(f"{what} at {admin_url}", exc)
    yield admin_url.rsplit("/", 1)[0] + "/" + name.strip(quote)
    with admin.connect() as conn:
        conn.execute(sa.text(f"drop database if exists {name}{drop_suffix}"))
    admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the local server; dropped afterwards."""
    yield from _fresh_database("PostgreSQL", POSTGRES_ADMIN_URL, '"', " with (force)")


@pytest.fixture
def instance_postgres_url() -> Iterator[str]:
    """A second fresh PostgreSQL database (Dagster's own storage beside a warehouse)."""
    yield from _fresh_database("PostgreSQL", POSTGRES_ADMIN_URL, '"', " with (force)")


@pytest.fixture
def rabbitmq() -> Iterator[str]:
    """The broker URL of a fresh vhost on the local RabbitMQ (guest may use it), so no other
    test's workers share its queues; deleted afterwards."""
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=3).close()
    except OSError as exc:
        _service_missing("RabbitMQ at 127.0.0.1:5672", exc)
    vhost = f"plantsync_test_{uuid.uuid4().hex[:10]}"
    try:
        _rabbitmqctl("add_vhost", vhost)
        _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    except (OSError, subprocess.SubprocessError) as exc:
        _service_missing("rabbitmqctl (to make a vhost)", exc)
    yield f"{RABBITMQ_URL}/{vhost}"
    _rabbitmqctl("delete_vhost", vhost)


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture
def redis_url() -> str:
    """The local Redis (Celery keeps results under keys named by task id: tests never share)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        _service_missing(f"Redis at {REDIS_URL}", exc)
    return REDIS_URL


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    """A fresh, empty MariaDB database on the local server; dropped afterwards."""
    yield from _fresh_database("MariaDB", MARIADB_ADMIN_URL, "`")


@pytest.fixture
def makini_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """Start a sandbox Makini API and point `MAKINI_*` at it, with no waiting between retries.

    Call it with `SandboxServer` arguments; the server stops after the test.
    """
    from contextlib import ExitStack

    from sandbox.makini.server import SandboxServer

    with ExitStack() as stack:

        def start(**options) -> SandboxServer:
            server = stack.enter_context(SandboxServer(**options))
            monkeypatch.setenv("MAKINI_BASE_URL", server.base_url)
            monkeypatch.setenv("MAKINI_CONNECTIONS", server.connections_json())
            monkeypatch.setenv("PLANTSYNC_HTTP_MAX_DELAY_S", "0")
            monkeypatch.setenv("PLANTSYNC_STEP_RETRY_DELAY_S", "0")
            monkeypatch.setenv("PLANTSYNC_RUN_RETRY_DELAY_S", "0")
            return server

        yield start
