"""plantsync's settings: environment variables (and an optional `.env`), defaults and validation.

The bottom of the stack: this package imports nothing else of the project, so every layer may
use it and every default lives here once. Values are read when asked for, never at import time.
Every setting is documented in `.env.example`; errors name the variable and the bad value
(never a secret).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from settings.connections import Connection, ConnectionsError, parse_connections
from settings.errors import PermanentError, SettingsError

DESTINATIONS = ("duckdb", "snowflake", "postgres")
DEFAULT_DUCKDB_PATH = "data/warehouse.duckdb"
DEFAULT_OEE_DB_URL = "sqlite:///data/plant.db"
DEFAULT_INBOX_URL = "sqlite:///data/webhook_inbox.db"
DEFAULT_STATE_DIR = "data/state"
DEFAULT_REPORT_DIR = "data/report"
DEFAULT_MAKINI_BASE_URL = "https://api.makini.io"
# Orders per page: large pages amortise request overhead; the API caps per_page at 1000.
DEFAULT_MAKINI_PER_PAGE = 500
MAX_MAKINI_PER_PAGE = 1000
# Rows updated within this many seconds before the last watermark are fetched again, so a row
# edited in the same second as the last load, or committed late by the back end, is not missed.
DEFAULT_MAKINI_LOOKBACK_S = 3600
DEFAULT_HTTP_TIMEOUT_S = 30.0
DEFAULT_HTTP_MAX_ATTEMPTS = 5
DEFAULT_HTTP_BACKOFF_S = 1.0
DEFAULT_HTTP_MAX_DELAY_S = 60.0
DEFAULT_STEP_RETRIES = 3
DEFAULT_STEP_RETRY_DELAY_S = 10.0
DEFAULT_RUN_RETRIES = 1
DEFAULT_RUN_RETRY_DELAY_S = 60.0
# How long a DuckDB writer waits for another writer before giving up.
DEFAULT_WRITER_WAIT_S = 1800.0
# Memory DuckDB may use for each database a process opens; beyond it, DuckDB spills to disk. Its
# own default, 80% of the machine's memory, would let a sync grow with the data until then. 192MB
# keeps a run under 700 MB in all; 128MB still loads and builds 1M order lines as fast.
DEFAULT_DUCKDB_MEMORY_LIMIT = "192MB"
MIN_DUCKDB_MEMORY_MB = 64
_MEMORY_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMGT]i?B)", re.IGNORECASE)
_MB_PER_UNIT = {"k": 2**-10, "m": 1, "g": 2**10, "t": 2**20}
DEFAULT_ASSET_OWNERS = "team:data-engineering"
INBOX_SCHEMES = ("sqlite", "postgresql")
# The webhook receiver sheds slow clients: a request (headers and body) must arrive within this
# many seconds, and at most this many connections are served at once (more get 503).
DEFAULT_WEBHOOK_READ_TIMEOUT_S = 10.0
MAX_WEBHOOK_READ_TIMEOUT_S = 30.0
DEFAULT_WEBHOOK_MAX_CONNECTIONS = 512
# Where a run's steps execute: in processes beside the run (one machine), or on Celery workers.
EXECUTORS = ("multiprocess", "celery")
CELERY_BROKER_SCHEMES = ("amqp", "amqps", "pyamqp", "redis", "rediss")
CELERY_BACKEND_SCHEMES = ("rpc", "redis", "rediss")

__all__ = [
    "DESTINATIONS",
    "Connection",
    "ConnectionsError",
    "PermanentError",
    "SettingsError",
    "parse_connections",
]


def load_env_file(path: str | Path = ".env") -> None:
    """Load `.env` if present; variables already set in the environment win."""
    from dotenv import load_dotenv

    load_dotenv(path, override=False)


def get(name: str, default: str | None = None) -> str | None:
    """The variable's value; unset or empty gives `default`."""
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def require(name: str) -> str:
    value = get(name)
    if value is None:
        raise SettingsError(f"{name} is not set (see .env.example)")
    return value


def number(name: str, default: float, kind: type = int) -> Any:
    """A non-negative number setting; the error names the variable and the bad value."""
    value = get(name, str(default))
    try:
        parsed = kind(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r} is not a valid {kind.__name__}") from None
    if parsed < 0:
        raise SettingsError(f"{name}={value!r} must not be negative")
    return parsed


def absolute(path: str | Path) -> Path:
    """`path` made absolute against the working directory, `~` expanded; symlinks kept."""
    return Path(os.path.abspath(Path(path).expanduser()))


# --- warehouse ------------------------------------------------------------------------------


def destination() -> str:
    value = (get("PLANTSYNC_DESTINATION", "duckdb") or "").lower()
    if value not in DESTINATIONS:
        raise SettingsError(
            f"PLANTSYNC_DESTINATION={value!r} is not one of {', '.join(DESTINATIONS)}"
        )
    return value


