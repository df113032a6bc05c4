"""Settings from the environment (and an optional `.env`), read lazily and validated.

Every setting is documented in `.env.example`. Errors name the variable and the bad value
(never a secret).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dotenv import load_dotenv

from pipelines.makini.connections import Connection, parse_connections

if TYPE_CHECKING:
    from warehouse.connections import Warehouse

DESTINATIONS = ("duckdb", "snowflake", "postgres")


class SettingsError(ValueError):
    """A setting is missing or invalid."""


def load_env_file(path: str | Path = ".env") -> None:
    """Load `.env` if present; variables already set in the environment win."""
    load_dotenv(path, override=False)


def get(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def require(name: str) -> str:
    value = get(name)
    if value is None:
        raise SettingsError(f"{name} is not set (see .env.example)")
    return value


def number(name: str, default: float, kind: type = int) -> float:
    """A non-negative number setting; the error names the variable and the bad value."""
    value = get(name, str(default))
    try:
        parsed = kind(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r} is not a valid {kind.__name__}") from None
    if parsed < 0:
        raise SettingsError(f"{name}={value!r} must not be negative")
    return parsed


def destination() -> str:
    value = get("PLANTSYNC_DESTINATION", "duckdb").lower()
    if value not in DESTINATIONS:
        raise SettingsError(
            f"PLANTSYNC_DESTINATION={value!r} is not one of {', '.join(DESTINATIONS)}"
        )
    return value


def duckdb_path() -> Path:
    return Path(get("PLANTSYNC_DUCKDB_PATH", "data/warehouse.duckdb"))


def report_dir() -> Path:
    """Where the plant report is written (PLANTSYNC_REPORT_DIR, default data/report)."""
    return Path(get("PLANTSYNC_REPORT_DIR", "data/report"))


def makini_base_url() -> str:
    url = get("MAKINI_BASE_URL", "https://api.makini.io")
    if not url.startswith(("http://", "https://")):
        raise SettingsError(f"MAKINI_BASE_URL={url!r} must start with http:// or https://")
    return url.rstrip("/")


def makini_connections() -> list[Connection]:
    return parse_connections(require("MAKINI_CONNECTIONS"))


def oee_db_url() -> str:
    return get("PLANTSYNC_OEE_DB_URL", "sqlite:///data/plant.db")


def webhook_inbox_url() -> str:
    return get("PLANTSYNC_WEBHOOK_INBOX_URL", "sqlite:///data/webhook_inbox.db")


def snowflake_params() -> dict[str, Any]:
    """snowflake.connector.connect keyword arguments from the SNOWFLAKE_* settings."""
    params: dict[str, Any] = {"account": require("SNOWFLAKE_ACCOUNT")}
    params["user"] = require("SNOWFLAKE_USER")
    key_path = get("SNOWFLAKE_PRIVATE_KEY_PATH")
    if key_path:
        params["private_key_file"] = key_path
    else:
        params["password"] = require("SNOWFLAKE_PASSWORD")
    for name in ("warehouse", "database", "role"):
        value = get(f"SNOWFLAKE_{name.upper()}")
        if value:
            params[name] = value
    return params


def open_warehouse(target: str | None = None) -> Warehouse:
    """The configured warehouse (PLANTSYNC_DESTINATION unless `target` overrides it)."""
    from warehouse.connections import connect

    kind = target or destination()
    if kind == "duckdb":
        return connect("duckdb", duckdb_path=duckdb_path())
    if kind == "postgres":
        return connect("postgres", postgres_url=require("PLANTSYNC_POSTGRES_URL"))
    return connect("snowflake", snowflake=snowflake_params())
