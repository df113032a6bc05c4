"""`plantsync models ...` end to end on DuckDB through click."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from plantsync.models_commands import models
from tests.warehouse.example_project import create_raw, write_project
from warehouse.connections import connect


@pytest.fixture
def project(tmp_path: Path, duckdb_path: Path) -> str:
    with connect("duckdb", duckdb_path=duckdb_path) as warehouse:
        create_raw(warehouse)
    return str(write_project(tmp_path))


def _invoke(*args: str):
    return CliRunner().invoke(models, list(args))


def test_compile_to_stdout_and_out_dir(project: str, tmp_path: Path) -> None:
    result = _invoke("compile", "--project-dir", project, "--target", "postgres", "-s", "po_spend")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("-- marts.po_spend\nSELECT")
    out = tmp_path / "compiled"
    result = _invoke(
        "compile", "--project-dir", project, "--target", "snowflake", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert (out / "canonical" / "purchase_orders.sql").read_text().startswith("WITH")


def test_compile_failure_is_one_line_and_nonzero(tmp_path: Path) -> None:
    project = write_project(tmp_path, {"marts/bad.sql": "select try_cast('1' as int) as x"})
    result = _invoke("compile", "--project-dir", str(project), "--target", "snowflake")
    assert result.exit_code == 1
    assert "marts.bad: try_cast on snowflake becomes a plain CAST" in result.output
    assert (
        result.output.strip().splitlines()[-1]
        == "Error: 1 of 7 models do not compile for snowflake"
    )


def test_run_test_and_lineage(project: str) -> None:
    result = _invoke("run", "--project-dir", project)
    assert result.exit_code == 0, result.output
    assert "canonical.purchase_orders" in result.output and "3 rows" in result.output
    assert "built 6 models" in result.output
    result = _invoke("test", "--project-dir", project)
    assert result.exit_code == 0, result.output
    assert "PASS canonical.purchase_orders unique_po_id" in result.output
    result = _invoke("lineage", "--project-dir", project, "-s", "staging.purchase_orders")
    assert result.exit_code == 0, result.output
    assert "po_key <- raw_makini.purchase_orders.key" in result.output


def test_lineage_goes_back_to_raw_columns_with_transformations_and_keys(project: str) -> None:
    assert _invoke("run", "--project-dir", project).exit_code == 0
    args = ("lineage", "--project-dir", project, "--target", "duckdb", "-s", "marts.po_spend")
    result = _invoke(*args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    total = lines.index("    total_net <- raw_makini.purchase_orders.total_net")
    assert lines[total + 1 : total + 3] == [
        "        staging.purchase_orders.total_net = CAST(total_net AS DECIMAL(18, 4))",
        "        marts.po_spend.total_net = CAST(SUM(total_net) AS DECIMAL(18, 4))",
    ]
    assert "    keys:" in lines
    assert "        group  raw_makini.purchase_orders.connection_id" in lines


def test_vars_option(tmp_path: Path) -> None:
    project = write_project(
        tmp_path, {"marts/limit.sql": "select * from marts.po_spend limit {{ var('n') }}"}
    )
    result = _invoke("compile", "--project-dir", str(project), "-s", "marts.limit",
                     "--target", "duckdb", "--vars", "{n: 2}")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "limit 2" in result.output
    result = _invoke("compile", "--project-dir", str(project), "--vars", "[1]")
    assert result.exit_code == 2 and "expected a mapping" in result.output
    result = _invoke("compile", "--project-dir", str(project), "-s", "marts.limit")
    assert result.exit_code == 1 and "marts/limit.sql:1: var('n') is not set" in result.output


def test_test_exits_1_and_prints_failing_rows(project: str, duckdb_path: Path) -> None:
    with connect("duckdb", duckdb_path=duckdb_path) as warehouse:
        create_raw(
            warehouse, orders=[("c1", "1", "open", "1", None), ("c1", "1", "open", "1", None)]
        )
    assert _invoke("run", "--project-dir", project).exit_code == 0
    result = _invoke("test", "--project-dir", project, "-s", "canonical.purchase_orders")
    assert result.exit_code == 1
    assert "FAIL canonical.purchase_orders unique_po_id (1 failing rows)" in result.output
    assert "    c1:1 | 2" in result.output
    assert "Error: 4 tests: 2 failed, 0 warned" in result.output


def test_unknown_selector_is_a_one_line_error(project: str) -> None:
    result = _invoke("run", "--project-dir", project, "-s", "nope")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: --select 'nope' matches no model"


def test_test_reports_models_not_built(project: str) -> None:
    result = _invoke(
        "test", "--project-dir", project, "-s", "marts.po_spend canonical.purchase_orders"
    )
    assert result.exit_code == 1
    assert "ERROR canonical.purchase_orders: not built yet (4 tests not run)" in result.output
    assert "could not run" in result.output.splitlines()[-1]
