"""Transpiling to snowflake and postgres, and the guards for what sqlglot lets through."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot

from tests.warehouse.example_project import write_project
from warehouse import load_project
from warehouse.compile import GUARDS, compile_model, compile_project, transpile
from warehouse.errors import CompileError


def _tree(sql: str) -> sqlglot.exp.Expression:
    return sqlglot.parse_one(sql, read="duckdb")


@pytest.mark.parametrize("target", ["duckdb", "snowflake", "postgres"])
def test_every_model_compiles(project_dir: Path, target: str) -> None:
    compiled = compile_project(load_project(project_dir), target)
    assert len(compiled) == 6
    assert all(sql.lower().startswith(("select", "with")) for sql in compiled.values())


def test_duckdb_gets_the_file_text(project_dir: Path) -> None:
    project = load_project(project_dir)
    sql = compile_model(project, "marts.po_spend", "duckdb")
    assert sql == project.models["marts.po_spend"].sql.strip()


def test_group_by_all_becomes_ordinals_on_postgres(project_dir: Path) -> None:
    sql = compile_model(load_project(project_dir), "marts.po_spend", "postgres")
    assert "GROUP BY 1, 2" in sql
    assert "GROUP BY ALL" in compile_model(load_project(project_dir), "marts.po_spend", "snowflake")


@pytest.mark.parametrize("target", ["snowflake", "postgres"])
def test_unknown_function_passed_through_is_refused(target: str) -> None:
    with pytest.raises(
        CompileError, match=r"marts\.x: function list_aggr\(\) is unknown to sqlglot"
    ):
        transpile("marts.x", _tree("select list_aggr(xs, 'sum') as total from s.t"), target)


@pytest.mark.parametrize("target", ["snowflake", "postgres"])
def test_try_cast_is_refused(target: str) -> None:
    with pytest.raises(CompileError, match=r"marts\.x: try_cast on .* becomes a plain CAST"):
        transpile("marts.x", _tree("select try_cast(a as integer) as a from s.t"), target)


def test_try_cast_is_fine_on_duckdb() -> None:
    assert "TRY_CAST" in transpile(
        "marts.x", _tree("select try_cast(a as int) as a from s.t"), "duckdb"
    )


def test_struct_literal_is_refused_on_postgres_only() -> None:
    tree = _tree("select {'a': 1} as s from s.t")
    assert "OBJECT_CONSTRUCT" in transpile("marts.x", tree, "snowflake")
    with pytest.raises(CompileError, match="struct literal on postgres"):
        transpile("marts.x", tree, "postgres")


def test_lambda_is_refused() -> None:
    with pytest.raises(CompileError, match="lambda"):
        transpile(
            "marts.x", _tree("select list_transform(xs, x -> x + 1) as y from s.t"), "snowflake"
        )


def test_unsupported_construct_raises_with_model_name() -> None:
    # sqlglot itself knows postgres has no PIVOT and raises under ErrorLevel.RAISE
    tree = _tree("select * from s.t pivot (sum(x) for y in (1, 2))")
    with pytest.raises(CompileError, match=r"marts\.x: .*does not transpile to postgres"):
        transpile("marts.x", tree, "postgres")


@pytest.mark.parametrize(
    ("sql", "target", "function"),
    [
        ("select string_split(a, '-') as a from s.t", "postgres", "split"),
        ("select approx_quantile(a, 0.5) as q from s.t", "postgres", "approx_quantile"),
        ("select first(a) as a from s.t", "snowflake", "first"),
    ],
)
def test_function_written_under_its_duckdb_name_is_refused(
    sql: str, target: str, function: str
) -> None:
    with pytest.raises(CompileError, match=rf"function without a translation {function}\(\)"):
        transpile("marts.x", _tree(sql), target)


def test_translated_functions_pass() -> None:
    sql = "select arg_max(a, b) as a, approx_quantile(a, 0.5) as q from s.t"
    assert "MAX_BY(a, b)" in transpile("marts.x", _tree(sql), "snowflake")


def test_guard_list_is_explicit() -> None:
    assert {g.construct for g in GUARDS} == {
        "try_cast",
        "struct literal",
        "lambda",
        "select * exclude/replace",
        "levenshtein()",
        "unnest()",
        "list element or struct field access",
        "function without a translation",
    }


def test_translations_apply_inside_other_translations() -> None:
    sql = transpile(
        "marts.x", _tree("select round(date_diff('month', a, b) / 2) as r from s.t"), "postgres"
    )
    assert "AGE(" not in sql and "EXTRACT(MONTH FROM b)" in sql and "FLOOR(ABS(" in sql


def test_model_failing_a_guard_names_model_and_construct(tmp_path: Path) -> None:
    project = load_project(
        write_project(tmp_path, {"marts/sums.sql": "select list_aggr([1, 2], 'sum') as s"})
    )
    with pytest.raises(CompileError, match=r"^marts\.sums: function list_aggr\(\)"):
        compile_project(project, "snowflake")
