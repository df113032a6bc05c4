"""Dagster resources: the warehouse (one per destination), the Makini API, the plant database
and the status notifier. Secrets come through `dg.EnvVar`, read when a run starts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dagster as dg

import settings
from assets.progress import report
from connectivity.notify import NotifySettings, notification_body, notify_in_background
from connectivity.status import Observation
from pipelines.makini.client import RetrySettings
from settings import Connection, parse_connections
from settings.warehouse import WarehouseSettings

# Every step that writes the warehouse runs in this concurrency pool; DuckDB has one writer,
# so instances that use DuckDB give it a limit of 1 (see `make dev` and deploy/).
WAREHOUSE_WRITER_POOL = "warehouse_writer"


class WarehouseResource(dg.ConfigurableResource):
    """Where raw data lands and models run: DuckDB file, PostgreSQL URL or Snowflake account."""

    destination: str = "duckdb"
    duckdb_path: str = settings.DEFAULT_DUCKDB_PATH
    postgres_url: str | None = None
    snowflake_account: str | None = None
    snowflake_user: str | None = None
    snowflake_password: str | None = None
    snowflake_private_key_path: str | None = None
    snowflake_warehouse: str | None = None
    snowflake_database: str | None = None
    snowflake_role: str | None = None
    state_dir: str = settings.DEFAULT_STATE_DIR
    writer_wait_s: float = settings.DEFAULT_WRITER_WAIT_S
    duckdb_memory_limit: str = settings.DEFAULT_DUCKDB_MEMORY_LIMIT

    def location(self) -> WarehouseSettings:
        """The warehouse these fields name (settings errors name the variable)."""
        snowflake = {
            "account": self.snowflake_account,
            "user": self.snowflake_user,
            "password": self.snowflake_password,
            "private_key_file": self.snowflake_private_key_path,
            "warehouse": self.snowflake_warehouse,
            "database": self.snowflake_database,
            "role": self.snowflake_role,
        }
        return WarehouseSettings(
            destination=self.destination,
            duckdb_path=settings.absolute(self.duckdb_path),
            postgres_url=self.postgres_url,
            snowflake={k: v for k, v in snowflake.items() if v},
            state_root=settings.absolute(self.state_dir),
            duckdb_memory_limit=self.duckdb_memory_limit,
        )

    def reader(self) -> Any:
        """A read-only connection to what analysts see (`warehouse.access.open_reader`)."""
        from warehouse.access import open_reader

        return open_reader(self.location())

    @contextmanager
    def writing(
        self, context: dg.OpExecutionContext, *, publish_at_end: bool = True
    ) -> Iterator[Any]:
        """Write the warehouse for this step (`warehouse.access.writing`), as `<run> <step>`.

        Having waited `writer_wait_s` for another writer is not retried: the wait was the retry.
        """
        from warehouse.access import writing
        from warehouse.errors import WriterBusy

        holder = f"run {context.run_id[:8]} step {context.op_handle}"
        try:
            with writing(
                self.location(),
                holder,
                wait_s=self.writer_wait_s,
                publish_at_end=publish_at_end,
                on_wait=lambda message: report(context, message),
            ) as writer:
                yield writer
        except WriterBusy as exc:
            raise dg.Failure(description=str(exc), allow_retries=False) from exc


class MakiniResource(dg.ConfigurableResource):
    """The Makini API: base URL, connections (JSON or file path) and HTTP behaviour."""

    base_url: str = settings.DEFAULT_MAKINI_BASE_URL
    connections: str
    per_page: int = settings.DEFAULT_MAKINI_PER_PAGE
    lookback_s: int = settings.DEFAULT_MAKINI_LOOKBACK_S
    http_max_attempts: int = settings.DEFAULT_HTTP_MAX_ATTEMPTS
    http_backoff_s: float = settings.DEFAULT_HTTP_BACKOFF_S
    http_max_delay_s: float = settings.DEFAULT_HTTP_MAX_DELAY_S
    http_timeout_s: float = settings.DEFAULT_HTTP_TIMEOUT_S

    def parsed_connections(self) -> list[Connection]:
        return parse_connections(self.connections)

    def retry(self) -> RetrySettings:
        return RetrySettings(
            max_attempts=self.http_max_attempts,
            backoff_s=self.http_backoff_s,
            max_delay_s=self.http_max_delay_s,
            timeout_s=self.http_timeout_s,
        )


class NotifierResource(dg.ConfigurableResource):
    """Where connection status changes are announced (signed POST); no URL, no announcements."""

    url: str | None = None
    secret: str | None = None
    max_attempts: int = 5
    backoff_s: float = 1.0

    def announce(self, observation: Observation, previous_status: str | None):
        """Deliver in the background; returns the sending thread, or None when not configured."""
        if not self.url:
            return None
        notify = NotifySettings(self.url, self.secret or "", self.max_attempts, self.backoff_s)
        return notify_in_background(notify, notification_body(observation, previous_status))


class OeeDatabaseResource(dg.ConfigurableResource):
    """The plant OEE system's database (SQLAlchemy URL)."""

    url: str = settings.DEFAULT_OEE_DB_URL

    def safe_url(self) -> str:
        """The URL without its password, for logs."""
        from sqlalchemy.engine import make_url

        return make_url(self.url).render_as_string(hide_password=True)


def _optional_env(name: str) -> Any:
    """A Dagster EnvVar when the variable is set (secrets stay out of config), else None."""
    return dg.EnvVar(name) if settings.get(name) else None


def build_resources() -> dict[str, Any]:
    """Resources for the destination in `PLANTSYNC_DESTINATION`, read when definitions load."""
    warehouse = WarehouseResource(
        destination=settings.destination(),
        duckdb_path=str(settings.duckdb_path()),
        postgres_url=_optional_env("PLANTSYNC_POSTGRES_URL"),
        snowflake_account=_optional_env("SNOWFLAKE_ACCOUNT"),
        snowflake_user=_optional_env("SNOWFLAKE_USER"),
        snowflake_password=_optional_env("SNOWFLAKE_PASSWORD"),
        snowflake_private_key_path=_optional_env("SNOWFLAKE_PRIVATE_KEY_PATH"),
        snowflake_warehouse=_optional_env("SNOWFLAKE_WAREHOUSE"),
        snowflake_database=_optional_env("SNOWFLAKE_DATABASE"),
        snowflake_role=_optional_env("SNOWFLAKE_ROLE"),
        state_dir=str(settings.state_dir()),
        writer_wait_s=settings.writer_wait_s(),
        duckdb_memory_limit=settings.duckdb_memory_limit(),
    )
    makini = MakiniResource(
        base_url=settings.get("MAKINI_BASE_URL", settings.DEFAULT_MAKINI_BASE_URL),
        connections=dg.EnvVar("MAKINI_CONNECTIONS"),
        per_page=settings.makini_per_page(),
        lookback_s=settings.makini_lookback_s(),
        http_max_attempts=settings.http_max_attempts(),
        http_backoff_s=settings.http_backoff_s(),
        http_max_delay_s=settings.http_max_delay_s(),
        http_timeout_s=settings.http_timeout_s(),
    )
    notifier = NotifierResource(
        url=_optional_env("PLANTSYNC_STATUS_WEBHOOK_URL"),
        secret=_optional_env("PLANTSYNC_STATUS_WEBHOOK_SECRET"),
        backoff_s=settings.http_backoff_s(),
    )
    return {
        "warehouse": warehouse,
        "makini": makini,
        "oee_db": OeeDatabaseResource(url=settings.oee_db_url()),
        "notifier": notifier,
    }
