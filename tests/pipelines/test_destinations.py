"""Destinations from settings, and the Snowflake path of the Makini source without Snowflake:
extract and normalize run offline (fakesnow cannot stand in for dlt's Snowflake loader)."""

from __future__ import annotations

import os

import pytest

from pipelines.destinations import dlt_destination, dlt_pipeline
from pipelines.makini.client import RetrySettings
from pipelines.makini.connections import parse_connections
from pipelines.makini.source import ExtractionReport, makini_source

OFFLINE_SNOWFLAKE = {
    "account": "offline-test",
    "user": "plantsync",
    "password": "not-used",
    "database": "PLANTSYNC",
    "warehouse": "PLANTSYNC_WH",
}


def test_unknown_destination_is_named() -> None:
    with pytest.raises(ValueError, match="unknown destination 'bigquery'"):
        dlt_destination("bigquery")


def test_postgres_needs_its_url() -> None:
    with pytest.raises(ValueError, match="PLANTSYNC_POSTGRES_URL"):
        dlt_destination("postgres")


def test_postgres_url_without_password_works(postgres_url) -> None:
    """dlt insists on a password; trust-auth servers (like the local one) have none."""
    assert "@" in postgres_url and ":" not in postgres_url.split("//")[1].split("@")[0]
    pipeline = dlt_pipeline(
        "pg_probe", "probe", dlt_destination("postgres", postgres_url=postgres_url)
    )

    pipeline.run([{"id": 1}], table_name="ping")

    with pipeline.sql_client() as client:
        assert client.execute_sql("select count(*) from ping")[0][0] == 1


def test_makini_extract_and_normalize_for_snowflake_offline(makini_sandbox) -> None:
    sandbox = makini_sandbox(seed=2, connections=2, purchase_orders=25)
    pipeline = dlt_pipeline(
        "makini_snowflake_offline",
        "raw_makini",
        dlt_destination("snowflake", snowflake=OFFLINE_SNOWFLAKE),
    )
    report = ExtractionReport()
    source = makini_source(
        sandbox.base_url,
        parse_connections(sandbox.connections_json()),
        retry=RetrySettings(max_attempts=1, max_delay_s=0),
        report=report,
    )

    pipeline.extract(source, loader_file_format="parquet")
    info = pipeline.normalize()

    counts = info.row_counts
    assert counts["purchase_orders"] == 50
    assert counts["purchase_order_lines"] == report.rows["purchase_order_lines"] > 0
    table = pipeline.default_schema.get_table("purchase_orders")
    assert table["columns"]["total_net_value"]["data_type"] == "decimal"
    assert table["columns"]["updated_at"]["data_type"] == "timestamp"
    lines = pipeline.default_schema.get_table("purchase_order_lines")
    assert lines["write_disposition"] == "merge"
    assert lines["columns"]["purchase_order_key"]["merge_key"] is True
    assert os.listdir(os.path.join(pipeline.working_dir, "load", "normalized"))
