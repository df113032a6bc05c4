"""Hand-made raw Makini rows for the purchase-order models, and a warehouse built from them.

Three connections, each behaving like a different back end:

- `c-sap`: base EUR, SAP status names in German (one in odd case/spacing), prices per N units,
  a USD order converted through dated exchange rates, a cancelled order, a soft-deleted order
  and a soft-deleted line.
- `c-jp`: base JPY, currencies sent as numeric ISO codes (`392`, `978`, `36`), a status only its
  code maps (`APPR`), a JPY order whose line nets differ from the header by less than the
  tolerance.
- `c-ns`: base USD, NetSuite statuses, a fully received line, an order without lines.

`DIRTY` adds one of each fault the sandbox's `--dirty` mode injects: an orphan line item, a line
key used in two orders, an unknown status and a header whose net does not add up. The expected
values the tests assert are worked out by hand in the comments beside the rows.

The models run through the engine in `warehouse/` on a copy of just the PO files (so work in
progress elsewhere in `models/` cannot break these tests).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from pipelines.makini.tables import (
    ENDPOINTS_BY_TABLE,
    PURCHASE_ORDER_LINE_FIELDS,
    PURCHASE_ORDER_LINES_TABLE,
    snake_case,
)
from tests.support.tables import load_rows
from warehouse import Project, Warehouse, load_project, run

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"

# Every file of the purchase-order models (and the Makini staging views they read).
STAGING_TABLES = (
    "purchase_orders",
    "purchase_order_lines",
    "purchase_order_line_items",
    "vendors",
    "purchase_order_statuses",
    "currencies",
    "exchange_rates",
    "units_of_measure",
    "sites",
    "assets",
    "asset_downtime",
)
CANONICAL_MODELS = (
    "currencies",
    "exchange_rates",
    "vendors",
    "sites",
    "units_of_measure",
    "purchase_order_statuses",
    "purchase_orders",
    "purchase_order_lines",
    "purchase_order_exchange_rates",
)
MART_MODELS = ("po_spend_monthly", "open_po_lines")
PO_FILES = (
    "plantsync_project.yml",
    "macros/keys.sql",
    "macros/purchase_orders.sql",
    "macros/staging.sql",
    "sources/raw_makini.yml",
    *(f"seeds/{seed}.{ext}" for seed in ("po_status_map", "iso_4217") for ext in ("csv", "yml")),
    *(f"staging/{t}.{ext}" for t in STAGING_TABLES for ext in ("sql", "yml")),
    *(f"canonical/{m}.{ext}" for m in CANONICAL_MODELS for ext in ("sql", "yml")),
    *(f"marts/{m}.{ext}" for m in MART_MODELS for ext in ("sql", "yml")),
)

_TYPES = {
    "text": "varchar",
    "decimal": "decimal(38, 9)",
    "timestamp": "timestamptz",
    "bool": "boolean",
    "json": "varchar",
}


def raw_columns(table: str) -> list[tuple[str, str]]:
    """(column, DuckDB type) of a raw_makini table, as dlt lands it from tables.py."""
    if table == PURCHASE_ORDER_LINES_TABLE:
        fields = {"purchaseOrderKey": "text", **PURCHASE_ORDER_LINE_FIELDS}
    else:
        fields = ENDPOINTS_BY_TABLE[table].fields
    columns = [("connection_id", "varchar")]
    columns += [(snake_case(name), _TYPES[kind]) for name, kind in fields.items()]
    columns += [("_extracted_at", "timestamptz"), ("_dlt_load_id", "varchar")]
    columns += [("_dlt_id", "varchar")]
    return columns


EXTRACTED = {
    "c-sap": "2026-03-10T06:00:00Z",  # as_of_date 2026-03-10
    "c-jp": "2026-03-12T23:30:00Z",  # as_of_date 2026-03-12
    "c-ns": "2026-03-10T06:00:00Z",
}


def _row(connection: str, **values: Any) -> dict[str, Any]:
    row = {"connection_id": connection, "_extracted_at": EXTRACTED[connection]}
    for name, value in values.items():
        row[name] = json.dumps(value) if isinstance(value, dict) else value
    return row


def _order(
    connection: str, key: str, status: str, currency: str, net: str, gross: str, **more: Any
) -> dict[str, Any]:
    defaults = {"vendor_key": {"c-sap": "V1", "c-jp": "VJ", "c-ns": "VN"}[connection]}
    return _row(
        connection,
        key=key,
        order_no=f"4500{key}",
        status_key=status,
        currency_key=currency,
        total_net_value=net,
        total_gross_value=gross,
        **{**defaults, **more},
    )


def _line(
    connection: str, order: str, number: int, total: str, tax: str, **more: Any
) -> dict[str, Any]:
    values = {"quantity": "1", "received_quantity": "0", "price": total, "uom_key": "EA"}
    return _row(
        connection,
        purchase_order_key=order,
        key=f"{order}-{number}",
        line_no=str(number),
        line_total_value=total,
        line_tax_value=tax,
        **{**values, **more},
    )


def clean_rows() -> dict[str, list[dict[str, Any]]]:
    """Raw rows by table for a clean load (every error and warn test passes)."""
    return {
        "currencies": [
            _row("c-sap", key="EUR1", code="EUR", name="Euro", is_base=True, is_active=True),
            _row("c-sap", key="USD1", code=" usd ", name="Dollar", is_base=False, is_active=True),
            _row("c-jp", key="JPY", code="392", name="Yen", is_base=True, is_active=True),
            _row("c-jp", key="EURJ", code="978", name="Euro", is_base=False, is_active=True),
            _row("c-jp", key="AUDJ", code="36", name="Aussie", is_base=False, is_active=True),
            _row("c-ns", key="USDN", code="USD", name="USD", is_base=True, is_active=True),
        ],
        "exchange_rates": [
            # 1 USD = rate EUR; effective from created_at
            _row(
                "c-sap",
                key="R1",
                currency_key="USD1",
                base_currency_key="EUR1",
                rate="0.9",
                created_at="2026-01-01T00:00:00Z",
            ),
            _row(
                "c-sap",
                key="R2",
                currency_key="USD1",
                base_currency_key="EUR1",
                rate="0.8",
                created_at="2026-02-01T00:00:00Z",
            ),
            _row(
                "c-sap",
                key="R3",
                currency_key="USD1",
                base_currency_key="EUR1",
                rate="0.7",
                created_at="2026-04-01T00:00:00Z",
            ),
            _row(
                "c-jp",
                key="RJ1",
                currency_key="EURJ",
                base_currency_key="JPY",
                rate="160",
                created_at="2026-01-15T00:00:00Z",
            ),
        ],
        "purchase_order_statuses": [
            _row("c-sap", key="S01", code="01", name=" in  erstellung "),  # -> draft
            _row("c-sap", key="S03", code="03", name="Freigegeben"),  # -> open
            _row("c-sap", key="S04", code="04", name="Teilweise geliefert"),
            _row("c-sap", key="S08", code="08", name="Storniert"),  # -> cancelled
            _row("c-jp", key="JA", code="APPR", name="Genehmigt"),  # name unknown, code -> open
            _row("c-jp", key="JC", code="CLOSE", name="Closed"),
            _row("c-ns", key="NB", code="B", name="Pending Receipt"),
            _row("c-ns", key="ND", code="D", name="Partially Received"),
        ],
        "vendors": [
            _row("c-sap", key="V1", code="V-001", name=" Acme GmbH "),
            _row("c-jp", key="VJ", code="J-9", name="Kabushiki"),
            _row("c-ns", key="VN", code="N-1", name="Northwind"),
        ],
        "units_of_measure": [
            _row("c-sap", key="EA", code="EA", name="Each", rate="1", is_active=True),
            _row("c-jp", key="EA", code="PC", name="Piece", rate="1", is_active=True),
            _row("c-ns", key="EA", code="ea", name="Each", rate="1", is_active=True),
        ],
        "sites": [
            _row("c-sap", key="S1", code="1000", name="Werk Hamburg", address={"city": "Hamburg"}),
        ],
        "purchase_orders": [
            # lines net 110 + 40 (PO1-30 is soft-deleted) = 150; tax 178.50 - 150 = 28.50
            _order(
                "c-sap",
                "PO1",
                "S03",
                "EUR1",
                "150.00",
                "178.50",
                site_key="S1",
                order_date="2026-02-10T00:00:00Z",
                due_at="2026-03-01T00:00:00Z",
                shipment_address={"city": "Hamburg"},
                billing_address={"city": "Bremen"},
                custom_fields={"sapDocType": "NB"},
            ),
            _order(
                "c-sap",
                "PO2",
                "S04",
                "USD1",
                "100.00",
                "119.00",
                site_key="S1",
                order_date="2026-02-15T00:00:00Z",
            ),  # rate 0.8 (2026-02-01)
            _order(
                "c-sap",
                "PO3",
                "S08",
                "EUR1",
                "50.00",
                "59.50",
                site_key="S1",
                order_date="2026-02-20T00:00:00Z",
            ),  # cancelled: no spend
            _order(
                "c-sap",
                "PO4",
                "S01",
                "USD1",
                "10.00",
                "10.00",
                site_key="S1",
                order_date="2025-12-01T00:00:00Z",
            ),  # before every rate: earliest, 0.9
            _order(
                "c-sap",
                "PO5",
                "S03",
                "EUR1",
                "20.00",
                "20.00",
                site_key="S1",
                order_date="2026-02-11T00:00:00Z",
                deleted_at="2026-02-25T00:00:00Z",
            ),
            _order(
                "c-sap",
                "PO6",
                "S03",
                "EUR1",
                "10.00",
                "11.90",
                site_key="S1",
                order_date="2026-02-05T00:00:00Z",
            ),
            # lines 333.40 + 666.90 = 1000.30: within 2 lines x 0.5 yen
            _order("c-jp", "PJ1", "JA", "JPY", "1000", "1100", order_date="2026-03-01T00:00:00Z"),
            _order(
                "c-jp", "PJ2", "JC", "EURJ", "12.50", "12.50", order_date="2026-02-01T00:00:00Z"
            ),
            _order("c-ns", "PN1", "NB", "USDN", "5.00", "5.00", order_date="2026-03-01T00:00:00Z"),
            _order("c-ns", "PN2", "ND", "USDN", "0.00", "0.00", order_date="2026-03-02T00:00:00Z"),
        ],
        "purchase_order_lines": [
            # price 1234.50 per 100 units -> 12.345; open 10 - 4 = 6, due 2026-03-01 (9 days late)
            _line(
                "c-sap",
                "PO1",
                10,
                "130.00",
                "20.00",
                price="1234.5",
                quantity="10",
                received_quantity="4",
                due_at="2026-03-01T00:00:00Z",
                custom_fields={"priceUnit": 100},
                created_at="2026-02-09T08:00:00Z",
            ),
            _line(
                "c-sap",
                "PO1",
                20,
                "47.60",
                "7.60",
                price="40",
                due_at="2026-04-01T00:00:00Z",
                created_at="2026-02-09T07:00:00Z",
            ),  # due in 22 days: due_30d
            # soft-deleted; its createdAt is still the order's earliest
            _line(
                "c-sap",
                "PO1",
                30,
                "999.00",
                "0",
                quantity="5",
                deleted_at="2026-02-20T00:00:00Z",
                created_at="2026-02-08T10:00:00Z",
            ),
            # priceUnit sent as a string; no dates anywhere: no_date
            _line(
                "c-sap",
                "PO2",
                10,
                "119.00",
                "19.00",
                price="33.333333333",
                quantity="3",
                received_quantity="1",
                custom_fields={"priceUnit": "1"},
            ),
            _line("c-sap", "PO3", 10, "59.50", "9.50"),
            _line(
                "c-sap", "PO4", 10, "10.00", "0", price="10000", custom_fields={"priceUnit": 1000}
            ),
            _line("c-sap", "PO5", 10, "20.00", "0", created_at="2026-02-11T00:00:00Z"),
            _line("c-sap", "PO6", 10, "11.90", "1.90", quantity="2", due_at="2026-03-15T00:00:00Z"),
            _line("c-sap", "PO6", 20, "0", "0", delivery_at="2026-06-01T00:00:00Z"),  # later
            _line(
                "c-jp", "PJ1", 1, "366.74", "33.34", price="333.4", due_at="2026-03-10T00:00:00Z"
            ),  # 2 days late at 2026-03-12
            _line("c-jp", "PJ1", 2, "733.59", "66.69", price="666.9"),  # order has no due date
            _line("c-jp", "PJ2", 1, "12.50", "0"),
            _line("c-ns", "PN1", 1, "5.00", "0", quantity="5", received_quantity="5"),  # received
        ],
        "purchase_order_line_items": [
            _row("c-sap", key="PO1-10", price="1234.5"),
            _row("c-sap", key="PO2-10", price="33.333333333"),
            _row("c-jp", key="PJ1-1", price="333.4"),
        ],
        "assets": [_row("c-sap", key="A1", name="Pump 1", site_key="S1", is_active=True)],
        "asset_downtime": [
            _row(
                "c-sap",
                key="D1",
                asset_key="A1",
                started_at="2026-03-01T10:00:00Z",
                ended_at="2026-03-01T12:00:00Z",
            ),
        ],
    }


def dirty_rows() -> dict[str, list[dict[str, Any]]]:
    """The clean rows plus one of each fault of the sandbox's dirty mode."""
    rows = clean_rows()
    # orphan: a line item no order embeds
    rows["purchase_order_line_items"].append(_row("c-sap", key="GHOST-1", price="1"))
    # duplicate line key: PN1's line also appears in PN2 (whose header is adjusted to match)
    duplicate = dict(_line("c-ns", "PN2", 1, "5.00", "0", quantity="5", received_quantity="5"))
    duplicate["key"] = "PN1-1"
    rows["purchase_order_lines"].append(duplicate)
    for order in rows["purchase_orders"]:
        if order["key"] == "PN2":
            order["total_net_value"] = order["total_gross_value"] = "5.00"
        if order["key"] == "PJ1":  # unbalanced: lines add up to 1000.30
            order["total_net_value"] = "1010"
    # unknown status on a new order without lines
    rows["purchase_order_statuses"].append(_row("c-ns", key="NX", code="ZQ", name="Mystery Hold"))
    rows["purchase_orders"].append(_order("c-ns", "PN3", "NX", "USDN", "0", "0"))
    return rows