def duckdb_path() -> Path:
    """The DuckDB file analysts read (absolute: dlt and Dagster's step processes must agree)."""
    return absolute(get("PLANTSYNC_DUCKDB_PATH", DEFAULT_DUCKDB_PATH))


def report_dir() -> Path:
    """Where the plant report is written (absolute, like every path handed on)."""
    return absolute(get("PLANTSYNC_REPORT_DIR", DEFAULT_REPORT_DIR))


def state_dir() -> Path:
    """Where sync state of PostgreSQL and Snowflake warehouses is kept (one folder each)."""
    return absolute(get("PLANTSYNC_STATE_DIR", DEFAULT_STATE_DIR))


def postgres_url() -> str:
    return require("PLANTSYNC_POSTGRES_URL")


def snowflake_params() -> dict[str, Any]:
    """`snowflake.connector.connect` keyword arguments from the SNOWFLAKE_* settings."""
    params: dict[str, Any] = {
        "account": require("SNOWFLAKE_ACCOUNT"),
        "user": require("SNOWFLAKE_USER"),
    }
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


def writer_wait_s() -> float:
    return number("PLANTSYNC_WRITER_WAIT_S", DEFAULT_WRITER_WAIT_S, float)


def duckdb_memory_limit() -> str:
    """DuckDB's `memory_limit` for every connection to a DuckDB warehouse: a size with its unit
    (`512MB`, `2GB`, `1GiB`), at least 64 MB."""
    name = "PLANTSYNC_DUCKDB_MEMORY_LIMIT"
    value = get(name, DEFAULT_DUCKDB_MEMORY_LIMIT) or ""
    match = _MEMORY_SIZE.fullmatch(value.strip())
    if not match:
        raise SettingsError(f"{name}={value!r} is not a size such as 512MB or 2GB")
    amount, unit = float(match.group(1)), match.group(2)
    if amount * _MB_PER_UNIT[unit[0].lower()] < MIN_DUCKDB_MEMORY_MB:
        raise SettingsError(f"{name}={value!r} must be at least {MIN_DUCKDB_MEMORY_MB}MB")
    return f"{match.group(1)}{unit.upper().replace('IB', 'iB')}"


def asset_owners() -> list[str]:
    """Owners shown on every asset: emails or `team:<name>`, comma-separated."""
    raw = get("PLANTSYNC_ASSET_OWNERS", DEFAULT_ASSET_OWNERS) or ""
    owners = [o.strip() for o in raw.split(",") if o.strip()]
    for owner in owners:
        if not (owner.startswith("team:") and len(owner) > 5) and "@" not in owner:
            raise SettingsError(
                f"PLANTSYNC_ASSET_OWNERS: {owner!r} is neither an email nor team:<name>"
            )
    return owners


# --- Makini ---------------------------------------------------------------------------------


def makini_base_url() -> str:
    url = get("MAKINI_BASE_URL", DEFAULT_MAKINI_BASE_URL) or ""
    if not url.startswith(("http://", "https://")):
        raise SettingsError(f"MAKINI_BASE_URL={url!r} must start with http:// or https://")
    return url.rstrip("/")


def makini_connections() -> list[Connection]:
    return parse_connections(require("MAKINI_CONNECTIONS"))


def makini_per_page() -> int:
    value = number("PLANTSYNC_MAKINI_PER_PAGE", DEFAULT_MAKINI_PER_PAGE)
    if not 1 <= value <= MAX_MAKINI_PER_PAGE:
        raise SettingsError(
            f"PLANTSYNC_MAKINI_PER_PAGE={value} must be between 1 and {MAX_MAKINI_PER_PAGE}"
        )
    return value


def makini_lookback_s() -> int:
    return number("PLANTSYNC_MAKINI_LOOKBACK_S", DEFAULT_MAKINI_LOOKBACK_S)


def http_max_attempts() -> int:
    value = number("PLANTSYNC_HTTP_MAX_ATTEMPTS", DEFAULT_HTTP_MAX_ATTEMPTS)
    if value < 1:
        raise SettingsError(f"PLANTSYNC_HTTP_MAX_ATTEMPTS={value} must be at least 1")
    return value


def http_backoff_s() -> float:
    return number("PLANTSYNC_HTTP_BACKOFF_S", DEFAULT_HTTP_BACKOFF_S, float)


def http_max_delay_s() -> float:
    return number("PLANTSYNC_HTTP_MAX_DELAY_S", DEFAULT_HTTP_MAX_DELAY_S, float)


def http_timeout_s() -> float:
    return number("PLANTSYNC_HTTP_TIMEOUT_S", DEFAULT_HTTP_TIMEOUT_S, float)


