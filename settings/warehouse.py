"""Which warehouse plantsync writes, and where a sync keeps the state that belongs to it.

A DuckDB warehouse is two things on disk: the file analysts open (`PLANTSYNC_DUCKDB_PATH`) and,
beside it, `<file>.sync/` holding the database the sync writes (`work.duckdb`, published to the
analysts' file after each run) and dlt's scratch folders. PostgreSQL and Snowflake hold
everything themselves; their local scratch lives under `PLANTSYNC_STATE_DIR`, in a folder named
after the destination's identity, so two warehouses never share one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import settings
from settings.errors import SettingsError

if TYPE_CHECKING:
    import duckdb

WORK_FILE = "work.duckdb"
# Where DuckDB spills what does not fit in its memory limit: the warehouse's own sync folder,
# not a temporary folder other users share.
DUCKDB_TEMP_DIR = "duckdb_tmp"


@dataclass(frozen=True)
class WarehouseSettings:
    destination: str
    duckdb_path: Path | None = None  # the analysts' file; absolute
    postgres_url: str | None = field(default=None, repr=False)
    snowflake: Mapping[str, Any] = field(default_factory=dict, repr=False)
    state_root: Path | None = None
    duckdb_memory_limit: str = settings.DEFAULT_DUCKDB_MEMORY_LIMIT
    # False inside a DuckDB writing session that survives a reboot without them
    # (`warehouse.reboot_guard`): commits to the working database then skip the fsync.
    fsync_commits: bool = True

    def __post_init__(self) -> None:
        if self.destination not in settings.DESTINATIONS:
            raise SettingsError(
                f"PLANTSYNC_DESTINATION={self.destination!r} is not one of "
                f"{', '.join(settings.DESTINATIONS)}"
            )
        if self.destination == "duckdb" and self.duckdb_path is None:
            raise SettingsError("PLANTSYNC_DUCKDB_PATH is required for the duckdb destination")
        if self.destination == "postgres" and not self.postgres_url:
            raise SettingsError("PLANTSYNC_POSTGRES_URL is not set (destination postgres)")
        if self.destination == "snowflake" and not self.snowflake.get("account"):
            raise SettingsError("SNOWFLAKE_ACCOUNT is not set (destination snowflake)")

    @classmethod
    def from_env(cls, destination: str | None = None) -> WarehouseSettings:
        """The configured warehouse; `destination` overrides PLANTSYNC_DESTINATION."""
        kind = destination or settings.destination()
        return cls(
            destination=kind,
            duckdb_path=settings.duckdb_path(),
            postgres_url=settings.postgres_url() if kind == "postgres" else None,
            snowflake=settings.snowflake_params() if kind == "snowflake" else {},
            state_root=settings.state_dir(),
            duckdb_memory_limit=settings.duckdb_memory_limit(),
        )

    @property
    def is_duckdb(self) -> bool:
        return self.destination == "duckdb"

    def identity(self) -> str:
        """What makes this warehouse itself (no secrets): a path, a server and database."""
        if self.is_duckdb:
            return f"duckdb:{self.duckdb_path}"
        if self.destination == "postgres":
            url = urlsplit(str(self.postgres_url))
            user = f"{url.username}@" if url.username else ""
            return f"postgres:{user}{url.hostname or 'localhost'}:{url.port or 5432}{url.path}"
        return f"snowflake:{self.snowflake.get('account')}/{self.snowflake.get('database', '')}"

    def setting(self) -> str:
        """The setting that names this warehouse, with its value (no password), for messages."""
        if self.is_duckdb:
            return f"PLANTSYNC_DUCKDB_PATH={self.duckdb_path}"
        if self.destination == "postgres":
            return f"PLANTSYNC_POSTGRES_URL={self.identity().removeprefix('postgres:')}"
        return f"SNOWFLAKE_ACCOUNT={self.snowflake.get('account')}"

    @property
    def sync_dir(self) -> Path:
        """The folder of this warehouse's sync state and scratch files."""
        if self.is_duckdb:
            path = Path(str(self.duckdb_path))
            return path.with_name(path.name + ".sync")
        digest = hashlib.sha256(self.identity().encode()).hexdigest()[:16]
        root = self.state_root or settings.state_dir()
        return root / f"{self.destination}-{digest}"

    @property
    def work_path(self) -> Path:
        """DuckDB only: the database the sync writes; analysts get a published copy."""
        if not self.is_duckdb:
            raise ValueError(f"{self.destination} has no local working database")
        return self.sync_dir / WORK_FILE

    def duckdb_config(self) -> dict[str, str]:
        """DuckDB settings for every connection to this warehouse: bounded memory, spilling
        into the sync folder, and no fsync per commit where `fsync_commits` is off."""
        config = {
            "memory_limit": self.duckdb_memory_limit,
            "temp_directory": str(self.sync_dir / DUCKDB_TEMP_DIR),
        }
        if not self.fsync_commits:
            config["fsync_mode"] = "none"
        return config

    @property
    def dlt_dir(self) -> Path:
        """Root of dlt's pipeline folders for this warehouse (scratch; state is restored from
        the warehouse itself before every load)."""
        return self.sync_dir / "dlt"


def open_duckdb(
    path: str | Path, *, read_only: bool = False, config: Mapping[str, str] | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to `path` with `config` applied to its database.

    The settings are SET after connecting rather than passed to `duckdb.connect`: DuckDB
    refuses a second connection in this process to a file that is open with another config,
    and dlt opens the working database with none.
    """
    import duckdb

    connection = duckdb.connect(str(path), read_only=read_only)
    try:
        for name, value in (config or {}).items():
            connection.execute(f"set global {name} = ?", [value])
    except BaseException:
        connection.close()
        raise
    return connection
