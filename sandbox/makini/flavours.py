"""How each simulated connection behaves like a different ERP back end.

A flavour fixes the purchase-order statuses the back end reports (code, name, and the canonical
status plantsync should map them to; the mapping itself lives in `models/seeds/po_status_map.csv`),
its integration name, and whether prices are quoted per N units (SAP's price unit).
Connection i (0-based) gets flavour `FLAVOURS[i % len(FLAVOURS)]`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Flavour:
    name: str
    integration_name: str
    # (code, name, canonical status) as the back end reports them.
    po_statuses: tuple[tuple[str, str, str], ...]
    # Price units a line's price may be quoted per (SAP: per 1, 10, 100 or 1000 units).
    price_units: tuple[int, ...] = (1,)


SAP = Flavour(
    name="sap",
    integration_name="SAP S/4HANA",
    po_statuses=(
        ("01", "In Erstellung", "draft"),
        ("02", "Freigabe angefordert", "pending_approval"),
        ("03", "Freigegeben", "open"),
        ("04", "Teilweise geliefert", "partially_received"),
        ("05", "Vollständig geliefert", "received"),
        ("06", "Rechnung erfasst", "billed"),
        ("07", "Erledigt", "closed"),
        ("08", "Storniert", "cancelled"),
    ),
    price_units=(1, 1, 10, 100, 1000),
)

MAXIMO = Flavour(
    name="maximo",
    integration_name="IBM Maximo",
    po_statuses=(
        ("WAPPR", "Waiting on Approval", "pending_approval"),
        ("APPR", "Approved", "open"),
        ("INPRG", "In Progress", "partially_received"),
        ("HOLD", "On Hold", "pending_approval"),
        ("REVISE", "Revision", "draft"),
        ("CLOSE", "Closed", "closed"),
        ("CAN", "Canceled", "cancelled"),
    ),
)

NETSUITE = Flavour(
    name="netsuite",
    integration_name="Oracle NetSuite",
    po_statuses=(
        ("A", "Pending Supervisor Approval", "pending_approval"),
        ("B", "Pending Receipt", "open"),
        ("C", "Rejected by Supervisor", "cancelled"),
        ("D", "Partially Received", "partially_received"),
        ("E", "Pending Billing/Partially Received", "partially_received"),
        ("F", "Pending Bill", "received"),
        ("G", "Fully Billed", "billed"),
        ("H", "Closed", "closed"),
    ),
)

FLAVOURS: tuple[Flavour, ...] = (SAP, MAXIMO, NETSUITE)


def flavour_for(index: int) -> Flavour:
    """The flavour of the connection at `index` (0-based)."""
    return FLAVOURS[index % len(FLAVOURS)]