DIRTY_FAILURES = {
    ("staging.purchase_order_line_items", "line_item_belongs_to_an_order"),
    ("canonical.purchase_order_lines", "unique_connection_id_line_key"),
    ("canonical.purchase_orders", "status_is_mapped"),
    ("canonical.purchase_orders", "header_net_matches_lines"),
}


def create_raw(warehouse: Warehouse, rows: dict[str, list[dict[str, Any]]] | None = None) -> None:
    """(Re)create every raw_makini table with `rows` (default: the clean rows)."""
    rows = clean_rows() if rows is None else rows
    for table in (*ENDPOINTS_BY_TABLE, PURCHASE_ORDER_LINES_TABLE):
        columns = raw_columns(table)
        names = {name for name, _ in columns}
        for row in rows.get(table, []):
            unknown = set(row) - names
            assert not unknown, f"raw_makini.{table} has no columns {sorted(unknown)}"
        values = [[row.get(name) for name, _ in columns] for row in rows.get(table, [])]
        load_rows(warehouse, f"raw_makini.{table}", columns, values)


def po_project(root: Path) -> Project:
    """A model project holding a copy of just the purchase-order files."""
    target = root / "po_models"
    for relative in PO_FILES:
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(MODELS_DIR / relative, target / relative)
    return load_project(target)


def build(warehouse: Warehouse, project: Project, rows: dict | None = None) -> None:
    """Load the raw rows and build every PO model."""
    create_raw(warehouse, rows)
    run(project, warehouse)


def query_dicts(warehouse: Warehouse, sql: str) -> list[dict[str, Any]]:
    rows = warehouse.query(sql)
    return [dict(zip(rows.columns, row, strict=True)) for row in rows]
