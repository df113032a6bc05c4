"""The raw Makini tables: which endpoint fills each, its columns and their types.

Columns are the API's camelCase field names in snake_case. Every row also carries
`connection_id` and `_extracted_at`; embedded purchase-order lines carry `purchase_order_key`.
Field kinds decide how a JSON value is parsed (see `rows.py`):

- ``text``: a string, stored as is.
- ``decimal``: money, quantities and rates; sent as strings, stored as DECIMAL(38, 9).
- ``timestamp``: ISO-8601 UTC strings (the spec types some of them ``object``; its examples
  and the real service send strings), stored as TIMESTAMP WITH TIME ZONE.
- ``bool``: JSON booleans or the strings ``"true"``/``"false"`` (the spec types
  ``Currency.isBase`` as a string).
- ``json``: objects and arrays (addresses, contacts, custom fields), stored as JSON text.
"""

from __future__ import annotations

from dataclasses import dataclass

TEXT, DECIMAL, TIMESTAMP, BOOL, JSON = "text", "decimal", "timestamp", "bool", "json"

_ADDRESSES = {"shipmentAddress": JSON, "billingAddress": JSON, "deliveryAddress": JSON}
_AUDIT = {"createdAt": TIMESTAMP, "updatedAt": TIMESTAMP, "deletedAt": TIMESTAMP}

PURCHASE_ORDER_FIELDS: dict[str, str] = {
    "key": TEXT,
    "siteKey": TEXT,
    "organizationKey": TEXT,
    "orderDate": TIMESTAMP,
    "vendorKey": TEXT,
    "userRequestedKey": TEXT,
    "userApprovedKey": TEXT,
    "orderNo": TEXT,
    "statusKey": TEXT,
    "title": TEXT,
    "description": TEXT,
    "dueAt": TIMESTAMP,
    "approvedAt": TIMESTAMP,
    "completedAt": TIMESTAMP,
    "shippingMethod": TEXT,
    "shipmentDate": TIMESTAMP,
    **_ADDRESSES,
    "terms": TEXT,
    "notes": TEXT,
    "currencyKey": TEXT,
    "locationKey": TEXT,
    "totalNetValue": DECIMAL,
    "totalGrossValue": DECIMAL,
    # Not in the published PurchaseOrder schema; kept when a back end sends them.
    "createdAt": TIMESTAMP,
    "updatedAt": TIMESTAMP,
    "deletedAt": TIMESTAMP,
    "customFields": JSON,
}

PURCHASE_ORDER_LINE_FIELDS: dict[str, str] = {
    "key": TEXT,
    "locationKey": TEXT,
    "accountKey": TEXT,
    "vendorKey": TEXT,
    "assetKey": TEXT,
    "materialKey": TEXT,
    "productKey": TEXT,
    "statusKey": TEXT,
    "storeroomKey": TEXT,
    "lineNo": TEXT,
    "code": TEXT,
    "type": TEXT,
    "name": TEXT,
    "description": TEXT,
    "lineRef": TEXT,
    "quantity": DECIMAL,
    "receivedQuantity": DECIMAL,
    "uomKey": TEXT,
    "currencyKey": TEXT,
    "price": DECIMAL,
    "discount": DECIMAL,
    "lineTaxValue": DECIMAL,
    "lineTotalValue": DECIMAL,
    "notes": TEXT,
    "deliveryAt": TIMESTAMP,
    "dueAt": TIMESTAMP,
    **_AUDIT,
    "customFields": JSON,
}

LINE_ITEM_FIELDS: dict[str, str] = {
    "key": TEXT,
    "locationKey": TEXT,
    "assetKey": TEXT,
    "statusKey": TEXT,
    "materialKey": TEXT,
    "storeroomKey": TEXT,
    "vendorKey": TEXT,
    "productKey": TEXT,
    "price": DECIMAL,
    "discount": DECIMAL,
    "deliveryAt": TIMESTAMP,
    "lineNo": TEXT,
    "code": TEXT,
    "name": TEXT,
    "description": TEXT,
    "lineRef": TEXT,
    "quantity": DECIMAL,
    "receivedQuantity": DECIMAL,
    "type": TEXT,
    "uomKey": TEXT,
    "cost": DECIMAL,
    "currencyKey": TEXT,
    "lineTotalValue": DECIMAL,
    "lineTaxValue": DECIMAL,
    "notes": TEXT,
    "dueAt": TIMESTAMP,
    "createdAt": TIMESTAMP,
    "updatedAt": TIMESTAMP,
    "customFields": JSON,
}


