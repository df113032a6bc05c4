"""Dagster resources: the warehouse (one per destination) and the Makini API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg
import dlt

from pipelines.destinations import dlt_destination, dlt_pipeline
from pipelines.makini.client import RetrySettings
from pipelines.makini.connections import Connection, parse_connections
from pipelines.makini.notify import NotifySettings, notification_body, notify_in_background
from pipelines.makini.settings import (
    DEFAULT_BACKOFF_S,
    DEFAULT_BASE_URL,
    DEFAULT_LOOKBACK_S,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_DELAY_S,
    DEFAULT_PER_PAGE,
    DEFAULT_TIMEOUT_S,
)
from pipelines.makini.status import Observation
from plantsync.settings import get, number


class WarehouseResource(dg.ConfigurableResource):
    """Where raw data lands and models run: DuckDB file, PostgreSQL URL or Snowflake account."""

    destination: str = "duckdb"
    duckdb_path: str = "data/warehouse.duckdb"
    postgres_url: str | None = None
    snowflake_account: str | None = None
    snowflake_user: str | None = None
    snowflake_password: str | None = None
    snowflake_private_key_path: str | None = None
    snowflake_warehouse: str | None = None
    snowflake_database: str | None = None
    snowflake_role: str | None = None
    # dlt keeps its working files here; state itself lives in the warehouse.
    pipelines_dir: str | None = None

    def snowflake_credentials(self) -> dict[str, Any]:
        """Connection parameters in dlt's names (`connect` renames the key file parameter)."""
        credentials = {
            "account": self.snowflake_account,
            "user": self.snowflake_user,
            "password": self.snowflake_password,
            "private_key_path": self.snowflake_private_key_path,
            "warehouse": self.snowflake_warehouse,
            "database": self.snowflake_database,
            "role": self.snowflake_role,
        }
        return {k: v for k, v in credentials.items() if v}

    def dlt_pipeline(self, name: str, dataset: str) -> dlt.Pipeline:
        destination = dlt_destination(
            self.destination,
            duckdb_path=self.duckdb_path,
            postgres_url=self.postgres_url,
            snowflake=self.snowflake_credentials(),
        )
        return dlt_pipeline(name, dataset, destination, pipelines_dir=self.pipelines_dir)

    def connect(self):
        """An open `warehouse.connections.Warehouse` for the model engine and checks."""
        from warehouse.connections import connect

        if self.destination == "duckdb":
            Path(self.duckdb_path).parent.mkdir(parents=True, exist_ok=True)
        return connect(
            self.destination,
            duckdb_path=self.duckdb_path,
            postgres_url=self.postgres_url,
            snowflake=self.snowflake_credentials(),
        )


class MakiniResource(dg.ConfigurableResource):
    """The Makini API: base URL, connections (JSON or file path) and HTTP behaviour."""

    base_url: str = DEFAULT_BASE_URL
    connections: str
    per_page: int = DEFAULT_PER_PAGE
    lookback_s: int = DEFAULT_LOOKBACK_S
    http_max_attempts: int = DEFAULT_MAX_ATTEMPTS
    http_backoff_s: float = DEFAULT_BACKOFF_S
    http_max_delay_s: float = DEFAULT_MAX_DELAY_S
    http_timeout_s: float = DEFAULT_TIMEOUT_S

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
        settings = NotifySettings(self.url, self.secret or "", self.max_attempts, self.backoff_s)
        return notify_in_background(settings, notification_body(observation, previous_status))


class OeeDatabaseResource(dg.ConfigurableResource):
    """The plant OEE system's database (SQLAlchemy URL)."""

    url: str = "sqlite:///data/plant.db"

    def safe_url(self) -> str:
        """The URL without its password, for logs."""
        from sqlalchemy.engine import make_url

        return make_url(self.url).render_as_string(hide_password=True)


def _optional_env(name: str) -> Any:
    """A Dagster EnvVar when the variable is set (secrets stay out of config), else None."""
    return dg.EnvVar(name) if get(name) else None


def build_resources() -> dict[str, Any]:
    """Resources for the destination in `PLANTSYNC_DESTINATION`, read when definitions load."""
    destination = get("PLANTSYNC_DESTINATION", "duckdb").lower()
    warehouse = WarehouseResource(
        destination=destination,
        duckdb_path=get("PLANTSYNC_DUCKDB_PATH", "data/warehouse.duckdb"),
        postgres_url=_optional_env("PLANTSYNC_POSTGRES_URL"),
        snowflake_account=_optional_env("SNOWFLAKE_ACCOUNT"),
        snowflake_user=_optional_env("SNOWFLAKE_USER"),
        snowflake_password=_optional_env("SNOWFLAKE_PASSWORD"),
        snowflake_private_key_path=_optional_env("SNOWFLAKE_PRIVATE_KEY_PATH"),
        snowflake_warehouse=_optional_env("SNOWFLAKE_WAREHOUSE"),
        snowflake_database=_optional_env("SNOWFLAKE_DATABASE"),
        snowflake_role=_optional_env("SNOWFLAKE_ROLE"),
    )
    makini = MakiniResource(
        base_url=get("MAKINI_BASE_URL", DEFAULT_BASE_URL),
        connections=dg.EnvVar("MAKINI_CONNECTIONS"),
        per_page=number("PLANTSYNC_MAKINI_PER_PAGE", DEFAULT_PER_PAGE),
        lookback_s=number("PLANTSYNC_MAKINI_LOOKBACK_S", DEFAULT_LOOKBACK_S),
        http_max_attempts=number("PLANTSYNC_HTTP_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS),
        http_backoff_s=number("PLANTSYNC_HTTP_BACKOFF_S", DEFAULT_BACKOFF_S, float),
        http_max_delay_s=number("PLANTSYNC_HTTP_MAX_DELAY_S", DEFAULT_MAX_DELAY_S, float),
        http_timeout_s=number("PLANTSYNC_HTTP_TIMEOUT_S", DEFAULT_TIMEOUT_S, float),
    )
    oee = OeeDatabaseResource(url=get("PLANTSYNC_OEE_DB_URL", "sqlite:///data/plant.db"))
    notifier = NotifierResource(
        url=_optional_env("PLANTSYNC_STATUS_WEBHOOK_URL"),
        secret=_optional_env("PLANTSYNC_STATUS_WEBHOOK_SECRET"),
        backoff_s=number("PLANTSYNC_HTTP_BACKOFF_S", DEFAULT_BACKOFF_S, float),
    )
    return {"warehouse": warehouse, "makini": makini, "oee_db": oee, "notifier": notifier}
