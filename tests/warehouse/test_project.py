"""Discovery, parsing, dependency errors, build order and --select."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.warehouse.example_project import write_project
from warehouse import load_project
from warehouse.errors import ProjectError
from warehouse.selection import select


def test_discovers_models_seeds_and_yaml(project_dir: Path) -> None:
    project = load_project(project_dir)
    assert set(project.models) == {
        "seeds.po_status_map",
        "staging.purchase_orders",
        "staging.purchase_order_lines",
        "canonical.purchase_orders",
        "canonical.purchase_order_lines",
        "marts.po_spend",
    }
    orders = project.models["canonical.purchase_orders"]
    assert orders.materialized == "table"
    assert orders.description == "One row per purchase order."
    assert orders.depends_on == (
        "seeds.po_status_map",
        "staging.purchase_order_lines",
        "staging.purchase_orders",
    )
    lines = project.models["canonical.purchase_order_lines"]
    assert (lines.materialized, lines.unique_key) == ("incremental", ("po_line_id",))
    assert project.models["staging.purchase_orders"].depends_on == ("raw_makini.purchase_orders",)
    assert project.models["seeds.po_status_map"].is_seed


def test_build_order_puts_every_model_after_its_inputs(project_dir: Path) -> None:
    project = load_project(project_dir)
    position = {fqn: i for i, fqn in enumerate(project.order)}
    for fqn, model in project.models.items():
        for dep in model.depends_on:
            if dep in project.models:
                assert position[dep] < position[fqn]


def test_cte_names_are_not_dependencies(project_dir: Path) -> None:
    deps = load_project(project_dir).models["canonical.purchase_orders"].depends_on
    assert not {"orders", "line_totals", "final"} & {d.split(".")[-1] for d in deps}


def test_unknown_table_names_the_file_and_table(tmp_path: Path) -> None:
    project_dir = write_project(
        tmp_path, {"marts/bad.sql": "select * from canonical.purchase_ordres"}
    )
    with pytest.raises(
        ProjectError, match=r"marts/bad\.sql: unknown table 'canonical\.purchase_ordres'"
    ):
        load_project(project_dir)


def test_undeclared_raw_table_is_unknown(tmp_path: Path) -> None:
    project_dir = write_project(
        tmp_path, {"staging/vendors.sql": "select * from raw_makini.vendors"}
    )
    with pytest.raises(
        ProjectError, match=r"staging/vendors\.sql: unknown table 'raw_makini\.vendors'"
    ):
        load_project(project_dir)


def test_unqualified_table_is_an_error(tmp_path: Path) -> None:
    project_dir = write_project(tmp_path, {"marts/bad.sql": "select * from purchase_orders"})
    with pytest.raises(
        ProjectError, match=r"bad\.sql: table 'purchase_orders' must be schema-qualified"
    ):
        load_project(project_dir)


def test_two_statements_are_an_error(tmp_path: Path) -> None:
    project_dir = write_project(tmp_path, {"marts/two.sql": "select 1 as a;\nselect 2 as b;"})
    with pytest.raises(ProjectError, match=r"marts/two\.sql: expected exactly one SELECT"):
        load_project(project_dir)


def test_non_select_is_an_error(tmp_path: Path) -> None:
    project_dir = write_project(tmp_path, {"marts/ddl.sql": "create table marts.x (a int)"})
    with pytest.raises(ProjectError, match=r"marts/ddl\.sql: expected exactly one SELECT.*CREATE"):
        load_project(project_dir)


def test_cycle_names_the_cycle(tmp_path: Path) -> None:
    project_dir = write_project(
        tmp_path,
        {
            "marts/a.sql": "select * from marts.b",
            "marts/b.sql": "select * from marts.a",
        },
    )
    with pytest.raises(
        ProjectError, match=r"dependency cycle: marts\.(a|b) -> marts\.(a|b) -> marts\.(a|b)"
    ):
        load_project(project_dir)


def test_yaml_for_a_missing_model_is_an_error(tmp_path: Path) -> None:
    project_dir = write_project(tmp_path, {"marts/_marts.yml": "models:\n  - name: nothing_here\n"})
    with pytest.raises(
        ProjectError, match=r"_marts\.yml:2: 'nothing_here' has no marts/nothing_here\.sql"
    ):
        load_project(project_dir)


def test_incremental_needs_unique_key(tmp_path: Path) -> None:
    project_dir = write_project(
        tmp_path,
        {"marts/_marts.yml": "models:\n  - name: po_spend\n    materialized: incremental\n"},
    )
    with pytest.raises(
        ProjectError, match=r"marts\.po_spend: incremental models need a unique_key"
    ):
        load_project(project_dir)


@pytest.mark.parametrize(
    ("selectors", "expected"),
    [
        ("po_spend", {"marts.po_spend"}),
        ("canonical.purchase_orders", {"canonical.purchase_orders"}),
        ("canonical.*", {"canonical.purchase_orders", "canonical.purchase_order_lines"}),
        (
            "+canonical.purchase_orders",
            {
                "canonical.purchase_orders",
                "staging.purchase_orders",
                "staging.purchase_order_lines",
                "seeds.po_status_map",
            },
        ),
        ("po_status_map+", {"seeds.po_status_map", "canonical.purchase_orders", "marts.po_spend"}),
        ("po_spend seeds.*", {"marts.po_spend", "seeds.po_status_map"}),
        ("", None),
    ],
)
def test_select(project_dir: Path, selectors: str, expected: set[str] | None) -> None:
    project = load_project(project_dir)
    chosen = select(project, selectors)
    assert set(chosen) == (expected or set(project.models))
    assert chosen == [fqn for fqn in project.order if fqn in chosen]  # build order kept


def test_select_ambiguous_name_asks_for_the_schema(project_dir: Path) -> None:
    with pytest.raises(ProjectError, match="'purchase_orders' is ambiguous"):
        select(load_project(project_dir), "purchase_orders")


def test_select_unknown_is_an_error(project_dir: Path) -> None:
    with pytest.raises(ProjectError, match="'nope' matches no model"):
        select(load_project(project_dir), ["nope"])
