"""The purchase-order models give DuckDB's rows and test outcomes on PostgreSQL and Snowflake."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.models.po_fixtures import create_raw, dirty_rows, po_project
from tests.support.compare import compare_targets
from warehouse import connect


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("rows", [None, "dirty"])
def test_postgres_matches_duckdb(tmp_path: Path, postgres_url: str, rows: str | None) -> None:
    project = po_project(tmp_path)
    data = dirty_rows() if rows else None
    with (
        connect("duckdb", duckdb_path=tmp_path / "w.duckdb") as duck,
        connect("postgres", postgres_url=postgres_url) as postgres,
    ):
        differences = compare_targets(project, lambda w: create_raw(w, data), duck, [postgres])
        # second build: the incremental renderings (merge, delete+insert) on each target
        again = compare_targets(project, lambda w: create_raw(w, data), duck, [postgres])
    assert differences == again == []


@pytest.mark.slow
def test_fakesnow_matches_duckdb(tmp_path: Path) -> None:
    """Dirty rows only (a superset of the clean ones): fakesnow costs ~20 s per build."""
    fakesnow = pytest.importorskip("fakesnow")
    project = po_project(tmp_path)
    data = dirty_rows()
    with (
        connect("duckdb", duckdb_path=tmp_path / "w.duckdb") as duck,
        fakesnow.patch(),
        connect("snowflake", snowflake={"database": "db1", "schema": "public"}) as snowflake,
    ):
        differences = compare_targets(project, lambda w: create_raw(w, data), duck, [snowflake])
        again = compare_targets(project, lambda w: create_raw(w, data), duck, [snowflake])
    assert differences == again == []
