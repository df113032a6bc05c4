"""YAML tests: every kind passes on good data and fails on bad data, naming the failing rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.warehouse.example_project import (
    PURCHASE_ORDER_LINES,
    PURCHASE_ORDERS,
    create_raw,
    write_project,
)
from warehouse import load_project
from warehouse.connections import Warehouse
from warehouse.data_tests import model_tests, run_tests
from warehouse.errors import ProjectError
from warehouse.materialize import run


def _results(project_dir: Path, duck: Warehouse) -> dict[str, object]:
    project = load_project(project_dir)
    run(project, duck)
    return {f"{r.test.model}:{r.test.name}": r for r in run_tests(project, duck)}


def test_names_follow_the_contract(project_dir: Path) -> None:
    project = load_project(project_dir)
    names = [t.name for t in model_tests(project.models["canonical.purchase_orders"])]
    assert names == [
        "not_null_po_id",
        "unique_po_id",
        "accepted_values_status",
        "header_net_matches_lines",
    ]


def test_all_pass_on_clean_data(project_dir: Path, duck: Warehouse) -> None:
    results = _results(project_dir, duck)
    assert len(results) == 9
    assert {name: r.status for name, r in results.items() if not r.passed} == {}


def test_each_kind_fails_with_its_rows(project_dir: Path, duck: Warehouse) -> None:
    create_raw(
        duck,
        orders=[
            *PURCHASE_ORDERS,
            ("c1", "1", "open", "100.00", "2026-01-05 10:00:00"),
            (None, None, "weird", "1", None),
        ],
        lines=[*PURCHASE_ORDER_LINES, ("c9", "7", "10", "1", "1.00")],
    )
    results = _results(project_dir, duck)
    unique = results["canonical.purchase_orders:unique_po_id"]
    assert (unique.status, unique.failures, unique.rows) == ("fail", 1, [("c1:1", 2)])
    not_null = results["canonical.purchase_orders:not_null_po_id"]
    assert not_null.failures == 1 and not_null.rows[0][0] is None
    accepted = results["canonical.purchase_orders:accepted_values_status"]
    assert accepted.status == "warn"  # severity: warn
    assert [row[accepted.columns.index("status_raw")] for row in accepted.rows] == ["WEIRD"]
    expression = results["canonical.purchase_orders:header_net_matches_lines"]
    # c1:1 twice with 100 each vs lines 100 twice summed = 200; the NULL-key order has no lines
    assert expression.status == "fail" and expression.failures >= 1
    relationships = results["canonical.purchase_order_lines:relationships_po_id"]
    assert (relationships.failures, relationships.rows[0][:2]) == (1, ("c9:7:10", "c9:7"))
    assert results["seeds.po_status_map:unique_status_raw"].passed


def test_where_filter_and_unique_column_list(tmp_path: Path, duck: Warehouse) -> None:
    project_dir = write_project(
        tmp_path,
        {
            "marts/_marts.yml": """
models:
  - name: po_spend
    tests:
      - unique: {columns: [connection_id, status]}
      - unique: {columns: [connection_id], name: one_status_per_connection, severity: warn}
    columns:
      - name: orders
        tests:
          - accepted_values: {values: [2], where: "connection_id = 'c9'"}
"""
        },
    )
    results = _results(project_dir, duck)
    assert results["marts.po_spend:unique_connection_id_status"].passed
    per_connection = results["marts.po_spend:one_status_per_connection"]
    assert (per_connection.status, per_connection.rows) == ("warn", [("c1", 2)])
    assert results["marts.po_spend:accepted_values_orders"].passed  # filtered out


def test_failing_rows_are_capped_at_20(tmp_path: Path, duck: Warehouse) -> None:
    create_raw(duck, orders=[("c1", str(i), "bogus", "1", None) for i in range(25)], lines=[])
    results = _results(write_project(tmp_path), duck)
    accepted = results["canonical.purchase_orders:accepted_values_status"]
    assert (accepted.failures, len(accepted.rows)) == (25, 20)


@pytest.mark.parametrize(
    ("test_yaml", "message"),
    [
        ("- bogus_kind", "6: .*unknown test kind"),
        (
            "- accepted_values: {severity: fatal, values: [1]}",
            "6: .*severity must be error or warn",
        ),
        (
            "- relationships: {to: canonical.purchase_orders}",
            "6: .*relationships needs to: and field:",
        ),
        ("- not_null\n          - not_null", "7: .*two tests named 'not_null_orders'"),
        ("- accepted_values: {valeus: [1]}", "6: .*unknown option 'valeus'"),
        ("- relationships: {to: canonical.purchase_ordres, field: po_id}", "6: .*is not a model"),
    ],
)
def test_bad_test_definitions_fail_at_load_naming_file_and_line(
    tmp_path: Path, test_yaml: str, message: str
) -> None:
    project_dir = write_project(
        tmp_path,
        {
            "marts/_marts.yml": (
                "models:\n  - name: po_spend\n    columns:\n      - name: orders\n"
                f"        tests:\n          {test_yaml}\n"
            )
        },
    )
    with pytest.raises(ProjectError, match=rf"marts/_marts\.yml:{message}"):
        load_project(project_dir)


def test_relationships_take_ref_and_source(tmp_path: Path, duck: Warehouse) -> None:
    project_dir = write_project(
        tmp_path,
        {
            "marts/_marts.yml": """
models:
  - name: po_spend
    columns:
      - name: connection_id
        tests:
          - relationships:
              to: ref('canonical', 'purchase_orders')
              field: connection_id
          - relationships:
              to: source('raw_makini', 'purchase_orders')
              field: connection_id
              name: connection_has_raw_orders
"""
        },
    )
    project = load_project(project_dir)
    tests = {t.name: t for t in model_tests(project.models["marts.po_spend"])}
    assert tests["relationships_connection_id"].references == "canonical.purchase_orders"
    assert tests["connection_has_raw_orders"].references == "raw_makini.purchase_orders"
    results = _results(project_dir, duck)
    assert results["marts.po_spend:connection_has_raw_orders"].passed
