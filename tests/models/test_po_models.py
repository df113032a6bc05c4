"""The purchase-order models on hand-made raw rows (see po_fixtures.py for the data and sums)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import sqlglot
from sqlglot.errors import ErrorLevel

from sandbox.makini.flavours import FLAVOURS
from tests.models.po_fixtures import (
    DIRTY_FAILURES,
    MODELS_DIR,
    build,
    create_raw,
    dirty_rows,
    po_project,
    query_dicts,
)
from warehouse import Project, Warehouse, compile_project, connect, run, run_tests

CANONICAL_STATUSES = {
    "draft",
    "pending_approval",
    "open",
    "partially_received",
    "received",
    "billed",
    "closed",
    "cancelled",
    "unknown",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return po_project(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="module")
def clean(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    """A DuckDB warehouse with every PO model built from the clean rows."""
    warehouse = connect("duckdb", duckdb_path=tmp_path_factory.mktemp("clean") / "w.duckdb")
    build(warehouse, project)
    yield warehouse
    warehouse.close()


def by_key(warehouse: Warehouse, table: str, key: str) -> dict[str, dict]:
    return {row[key]: row for row in query_dicts(warehouse, f"select * from {table}")}


# -- canonical purchase orders and lines ------------------------------------------------------


def test_unit_price_divides_by_the_sap_price_unit(clean: Warehouse) -> None:
    lines = by_key(clean, "canonical.purchase_order_lines", "po_line_id")
    assert lines["c-sap:PO1:PO1-10"]["unit_price"] == Decimal("12.345000")  # 1234.50 per 100
    assert lines["c-sap:PO4:PO4-10"]["unit_price"] == Decimal("10.000000")  # 10000 per 1000
    assert lines["c-sap:PO2:PO2-10"]["unit_price"] == Decimal("33.333333")  # "1" as a string
    assert lines["c-sap:PO1:PO1-20"]["unit_price"] == Decimal("40.000000")  # no priceUnit
    assert lines["c-sap:PO1:PO1-10"]["price_unit"] == Decimal("100")


def test_line_net_is_total_minus_tax(clean: Warehouse) -> None:
    line = by_key(clean, "canonical.purchase_order_lines", "po_line_id")["c-sap:PO1:PO1-10"]
    assert (line["line_total"], line["line_tax"], line["line_net"]) == (
        Decimal("130.0000"),
        Decimal("20.0000"),
        Decimal("110.0000"),
    )
    assert line["po_id"] == "c-sap:PO1"
    assert (line["quantity"], line["received_quantity"], line["uom_code"]) == (
        Decimal("10.000000"),
        Decimal("4.000000"),
        "EA",
    )


def test_header_totals_and_reconciliation_helpers(clean: Warehouse) -> None:
    orders = by_key(clean, "canonical.purchase_orders", "po_id")
    po1 = orders["c-sap:PO1"]
    assert (po1["total_net"], po1["total_tax"], po1["total_gross"]) == (
        Decimal("150.0000"),
        Decimal("28.5000"),
        Decimal("178.5000"),
    )
    # the soft-deleted line (999.00) counts neither in lines_net nor in line_count
    assert (po1["lines_net"], po1["line_count"], po1["net_tolerance"]) == (
        Decimal("150.0000"),
        2,
        Decimal("0.010000"),
    )
    # JPY has no minor unit: half a yen per line
    pj1 = orders["c-jp:PJ1"]
    assert (pj1["lines_net"], pj1["net_tolerance"]) == (Decimal("1000.3000"), Decimal("1.000000"))
    assert orders["c-ns:PN2"]["line_count"] == 0


def test_order_columns_are_exactly_the_design_plus_helpers(clean: Warehouse) -> None:
    design = [
        "po_id",
        "connection_id",
        "po_key",
        "po_number",
        "vendor_key",
        "vendor_code",
        "vendor_name",
        "site_key",
        "status",
        "status_raw",
        "order_date",
        "required_date",
        "delivery_date",
        "approved_at",
        "completed_at",
        "currency_code",
        "total_net",
        "total_tax",
        "total_gross",
        "payment_terms",
        "ship_to",
        "bill_to",
        "custom_fields",
        "line_count",
        "created_at",
        "updated_at",
        "is_deleted",
    ]
    columns = clean.query("select * from canonical.purchase_orders limit 0").columns
    assert columns == [*design, "lines_net", "net_tolerance", "_loaded_at"]
    line_design = [
        "po_line_id",
        "po_id",
        "connection_id",
        "line_key",
        "line_no",
        "material_code",
        "description",
        "quantity",
        "received_quantity",
        "uom_code",
        "unit_price",
        "discount",
        "line_net",
        "line_tax",
        "line_total",
        "currency_code",
        "asset_key",
        "required_date",
        "delivery_date",
        "status",
        "updated_at",
        "is_deleted",
    ]
    columns = clean.query("select * from canonical.purchase_order_lines limit 0").columns
    assert columns == [*line_design, "connection_line_key", "price_unit", "_loaded_at"]


def test_vendor_and_documents_are_joined(clean: Warehouse) -> None:
    po1 = by_key(clean, "canonical.purchase_orders", "po_id")["c-sap:PO1"]
    assert (po1["vendor_code"], po1["vendor_name"], po1["po_number"]) == (
        "V-001",
        "Acme GmbH",
        "4500PO1",
    )
    assert '"Hamburg"' in po1["ship_to"] and '"Bremen"' in po1["bill_to"]
    assert po1["order_date"] == dt.datetime(2026, 2, 10)
    assert po1["required_date"] == dt.datetime(2026, 3, 1)


def test_created_at_falls_back_to_the_earliest_line(clean: Warehouse) -> None:
    orders = by_key(clean, "canonical.purchase_orders", "po_id")
    assert orders["c-sap:PO1"]["created_at"] == dt.datetime(2026, 2, 8, 10)  # the deleted line's
    assert orders["c-ns:PN2"]["created_at"] is None  # no lines, no createdAt


def test_soft_deleted_rows_are_flagged_not_dropped(clean: Warehouse) -> None:
    orders = by_key(clean, "canonical.purchase_orders", "po_id")
    lines = by_key(clean, "canonical.purchase_order_lines", "po_line_id")
    assert orders["c-sap:PO5"]["is_deleted"] is True
    assert orders["c-sap:PO1"]["is_deleted"] is False
    assert lines["c-sap:PO1:PO1-30"]["is_deleted"] is True
    assert len(orders) == 10 and len(lines) == 13


def test_currency_codes_become_iso_alpha_codes(clean: Warehouse) -> None:
    currencies = by_key(clean, "canonical.currencies", "currency_id")
    got = {k: (c["currency_code"], c["exponent"]) for k, c in currencies.items()}
    assert got == {
        "c-sap:EUR1": ("EUR", 2),
        "c-sap:USD1": ("USD", 2),  # " usd "
        "c-jp:JPY": ("JPY", 0),  # "392"
        "c-jp:EURJ": ("EUR", 2),  # "978"
        "c-jp:AUDJ": ("AUD", 2),  # "36", leading zero dropped by the source
        "c-ns:USDN": ("USD", 2),
    }
    orders = by_key(clean, "canonical.purchase_orders", "po_id")
    assert orders["c-jp:PJ1"]["currency_code"] == "JPY"
    assert (
        by_key(clean, "canonical.purchase_order_lines", "po_line_id")["c-jp:PJ1:PJ1-1"][
            "currency_code"
        ]
        == "JPY"
    )  # the line has no currency: the order's


def test_status_maps_on_name_then_code(clean: Warehouse) -> None:
    orders = by_key(clean, "canonical.purchase_orders", "po_id")
    got = {k: (o["status"], o["status_raw"]) for k, o in orders.items()}
    assert got["c-sap:PO1"] == ("open", "Freigegeben")
    assert got["c-sap:PO3"] == ("cancelled", "Storniert")
    assert got["c-sap:PO4"] == ("draft", " in  erstellung ")  # case and spaces ignored
    assert got["c-jp:PJ1"] == ("open", "Genehmigt")  # unknown name, code APPR
    assert got["c-ns:PN2"] == ("partially_received", "Partially Received")


# -- marts ------------------------------------------------------------------------------------


def test_spend_by_month_in_document_and_base_currency(clean: Warehouse) -> None:
    rows = query_dicts(clean, "select * from marts.po_spend_monthly")
    got = {
        (r["connection_id"], r["month"].isoformat(), r["currency_code"]): (
            r["spend"],
            r["spend_base"],
            r["base_currency_code"],
            r["line_count"],
            r["order_count"],
        )
        for r in rows
    }
    assert got == {
        # PO1 150 + PO6 10; PO3 cancelled, PO5 deleted, PO1-30 deleted
        ("c-sap", "2026-02-01", "EUR"): (Decimal("160"), Decimal("160"), "EUR", 4, 2),
        # 100 USD at 0.8 (latest rate on or before 2026-02-15)
        ("c-sap", "2026-02-01", "USD"): (Decimal("100"), Decimal("80"), "EUR", 1, 1),
        # ordered before the first rate: the earliest rate, 0.9
        ("c-sap", "2025-12-01", "USD"): (Decimal("10"), Decimal("9"), "EUR", 1, 1),
        ("c-jp", "2026-03-01", "JPY"): (Decimal("1000.3"), Decimal("1000.3"), "JPY", 2, 1),
        ("c-jp", "2026-02-01", "EUR"): (Decimal("12.5"), Decimal("2000"), "JPY", 1, 1),
        ("c-ns", "2026-03-01", "USD"): (Decimal("5"), Decimal("5"), "USD", 1, 1),
    }
    assert {r["vendor_name"] for r in rows if r["connection_id"] == "c-sap"} == {"Acme GmbH"}


def test_open_lines_quantities_and_due_buckets(clean: Warehouse) -> None:
    rows = by_key(clean, "marts.open_po_lines", "po_line_id")
    got = {k: (r["open_quantity"], r["due_bucket"], r["days_late"]) for k, r in rows.items()}
    assert got == {
        "c-sap:PO1:PO1-10": (Decimal("6"), "overdue", 9),  # due 03-01, as of 03-10
        "c-sap:PO1:PO1-20": (Decimal("1"), "due_30d", 0),  # due 04-01
        "c-sap:PO2:PO2-10": (Decimal("2"), "no_date", None),
        "c-sap:PO6:PO6-10": (Decimal("2"), "due_7d", 0),  # due 03-15
        "c-sap:PO6:PO6-20": (Decimal("1"), "later", 0),  # delivery 06-01
        "c-jp:PJ1:PJ1-1": (Decimal("1"), "overdue", 2),  # due 03-10, as of 03-12
        "c-jp:PJ1:PJ1-2": (Decimal("1"), "no_date", None),
    }  # not: PO1-30 (deleted line), PO3 (cancelled), PO4 (draft), PO5 (deleted), PN1-1 (received)
    assert rows["c-sap:PO1:PO1-10"]["open_value"] == Decimal("74.0700")  # 6 x 12.345
    assert rows["c-sap:PO1:PO1-10"]["as_of_date"] == dt.date(2026, 3, 10)
    assert rows["c-sap:PO1:PO1-10"]["is_late"] is True


# -- YAML tests -------------------------------------------------------------------------------


def test_clean_rows_pass_every_yaml_test(project: Project, clean: Warehouse) -> None:
    results = run_tests(project, clean)
    assert len(results) > 50
    assert [(r.test.model, r.test.name, r.rows[:2]) for r in results if not r.passed] == []


def test_each_dirty_fault_fails_exactly_its_test(project: Project, tmp_path: Path) -> None:
    with connect("duckdb", duckdb_path=tmp_path / "dirty.duckdb") as warehouse:
        build(warehouse, project, dirty_rows())
        results = run_tests(project, warehouse)
    failing = {f"{r.test.model}:{r.test.name}": r for r in results if not r.passed}
    assert set(failing) == {f"{model}:{name}" for model, name in DIRTY_FAILURES}
    unknown = failing["canonical.purchase_orders:status_is_mapped"]
    assert unknown.status == "warn"
    assert dict(zip(unknown.columns, unknown.rows[0], strict=True))["status_raw"] == "Mystery Hold"
    orphan = failing["staging.purchase_order_line_items:line_item_belongs_to_an_order"]
    assert orphan.status == "fail" and orphan.rows[0][orphan.columns.index("line_key")] == "GHOST-1"
    assert failing["canonical.purchase_orders:header_net_matches_lines"].failures == 1


def test_every_sandbox_flavour_status_maps_to_its_intended_status(
    project: Project, tmp_path: Path
) -> None:
    statuses = [
        {"connection_id": "c-sap", "key": f"{flavour.name}-{code}", "code": code, "name": name}
        for flavour in FLAVOURS
        for code, name, _ in flavour.po_statuses
    ]
    # the same statuses known only by their code (a back end that sends no name)
    statuses += [{**s, "key": s["key"] + "-code-only", "name": None} for s in statuses]
    with connect("duckdb", duckdb_path=tmp_path / "s.duckdb") as warehouse:
        create_raw(warehouse, {"purchase_order_statuses": statuses})
        run(project, warehouse, "+canonical.purchase_order_statuses")
        got = by_key(warehouse, "canonical.purchase_order_statuses", "status_key")
    expected = {
        f"{flavour.name}-{code}{suffix}": status
        for flavour in FLAVOURS
        for code, _, status in flavour.po_statuses
        for suffix in ("", "-code-only")
    }
    assert {key: row["status"] for key, row in got.items()} == expected


# -- seeds and portability --------------------------------------------------------------------


def _seed(name: str) -> list[dict[str, str]]:
    with (MODELS_DIR / "seeds" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_status_map_seed_is_unambiguous() -> None:
    rows = _seed("po_status_map")
    keys = [(r["match_on"], r["source_value"].strip().lower().replace(" ", "")) for r in rows]
    assert len(keys) == len(set(keys))
    assert {r["match_on"] for r in rows} == {"name", "code"}
    assert {r["status"] for r in rows} <= CANONICAL_STATUSES - {"unknown"}
    systems = {r["source_system"] for r in rows}
    assert {"sap", "oracle", "netsuite", "dynamics", "maximo"} <= systems


def test_iso_4217_seed_is_well_formed() -> None:
    rows = _seed("iso_4217")
    assert len(rows) >= 40
    assert len({r["alpha_code"] for r in rows}) == len(rows)
    assert len({r["numeric_code"] for r in rows}) == len(rows)
    for row in rows:
        assert len(row["alpha_code"]) == 3 and row["alpha_code"].isupper()
        assert len(row["numeric_code"]) == 3 and row["numeric_code"].isdigit()
        assert row["exponent"] in {"0", "2", "3"}


@pytest.mark.parametrize("target", ["snowflake", "postgres"])
def test_every_po_model_transpiles(project: Project, target: str) -> None:
    compiled = compile_project(project, target)  # the engine's guards (try_cast, unknown functions)
    assert len(compiled) == len(project.order)
    for model in project.models.values():
        if not model.is_seed:
            sqlglot.transpile(
                model.sql, read="duckdb", write=target, unsupported_level=ErrorLevel.RAISE
            )
    banned = ("try_cast", "list_", "struct_pack", "epoch(", "::", "regexp_full_match", "qualify")
    for fqn, sql in compiled.items():
        assert not [b for b in banned if b in sql.lower()], fqn
