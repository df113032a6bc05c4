"""A thin, uniform connection to the warehouse: DuckDB (file), PostgreSQL or Snowflake.

The engine needs only a handful of operations, so this wraps each DB-API driver instead of
pulling in SQLAlchemy dialects. Snowflake goes through `snowflake.connector.connect`, looked up
at call time so fakesnow's patch applies in tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from settings.warehouse import WarehouseSettings, open_duckdb
from warehouse.errors import WarehouseError, WarehouseFileError

DIALECTS = ("duckdb", "snowflake", "postgres")
# DuckDB's words for a file that is not one of its databases.
_NOT_A_DATABASE = ("not a valid DuckDB database file",)


class WarehouseConnectionError(WarehouseError):
    """The warehouse could not be reached or opened."""


class Rows(list):
    """Query result rows (tuples) that also carry the lower-cased column names."""

    def __init__(self, rows: list[tuple], columns: list[str]) -> None:
        super().__init__(rows)
        self.columns = columns


class Warehouse:
    """One open connection. Statements run in autocommit unless inside `transaction()`."""

    dialect: str = ""
    # Snowflake commits DDL implicitly, so engine code must not rely on DDL rollback there.
    transactional_ddl: bool = True
    # `create or replace table t as select ...` is one atomic statement: on failure the old
    # table stays (DuckDB, Snowflake). PostgreSQL has no such statement.
    atomic_replace_table: bool = False

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def execute(self, sql: str) -> None:
        """Run one statement, discarding any result."""
        cursor = self._connection.cursor()
        try:
            cursor.execute(sql)
        finally:
            cursor.close()

    def query(self, sql: str) -> Rows:
        """Run one query; rows as tuples, column names on `.columns`."""
        cursor = self._connection.cursor()
        try:
            cursor.execute(sql)
            columns = [str(d[0]).lower() for d in cursor.description or []]
            return Rows([tuple(r) for r in cursor.fetchall()], columns)
        finally:
            cursor.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All statements inside commit together or not at all."""
        self.execute("begin")
        try:
            yield
        except BaseException:
            self.execute("rollback")
            raise
        self.execute("commit")

    def relation_type(self, table: str) -> str | None:
        """'table', 'view' or None for `schema.name`."""
        schema, name = _split(table)
        rows = self.query(
            "select table_type from information_schema.tables "
            f"where lower(table_schema) = '{schema}' and lower(table_name) = '{name}'"
        )
        return _kind(rows[0][0]) if rows else None

    def relations(self, schemas: Iterable[str]) -> dict[str, str]:
        """'table' or 'view' of every relation in `schemas`, by lower-case `schema.name`: one
        query where a `relation_type` per table would each run their own."""
        listed = _listed(schemas)
        if not listed:
            return {}
        rows = self.query(
            "select lower(table_schema), lower(table_name), table_type "
            f"from information_schema.tables where lower(table_schema) in ({listed})"
        )
        return {f"{schema}.{name}": _kind(kind) for schema, name, kind in rows}

    def table_exists(self, table: str) -> bool:
        return self.relation_type(table) is not None

    def columns(self, table: str) -> list[tuple[str, str]]:
        """(name, type) of `schema.name` in column order; names lower-cased."""
        return self.columns_of([table]).get(table.lower(), [])

    def columns_of(self, tables: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
        """`columns` of each of `tables` that exists, by lower-case `schema.name`, in one query."""
        wanted = {_split(table) for table in tables}
        if not wanted:
            return {}
        # Plain column filters: the catalog views filter those before building their rows.
        schemas = _listed({schema for schema, _ in wanted})
        names = _listed({name for _, name in wanted})
        rows = self.query(
            "select lower(table_schema), lower(table_name), column_name, data_type "
            "from information_schema.columns "
            f"where lower(table_schema) in ({schemas}) and lower(table_name) in ({names}) "
            "order by table_schema, table_name, ordinal_position"
        )
        found: dict[str, list[tuple[str, str]]] = {}
        for schema, name, column, type_ in rows:
            if (schema, name) in wanted:
                found.setdefault(f"{schema}.{name}", []).append((str(column).lower(), str(type_)))
        return found

    def create_schema(self, schema: str) -> None:
        self.execute(f"create schema if not exists {schema}")

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DuckDBWarehouse(Warehouse):
    dialect = "duckdb"
    atomic_replace_table = True

    def execute(self, sql: str) -> None:
        # DuckDB's connection executes directly; a cursor per statement would be a new
        # connection object for no benefit.
        self._connection.execute(sql)

    def query(self, sql: str) -> Rows:
        result = self._connection.execute(sql)
        columns = [str(d[0]).lower() for d in result.description or []]
        return Rows(result.fetchall(), columns)


class PostgresWarehouse(Warehouse):
    dialect = "postgres"


class SnowflakeWarehouse(Warehouse):
    dialect = "snowflake"
    transactional_ddl = False
    atomic_replace_table = True

    # fakesnow lists views only in information_schema.views (Snowflake in both)
    def relation_type(self, table: str) -> str | None:
        found = super().relation_type(table)
        if found is None:
            schema, name = _split(table)
            views = self.query(
                "select table_name from information_schema.views "
                f"where lower(table_schema) = '{schema}' and lower(table_name) = '{name}'"
            )
            found = "view" if views else None
        return found

    def relations(self, schemas: Iterable[str]) -> dict[str, str]:
        schemas = list(schemas)
        found = super().relations(schemas)
        if schemas:
            views = self.query(
                "select lower(table_schema), lower(table_name) from information_schema.views "
                f"where lower(table_schema) in ({_listed(schemas)})"
            )
            found.update({f"{schema}.{name}": "view" for schema, name in views})
        return found


def _kind(table_type: object) -> str:
    return "view" if "VIEW" in str(table_type).upper() else "table"


def _listed(schemas: Iterable[str]) -> str:
    return ", ".join(sql_literal(schema.lower()) for schema in schemas)


def _split(table: str) -> tuple[str, str]:
    schema, _, name = table.lower().rpartition(".")
    if not schema or "'" in table:
        raise ValueError(f"expected schema.table, got {table!r}")
    return schema, name


def sql_literal(value: object) -> str:
    """A Python value as a SQL literal that reads the same in DuckDB, PostgreSQL and Snowflake."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def connect(
    destination: str,
    *,
    duckdb_path: str | Path | None = None,
    postgres_url: str | None = None,
    snowflake: dict[str, Any] | None = None,
    read_only: bool = False,
    duckdb_config: Mapping[str, str] | None = None,
) -> Warehouse:
    """Open a warehouse connection for `destination` (duckdb, postgres or snowflake);
    `duckdb_config` holds DuckDB settings (`WarehouseSettings.duckdb_config`).

    Raises ValueError for missing parameters, WarehouseFileError when a DuckDB file is not a
    database, and WarehouseConnectionError (naming the destination and the driver's message)
    when the database cannot be reached.
    """
    try:
        return _connect(
            destination,
            duckdb_path=duckdb_path,
            postgres_url=postgres_url,
            snowflake=snowflake,
            read_only=read_only,
            duckdb_config=duckdb_config,
        )
    except (ValueError, WarehouseFileError):
        raise
    except Exception as exc:
        message = " ".join(str(exc).split())
        if destination == "duckdb" and any(s in message for s in _NOT_A_DATABASE):
            raise WarehouseFileError(f"DuckDB file {duckdb_path}: {message}") from exc
        raise WarehouseConnectionError(f"cannot connect to {destination}: {message}") from exc


def connect_settings(warehouse: WarehouseSettings, *, read_only: bool = False) -> Warehouse:
    """Open `warehouse`; for DuckDB its working database (what the sync writes)."""
    return connect(
        warehouse.destination,
        duckdb_path=warehouse.work_path if warehouse.is_duckdb else None,
        postgres_url=warehouse.postgres_url,
        snowflake=dict(warehouse.snowflake),
        read_only=read_only,
        duckdb_config=warehouse.duckdb_config() if warehouse.is_duckdb else None,
    )


def _connect(
    destination: str,
    *,
    duckdb_path: str | Path | None = None,
    postgres_url: str | None = None,
    snowflake: dict[str, Any] | None = None,
    read_only: bool = False,
    duckdb_config: Mapping[str, str] | None = None,
) -> Warehouse:
    if destination == "duckdb":
        if duckdb_path is None:
            raise ValueError("duckdb destination needs duckdb_path (PLANTSYNC_DUCKDB_PATH)")
        path = Path(duckdb_path)
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        return DuckDBWarehouse(open_duckdb(path, read_only=read_only, config=duckdb_config))
    if destination == "postgres":
        import psycopg2

        if not postgres_url:
            raise ValueError("postgres destination needs postgres_url (PLANTSYNC_POSTGRES_URL)")
        connection = psycopg2.connect(postgres_url)
        connection.autocommit = True  # explicit BEGIN/COMMIT in Warehouse.transaction
        if read_only:
            connection.set_session(readonly=True)
        return PostgresWarehouse(connection)
    if destination == "snowflake":
        # attribute lookup at call time: fakesnow patches snowflake.connector.connect
        from snowflake import connector as snowflake_connector

        if not snowflake:
            raise ValueError("snowflake destination needs connection parameters (SNOWFLAKE_*)")
        params = dict(snowflake)
        # Models convert naive UTC timestamps to local days; Snowflake reads naive values in
        # the session's time zone, so the session must be UTC.
        params["session_parameters"] = {"TIMEZONE": "UTC", **params.get("session_parameters", {})}
        return SnowflakeWarehouse(snowflake_connector.connect(**params))
    raise ValueError(f"destination {destination!r} is not one of {', '.join(DIALECTS)}")
