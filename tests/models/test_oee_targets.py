"""Every OEE model compiles for Snowflake and PostgreSQL and gives DuckDB's rows there."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from sqlglot import ErrorLevel

import warehouse
from tests.models.oee_fixtures import (
    MODELS_DIR,
    OEE_MODELS,
    build_plant,
    load_plant,
    oee_selection,
    raw_oee_copier,
)
from tests.models.test_oee_conventions import EXTRACTED_AT, PLANT
from tests.support.compare import compare_targets

OWN_MODELS = [m for m in OEE_MODELS if m not in ("staging.assets", "staging.asset_downtime")]
THRESHOLDS = {"M30": 30}


@pytest.mark.parametrize("target", ["snowflake", "postgres"])
def test_every_oee_model_transpiles(target: str) -> None:
    project = warehouse.load_project(MODELS_DIR)
    for fqn in OWN_MODELS:
        sql = project.models[fqn].sql  # rendered: the marts use macros
        sqlglot.transpile(sql, read="duckdb", write=target, unsupported_level=ErrorLevel.RAISE)
        warehouse.compile_model(project, fqn, target)  # the engine's guards too


def _compare(tmp_path: Path, other: warehouse.Warehouse) -> list[str]:
    source_duckdb = tmp_path / "source.duckdb"
    load_plant(
        build_plant(tmp_path / "plant.db", **PLANT),
        source_duckdb,
        EXTRACTED_AT,
        pipelines_dir=tmp_path / "pipelines",
    )
    create_raw = raw_oee_copier(source_duckdb, micro_stop_thresholds=THRESHOLDS)
    with warehouse.connect("duckdb", duckdb_path=tmp_path / "reference.duckdb") as duck:
        return compare_targets(MODELS_DIR, create_raw, duck, [other], oee_selection(False))


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_matches_duckdb(tmp_path: Path, postgres_url: str) -> None:
    with warehouse.connect("postgres", postgres_url=postgres_url) as postgres:
        assert _compare(tmp_path, postgres) == []


@pytest.mark.slow
def test_fakesnow_matches_duckdb(tmp_path: Path) -> None:
    fakesnow = pytest.importorskip("fakesnow")
    with (
        fakesnow.patch(),
        warehouse.connect("snowflake", snowflake={"database": "db1", "schema": "public"}) as snow,
    ):
        assert _compare(tmp_path, snow) == []
