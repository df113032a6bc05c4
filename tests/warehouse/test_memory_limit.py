"""Every DuckDB connection plantsync opens has a bounded memory and spills into the warehouse's
own sync folder; PLANTSYNC_DUCKDB_MEMORY_LIMIT sets the bound and a bad value is named at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import settings
from pipelines.destinations import dlt_destination, warehouse_pipeline
from plantsync.run_command import run
from settings import SettingsError
from settings.warehouse import WarehouseSettings
from warehouse.access import open_reader, writing
from warehouse.connections import Warehouse

LIMIT = "300MiB"
SHOWN = "300.0 MiB"  # how DuckDB reports that limit


@pytest.fixture
def location(monkeypatch: pytest.MonkeyPatch) -> WarehouseSettings:
    monkeypatch.setenv("PLANTSYNC_DUCKDB_MEMORY_LIMIT", LIMIT)
    return WarehouseSettings.from_env()


def duckdb_settings(warehouse: Warehouse) -> tuple[str, Path]:
    (limit, temp), *_ = warehouse.query(
        "select current_setting('memory_limit'), current_setting('temp_directory')"
    )
    return limit, Path(temp)


def test_default_limit() -> None:
    assert settings.duckdb_memory_limit() == settings.DEFAULT_DUCKDB_MEMORY_LIMIT


@pytest.mark.parametrize(
    ("value", "expected"), [("1GB", "1GB"), (" 512mb ", "512MB"), ("1.5gib", "1.5GiB")]
)
def test_sizes_with_a_unit_are_accepted(monkeypatch, value: str, expected: str) -> None:
    monkeypatch.setenv("PLANTSYNC_DUCKDB_MEMORY_LIMIT", value)

    assert settings.duckdb_memory_limit() == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [("lots", "is not a size"), ("512", "is not a size"), ("-1GB", "is not a size"),
     ("80%", "is not a size"), ("10MB", "at least 64MB"), ("0.01GB", "at least 64MB")],
)  # fmt: skip
def test_bad_limit_names_the_variable_and_value(monkeypatch, value: str, reason: str) -> None:
    monkeypatch.setenv("PLANTSYNC_DUCKDB_MEMORY_LIMIT", value)

    with pytest.raises(SettingsError, match=f"PLANTSYNC_DUCKDB_MEMORY_LIMIT='{value}'.*{reason}"):
        WarehouseSettings.from_env()


def test_run_refuses_a_bad_limit_before_any_work(monkeypatch) -> None:
    monkeypatch.setenv("PLANTSYNC_DUCKDB_MEMORY_LIMIT", "plenty")

    result = CliRunner().invoke(run, ["--source", "makini"])

    assert result.exit_code != 0
    assert "PLANTSYNC_DUCKDB_MEMORY_LIMIT='plenty'" in str(result.exception)


def test_writer_reader_and_dlt_connections_are_bounded(location: WarehouseSettings) -> None:
    with writing(location, "test", wait_s=0) as writer, writer.connect() as warehouse:
        warehouse.execute("create table t as select 1 as id")
        assert duckdb_settings(warehouse) == (SHOWN, location.sync_dir / "duckdb_tmp")

    with open_reader(location) as reader:
        assert duckdb_settings(reader) == (SHOWN, location.sync_dir / "duckdb_tmp")

    with warehouse_pipeline("probe", "probe", location) as pipeline:
        pipeline.run([{"id": 1}], table_name="ping")
        with pipeline.sql_client() as client:
            limit = client.execute_sql("select current_setting('memory_limit')")[0][0]
    assert limit == SHOWN


def test_dagster_steps_get_the_limit(location: WarehouseSettings) -> None:
    from assets.resources import build_resources

    assert build_resources()["warehouse"].location() == location


def test_dlt_loads_one_job_at_a_time(location: WarehouseSettings) -> None:
    """Parallel load jobs would share one memory limit and run out of it together."""
    with dlt_destination(location) as destination:
        capabilities = destination.capabilities()

    assert capabilities.loader_parallelism_strategy == "sequential"
