"""Destinations from settings, and the Snowflake path of the Makini source without Snowflake:
extract and normalize run offline (fakesnow cannot stand in for dlt's Snowflake loader)."""

from __future__ import annotations

import os
from pathlib import Path

import dlt
import pytest

from pipelines.destinations import DLT_TELEMETRY, snowflake_credentials, warehouse_pipeline
from pipelines.makini.client import RetrySettings
from pipelines.makini.source import ExtractionReport, makini_source
from settings import SettingsError
from settings.connections import parse_connections
from settings.warehouse import WarehouseSettings

OFFLINE_SNOWFLAKE = {
    "account": "offline-test",
    "user": "plantsync",
    "password": "not-used",
    "database": "PLANTSYNC",
    "warehouse": "PLANTSYNC_WH",
}


def test_unknown_destination_is_named() -> None:
    with pytest.raises(SettingsError, match="PLANTSYNC_DESTINATION='bigquery'"):
        WarehouseSettings("bigquery")


def test_postgres_needs_its_url() -> None:
    with pytest.raises(SettingsError, match="PLANTSYNC_POSTGRES_URL"):
        WarehouseSettings("postgres")


def test_snowflake_parameters_get_dlt_names() -> None:
    params = {**OFFLINE_SNOWFLAKE, "private_key_file": "/k.p8", "role": "LOADER"}

    assert snowflake_credentials(params) == {
        "host": "offline-test",
        "username": "plantsync",
        "password": "not-used",
        "database": "PLANTSYNC",
        "warehouse": "PLANTSYNC_WH",
        "private_key_path": "/k.p8",
        "role": "LOADER",
    }


def test_scratch_folder_lives_with_the_warehouse_and_is_removed(tmp_path: Path) -> None:
    location = WarehouseSettings("duckdb", duckdb_path=tmp_path / "a" / "wh.duckdb")

    with warehouse_pipeline("probe", "probe", location) as pipeline:
        working_dir = Path(pipeline.working_dir)
        assert working_dir.is_relative_to(tmp_path / "a" / "wh.duckdb.sync" / "dlt")
        pipeline.run([{"id": 1}], table_name="ping")

    assert not working_dir.exists()
    assert (tmp_path / "a" / "wh.duckdb.sync" / "work.duckdb").is_file()


@pytest.mark.parametrize(("user_setting", "enabled"), [(None, False), ("true", True)])
def test_dlt_telemetry_is_off_unless_the_user_turns_it_on(
    tmp_path: Path, monkeypatch, user_setting: str | None, enabled: bool
) -> None:
    from dlt.common.configuration import resolve_configuration
    from dlt.common.configuration.specs import RuntimeConfiguration

    if user_setting is None:
        monkeypatch.delenv(DLT_TELEMETRY, raising=False)
    else:
        monkeypatch.setenv(DLT_TELEMETRY, user_setting)
    location = WarehouseSettings("duckdb", duckdb_path=tmp_path / "wh.duckdb")

    with warehouse_pipeline("probe", "probe", location):
        assert resolve_configuration(RuntimeConfiguration()).dlthub_telemetry is enabled


def test_duckdb_load_holds_one_connection_and_lets_go_of_it(tmp_path: Path) -> None:
    """Every load job of a run goes through one held connection, closed when the run ends: a
    connection left open would refuse the next one with another configuration."""
    import duckdb

    location = WarehouseSettings("duckdb", duckdb_path=tmp_path / "wh.duckdb")
    tables = {"ping": [{"id": 1}], "pong": [{"id": 2}, {"id": 3}]}

    with warehouse_pipeline("probe", "probe", location) as pipeline:
        credentials = pipeline.destination_client().config.credentials
        held = credentials.external_conn()
        assert held is not None
        pipeline.run([dlt.resource(rows, name=name) for name, rows in tables.items()])

    with pytest.raises(duckdb.ConnectionException):
        held.execute("select 1")
    with duckdb.connect(str(location.work_path), config={"threads": "1"}) as connection:
        counts = {
            t: connection.execute(f"select count(*) from probe.{t}").fetchone()[0] for t in tables
        }
    assert counts == {"ping": 1, "pong": 2}


def test_duckdb_loads_go_on_after_the_held_connection_spilled(tmp_path: Path) -> None:
    """DuckDB refuses to set its temporary directory again once it has spilled there: the held
    connection is configured once, not by dlt on every load."""
    location = WarehouseSettings(
        "duckdb", duckdb_path=tmp_path / "wh.duckdb", duckdb_memory_limit="32MB"
    )
    with warehouse_pipeline("probe", "probe", location) as pipeline:
        held = pipeline.destination_client().config.credentials.external_conn()
        held.execute("select count(*) from (select random() as r from range(3000000) order by r)")
        assert any((location.sync_dir / "duckdb_tmp").iterdir())  # it spilled
        pipeline.run([{"id": 1}], table_name="ping")
        pipeline.run([{"id": 2}], table_name="ping")
        with pipeline.sql_client() as client:
            assert client.execute_sql("select count(*) from ping")[0][0] == 2


def test_postgres_url_without_password_works(postgres_url, tmp_path: Path) -> None:
    """dlt insists on a password; trust-auth servers (like the local one) have none."""
    assert "@" in postgres_url and ":" not in postgres_url.split("//")[1].split("@")[0]
    location = WarehouseSettings("postgres", postgres_url=postgres_url, state_root=tmp_path)

    with warehouse_pipeline("pg_probe", "probe", location) as pipeline:
        pipeline.run([{"id": 1}], table_name="ping")
        with pipeline.sql_client() as client:
            assert client.execute_sql("select count(*) from ping")[0][0] == 1
        # keyed by the server and database, never by a password
        assert Path(pipeline.working_dir).is_relative_to(location.sync_dir)
    assert location.sync_dir.name.startswith("postgres-")


def test_makini_extract_and_normalize_for_snowflake_offline(makini_sandbox, tmp_path) -> None:
    sandbox = makini_sandbox(seed=2, connections=2, purchase_orders=25)
    location = WarehouseSettings("snowflake", snowflake=OFFLINE_SNOWFLAKE, state_root=tmp_path)
    report = ExtractionReport()
    source = makini_source(
        sandbox.base_url,
        parse_connections(sandbox.connections_json()),
        retry=RetrySettings(max_attempts=1, max_delay_s=0),
        report=report,
    )

    with warehouse_pipeline("makini_snowflake_offline", "raw_makini", location) as pipeline:
        pipeline.extract(source, loader_file_format="parquet")
        info = pipeline.normalize()
        normalized = os.listdir(os.path.join(pipeline.working_dir, "load", "normalized"))
        schema = pipeline.default_schema

    counts = info.row_counts
    assert counts["purchase_orders"] == 50
    assert counts["purchase_order_lines"] == report.rows["purchase_order_lines"] > 0
    table = schema.get_table("purchase_orders")
    assert table["columns"]["total_net_value"]["data_type"] == "decimal"
    assert table["columns"]["updated_at"]["data_type"] == "timestamp"
    lines = schema.get_table("purchase_order_lines")
    assert lines["write_disposition"] == "merge"
    assert lines["columns"]["purchase_order_key"]["merge_key"] is True
    assert normalized