@dataclass(frozen=True)
class Endpoint:
    """One list endpoint of the Makini API and the raw table it fills."""

    table: str
    path: str
    fields: dict[str, str]
    # API field that orders and filters incremental loads; None means a full refresh every run.
    cursor: str | None = "updatedAt"
    # False for endpoints whose spec has no `per_page` (the server's default page size applies).
    paged_by_size: bool = True


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("purchase_orders", "/api/erp/purchase-orders", PURCHASE_ORDER_FIELDS),
    Endpoint("purchase_order_line_items", "/api/erp/purchase-orders.line-items", LINE_ITEM_FIELDS),
    Endpoint(
        "vendors",
        "/api/erp/vendors",
        {
            "key": TEXT,
            "name": TEXT,
            "code": TEXT,
            "companyKey": TEXT,
            "organizationKey": TEXT,
            **_AUDIT,
        },
    ),
    Endpoint(
        "purchase_order_statuses",
        "/api/erp/statuses/purchase-orders",
        {
            "key": TEXT,
            "organizationKey": TEXT,
            "parentKey": TEXT,
            "name": TEXT,
            "code": TEXT,
            "subCode": TEXT,
            "scope": TEXT,
            "isActive": BOOL,
            **_AUDIT,
        },
        paged_by_size=False,
    ),
    Endpoint(
        "currencies",
        "/api/erp/currencies",
        {"key": TEXT, "name": TEXT, "code": TEXT, "isBase": BOOL, "isActive": BOOL, **_AUDIT},
    ),
    Endpoint(
        "exchange_rates",
        "/api/erp/exchange-rates",
        {
            "key": TEXT,
            "currencyKey": TEXT,
            "baseCurrencyKey": TEXT,
            "rate": DECIMAL,
            "createdAt": TIMESTAMP,
        },
        cursor="createdAt",
    ),
    Endpoint(
        "units_of_measure",
        "/api/erp/uom",
        {
            "key": TEXT,
            "name": TEXT,
            "code": TEXT,
            "rateBaseKey": TEXT,
            "rate": DECIMAL,
            "isActive": BOOL,
        },
        cursor=None,
    ),
    Endpoint(
        "sites",
        "/api/erp/sites",
        {
            "key": TEXT,
            "organizationKey": TEXT,
            "name": TEXT,
            "code": TEXT,
            "description": TEXT,
            "contact": JSON,
            "customerKey": TEXT,
            "lat": TEXT,
            "lng": TEXT,
            "address": JSON,
            "billingAddress": JSON,
            "properties": TEXT,
            "notes": TEXT,
            **_AUDIT,
        },
    ),
    Endpoint(
        "assets",
        "/api/eam/assets",
        {
            "key": TEXT,
            "siteKey": TEXT,
            "parentKey": TEXT,
            "vendorKey": TEXT,
            "teamKey": TEXT,
            "documents": JSON,
            "locationKey": TEXT,
            "customerKey": TEXT,
            "accountKeys": TEXT,
            "name": TEXT,
            "description": TEXT,
            "makeCompanyKey": TEXT,
            "assetTemplateKey": TEXT,
            "isPhysical": BOOL,
            "notes": TEXT,
            "categoryName": TEXT,
            "criticality": TEXT,
            "isActive": BOOL,
            "makeName": TEXT,
            "modelName": TEXT,
            "serialNumber": TEXT,
            "activatedAt": TIMESTAMP,
            "deactivatedAt": TIMESTAMP,
            **_AUDIT,
        },
    ),
    Endpoint(
        "asset_downtime",
        "/api/eam/assets-downtime",
        {
            "key": TEXT,
            "assetKey": TEXT,
            "description": TEXT,
            "startedAt": TIMESTAMP,
            "endedAt": TIMESTAMP,
            "categoryName": TEXT,
            "severity": TEXT,
            "notes": TEXT,
            "createdAt": TIMESTAMP,
            "updatedAt": TIMESTAMP,
        },
    ),
)

# Embedded `lineItems` of purchase orders land here, with the order's key beside each line.
PURCHASE_ORDER_LINES_TABLE = "purchase_order_lines"

ENDPOINTS_BY_TABLE = {endpoint.table: endpoint for endpoint in ENDPOINTS}

# dlt pipeline and dataset of the raw Makini tables, and every table it fills.
PIPELINE_NAME = "makini"
DATASET = "raw_makini"
RAW_TABLES = (*(e.table for e in ENDPOINTS), PURCHASE_ORDER_LINES_TABLE)


def snake_case(field: str) -> str:
    """`totalNetValue` -> `total_net_value`: the raw column name of an API field."""
    out = []
    for i, ch in enumerate(field):
        if ch.isupper() and i and not field[i - 1].isupper():
            out.append("_")
        out.append(ch.lower())
    return "".join(out)
