"""Every served endpoint's responses validate against the Makini contract kept in the repository.

The contract (`sandbox/makini/contract.json`, see `tests/sandbox/makini_contract.py`) holds the
field names and types of Makini's published OpenAPI documents. It is converted to JSON Schema
with these relaxations (each is written down in docs/sandbox.md): every property may be null (the
spec marks all as non-nullable, yet a live row has no `deletedAt`); a property typed `object`
that is not a reference (dates, money and quantities) may also be a string, as the spec's own
examples are; the only extra property allowed is `customFields` (an object) on orders and their
lines. Everything else is strict: every spec property must be present and no other may appear.

`test_contract_matches_published_documents` checks the contract against the published documents
themselves when `MAKINI_OPENAPI_DIR` names a directory holding them; it is skipped otherwise.
"""

from __future__ import annotations

import os
from pathlib import Path

import jsonschema
import pytest

from tests.sandbox.makini_contract import (
    CONTRACT_PATH,
    DOCUMENTS,
    contract_diff,
    derive_contract,
    document_file,
    load_contract,
    response_schema,
)

CONTRACT = load_contract()
# Read at import: the autouse `isolated_env` fixture clears every `MAKINI_*` variable per test.
OPENAPI_DIR = os.environ.get("MAKINI_OPENAPI_DIR", "")

ENDPOINTS = [
    "/api/erp/purchase-orders",
    "/api/erp/purchase-orders.line-items",
    "/api/erp/vendors",
    "/api/erp/statuses/purchase-orders",
    "/api/erp/currencies",
    "/api/erp/exchange-rates",
    "/api/erp/uom",
    "/api/erp/sites",
    "/api/eam/assets",
    "/api/eam/assets-downtime",
    "/api/system/connections",
]


def test_converter_is_strict():
    schema = response_schema(CONTRACT, "/api/erp/vendors")
    vendor = schema["properties"]["data"]["items"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"key": "1"}, vendor)  # missing fields
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({name: None for name in vendor["properties"]} | {"extra": 1}, vendor)
    jsonschema.validate({name: None for name in vendor["properties"]}, vendor)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(None, schema)  # the envelope itself is never null


def test_contract_is_the_projects_compact_form():
    """Only names, types and provenance: no text of the published documents."""
    checked = {*ENDPOINTS, "/api/erp/purchase-orders/{key}", "/api/integrations/current"}
    assert set(CONTRACT["endpoints"]) == checked
    for path, endpoint in CONTRACT["endpoints"].items():
        assert set(endpoint) == {"document", "response"}, path
    for name, schema in CONTRACT["schemas"].items():
        assert set(schema) == {"fields", "from"}, name
        assert schema["from"].endswith(f".json#/components/schemas/{name}"), name
        assert all(isinstance(kind, str) for kind in schema["fields"].values()), name
    assert CONTRACT["source"]["repository"].endswith("eqcentric/api-docs")


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("conn", [0, 1, 2])
def test_list_endpoint_validates(api, path, conn):
    schema = response_schema(CONTRACT, path)
    validator = jsonschema.Draft202012Validator(schema)
    body = api.json(path, conn, {"per_page": 1000})
    assert body["data"], f"{path} served no rows to check"
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_empty_page_validates(api):
    schema = response_schema(CONTRACT, "/api/erp/purchase-orders")
    jsonschema.validate(api.json("/api/erp/purchase-orders", 0, {"page": 99}), schema)


def test_order_by_key_validates(api):
    key = api.json("/api/erp/purchase-orders", 1, {"per_page": 1})["data"][0]["key"]
    schema = response_schema(CONTRACT, "/api/erp/purchase-orders/{key}")
    jsonschema.validate(api.json(f"/api/erp/purchase-orders/{key}", 1), schema)


def test_integration_current_validates(api):
    schema = response_schema(CONTRACT, "/api/integrations/current")
    jsonschema.validate(api.json("/api/integrations/current", 2), schema)


def test_typed_values_follow_the_documented_choices(api):
    order = api.json("/api/erp/purchase-orders", 0, {"per_page": 1})["data"][0]
    currency = api.json("/api/erp/currencies", 0)["data"][0]
    assert order["orderDate"].endswith("Z") and isinstance(order["totalNetValue"], str)
    assert isinstance(order["lineItems"][0]["quantity"], str)
    assert currency["isBase"] in ("true", "false") and currency["isActive"] in ("true", "false")
    assert isinstance(api.json("/api/erp/uom", 0)["data"][0]["isActive"], bool)


@pytest.mark.skipif(
    not OPENAPI_DIR,
    reason="MAKINI_OPENAPI_DIR is not set (a directory holding Makini's published "
    "oas3_erp.json, oas3_eam.json and oas3_system.json)",
)
def test_contract_matches_published_documents():
    directory = Path(OPENAPI_DIR)
    missing = [
        document_file(name) for name in DOCUMENTS if not (directory / document_file(name)).is_file()
    ]
    assert not missing, f"MAKINI_OPENAPI_DIR={directory} lacks {', '.join(missing)}"
    published = derive_contract(directory)
    if published != CONTRACT:
        pytest.fail(
            f"{CONTRACT_PATH} differs from the documents in {directory} (regenerate it: "
            "python -m tests.sandbox.makini_contract DIR > sandbox/makini/contract.json)\n"
            + contract_diff(CONTRACT, published),
            pytrace=False,
        )