# --- retries of steps and runs --------------------------------------------------------------


def step_retries() -> int:
    return number("PLANTSYNC_STEP_RETRIES", DEFAULT_STEP_RETRIES)


def step_retry_delay_s() -> float:
    return number("PLANTSYNC_STEP_RETRY_DELAY_S", DEFAULT_STEP_RETRY_DELAY_S, float)


def run_retries() -> int:
    return number("PLANTSYNC_RUN_RETRIES", DEFAULT_RUN_RETRIES)


def run_retry_delay_s() -> float:
    return number("PLANTSYNC_RUN_RETRY_DELAY_S", DEFAULT_RUN_RETRY_DELAY_S, float)


# --- OEE database, webhooks, status notifications -------------------------------------------


def oee_db_url() -> str:
    return get("PLANTSYNC_OEE_DB_URL", DEFAULT_OEE_DB_URL) or DEFAULT_OEE_DB_URL


def webhook_inbox_url() -> str:
    """The durable inbox: SQLite (WAL) or PostgreSQL; any other scheme can never work."""
    url = get("PLANTSYNC_WEBHOOK_INBOX_URL", DEFAULT_INBOX_URL) or DEFAULT_INBOX_URL
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    if scheme == "postgres":
        scheme = "postgresql"
    if ":" not in url or scheme not in INBOX_SCHEMES:
        raise SettingsError(
            f"PLANTSYNC_WEBHOOK_INBOX_URL={url!r}: unsupported scheme {scheme!r} "
            f"(use sqlite:///path or postgresql://...)"
        )
    return url


def webhook_read_timeout_s() -> float:
    """Seconds a receiver connection gets to deliver a whole request; more than 0, at most 30."""
    value = number("PLANTSYNC_WEBHOOK_READ_TIMEOUT_S", DEFAULT_WEBHOOK_READ_TIMEOUT_S, float)
    if not 0 < value <= MAX_WEBHOOK_READ_TIMEOUT_S:
        raise SettingsError(
            f"PLANTSYNC_WEBHOOK_READ_TIMEOUT_S={value:g} must be more than 0 and at most "
            f"{MAX_WEBHOOK_READ_TIMEOUT_S:g}"
        )
    return value


def webhook_max_connections() -> int:
    """Connections the receiver serves at once; a request on one beyond them is answered 503."""
    value = number("PLANTSYNC_WEBHOOK_MAX_CONNECTIONS", DEFAULT_WEBHOOK_MAX_CONNECTIONS)
    if value < 1:
        raise SettingsError(f"PLANTSYNC_WEBHOOK_MAX_CONNECTIONS={value} must be at least 1")
    return value


def status_webhook_url() -> str | None:
    return get("PLANTSYNC_STATUS_WEBHOOK_URL")


def status_webhook_secret() -> str | None:
    return get("PLANTSYNC_STATUS_WEBHOOK_SECRET")


# --- executor and Celery ----------------------------------------------------------------------


def executor() -> str:
    """`multiprocess` (default: steps in processes on the run's machine) or `celery` (steps on
    Celery workers). Celery needs a warehouse that takes writers from several machines: a DuckDB
    file has one writer on one machine, so that pairing is refused here, before anything runs."""
    value = (get("PLANTSYNC_EXECUTOR", EXECUTORS[0]) or "").lower()
    if value not in EXECUTORS:
        raise SettingsError(f"PLANTSYNC_EXECUTOR={value!r} is not one of {', '.join(EXECUTORS)}")
    if value == "celery" and destination() == "duckdb":
        raise SettingsError(
            "PLANTSYNC_EXECUTOR=celery runs steps on several workers, but "
            "PLANTSYNC_DESTINATION=duckdb is one file with one writer: use postgres or "
            "snowflake, or PLANTSYNC_EXECUTOR=multiprocess"
        )
    return value


def celery_broker_url() -> str:
    """The Celery broker (RabbitMQ or Redis); a secret when it carries a password."""
    return _celery_url("PLANTSYNC_CELERY_BROKER_URL", CELERY_BROKER_SCHEMES)


def celery_backend_url() -> str:
    """Where Celery workers leave step results: Redis, or `rpc://` (back through the broker)."""
    return _celery_url("PLANTSYNC_CELERY_BACKEND_URL", CELERY_BACKEND_SCHEMES)


def safe_url(url: str) -> str:
    """`url` with its password replaced by `***`, for messages."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def _celery_url(name: str, schemes: tuple[str, ...]) -> str:
    url = get(name)
    if url is None:
        raise SettingsError(f"{name} is not set (PLANTSYNC_EXECUTOR=celery; see .env.example)")
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in schemes:
        raise SettingsError(
            f"{name}={safe_url(url)!r}: scheme {scheme!r} is not one of {', '.join(schemes)}"
        )
    return url
