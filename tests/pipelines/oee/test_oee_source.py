"""The OEE source against SQLite, PostgreSQL and MariaDB: reflection, merge, incremental."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import dlt
import duckdb
import pyarrow as pa
import pytest

from pipelines.oee.helpers import absolute_sqlite_url, to_naive_utc
from pipelines.oee.pipeline import run_oee
from pipelines.oee.settings import OEE_TABLES
from pipelines.oee.source import oee_source
from sandbox.plant import apply_late_updates, generate

FIRST_RUN = datetime(2026, 1, 8, 0, 0, tzinfo=UTC)
SECOND_RUN = datetime(2026, 1, 8, 6, 0, tzinfo=UTC)


def _pipeline(duckdb_path: Path) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name="oee_source_test",
        destination=dlt.destinations.duckdb(str(duckdb_path)),
        dataset_name="raw_oee",
    )


def _counts(duckdb_path: Path) -> dict[str, int]:
    with duckdb.connect(str(duckdb_path)) as con:
        return {
            table: con.execute(f"select count(*) from raw_oee.{table}").fetchone()[0]
            for table in OEE_TABLES
        }


def _load_generate_update_reload(url: str, duckdb_path: Path) -> None:
    """Generate 2 lines x 3 days, load, close the open events late, load again."""
    written = generate(url, lines=2, days=3, seed=11)
    pipeline = _pipeline(duckdb_path)
    run_oee(url, pipeline, extracted_at=FIRST_RUN)
    assert _counts(duckdb_path) == written
    with duckdb.connect(str(duckdb_path)) as con:
        open_ids = [
            r[0]
            for r in con.execute(
                "select event_id from raw_oee.downtime_events where ended_at is null"
            ).fetchall()
        ]
    assert open_ids, "the generator leaves events open at the end"

    changes = apply_late_updates(url)
    run_oee(url, pipeline, extracted_at=SECOND_RUN)

    counts = _counts(duckdb_path)
    assert counts["downtime_events"] == written["downtime_events"]  # updated, not duplicated
    assert counts["production_counts"] == written["production_counts"] + changes["added_counts"]
    with duckdb.connect(str(duckdb_path)) as con:
        still_open = con.execute(
            "select count(*) from raw_oee.downtime_events where ended_at is null"
        ).fetchone()[0]
        duplicates = con.execute(
            "select count(*) from (select event_id from raw_oee.downtime_events "
            "group by event_id having count(*) > 1)"
        ).fetchone()[0]
        restamped = con.execute(
            "select count(*) from raw_oee.downtime_events where _extracted_at = ?", [SECOND_RUN]
        ).fetchone()[0]
        lines_restamped = con.execute(
            "select bool_and(_extracted_at = ?) from raw_oee.lines", [SECOND_RUN]
        ).fetchone()[0]
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'raw_oee' and table_name = 'downtime_events'"
            ).fetchall()
        )
    assert still_open == 0 and duplicates == 0
    # only the closed events came again (incremental on updated_at)
    assert restamped == len(open_ids)
    # dimensions are re-read every run: the latest extraction time is on every line
    assert lines_restamped
    assert types["started_at"] == "TIMESTAMP"  # the plant's naive UTC
    assert types["_extracted_at"] == "TIMESTAMP WITH TIME ZONE"


@pytest.mark.slow
def test_sqlite_incremental_merge(isolated_env):
    _load_generate_update_reload(
        f"sqlite:///{isolated_env / 'plant.db'}", isolated_env / "w.duckdb"
    )


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_incremental_merge(postgres_url, isolated_env):
    _load_generate_update_reload(postgres_url, isolated_env / "w.duckdb")


@pytest.mark.slow
@pytest.mark.mariadb
def test_mariadb_incremental_merge(mariadb_url, isolated_env):
    _load_generate_update_reload(mariadb_url, isolated_env / "w.duckdb")


def test_relative_sqlite_url_is_made_absolute(isolated_env, monkeypatch):
    monkeypatch.chdir(isolated_env)
    generate("sqlite:///plant.db", lines=1, days=1, seed=1)
    assert absolute_sqlite_url("sqlite:///plant.db") == f"sqlite:///{isolated_env / 'plant.db'}"
    assert absolute_sqlite_url("postgresql://u@h/db") == "postgresql://u@h/db"
    with pytest.raises(FileNotFoundError, match=r"missing\.db"):
        absolute_sqlite_url("sqlite:///missing.db")


def test_resources_named_as_tables_merge_on_reflected_keys(isolated_env):
    url = f"sqlite:///{isolated_env / 'plant.db'}"
    generate(url, lines=1, days=1, seed=1)
    source = oee_source(url)
    assert list(source.resources) == list(OEE_TABLES)
    events = source.resources["downtime_events"]
    assert events.write_disposition == "merge"
    assert events.compute_table_schema()["columns"]["event_id"].get("primary_key")
    assert events.incremental is not None


def test_missing_table_is_named(isolated_env):
    import sqlalchemy as sa

    url = f"sqlite:///{isolated_env / 'plant.db'}"
    generate(url, lines=1, days=1, seed=1)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("drop table quality_events"))
    engine.dispose()
    with pytest.raises(Exception, match="quality_events"):
        oee_source(url)


def test_empty_tables_still_land(isolated_env):
    from tests.models.oee_fixtures import build_plant

    url = build_plant(isolated_env / "plant.db")
    run_oee(url, _pipeline(isolated_env / "w.duckdb"))
    counts = _counts(isolated_env / "w.duckdb")
    assert counts["lines"] == 1 and counts["quality_events"] == 0
    with duckdb.connect(str(isolated_env / "w.duckdb")) as con:
        columns = [
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'raw_oee' and table_name = 'quality_events'"
            ).fetchall()
        ]
    assert "_extracted_at" in columns and "updated_at" in columns


def test_timezone_aware_columns_become_naive_utc():
    aware = pa.table(
        {"at": pa.array([datetime(2026, 1, 5, 12)], pa.timestamp("us", "Europe/Berlin"))}
    )
    naive = to_naive_utc(aware)
    assert naive.schema.field("at").type == pa.timestamp("us")
    # Arrow keeps instants in UTC: 12:00 UTC stays 12:00
    assert naive.column("at")[0].as_py() == datetime(2026, 1, 5, 12)


@pytest.mark.slow
def test_main_loads_the_configured_database(isolated_env, monkeypatch):
    from pipelines.oee.__main__ import main

    monkeypatch.chdir(isolated_env)
    generate("sqlite:///plant.db", lines=1, days=1, seed=1)
    monkeypatch.setenv("PLANTSYNC_OEE_DB_URL", "sqlite:///plant.db")
    assert main([]) == 0
    assert _counts(isolated_env / "oee.duckdb")["lines"] == 1
    assert main(["sqlite:///plant.db", "other.duckdb"]) == 0
    assert _counts(isolated_env / "other.duckdb")["lines"] == 1
