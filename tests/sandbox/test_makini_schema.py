"""Every served endpoint's responses validate against the published OpenAPI schemas.

The OAS3 component schemas are converted to JSON Schema with these relaxations (each is written
down in docs/sandbox.md): every property may be null (the spec marks all as non-nullable, yet a
live row has no `deletedAt`); a property typed `object` that is not a `$ref` (dates, money and
quantities) may also be a string, as the spec's own examples are; the only extra property
allowed is `customFields` (an object) on orders and their lines. Everything else is strict:
every spec property must be present and no other may appear.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

SPEC_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "makini"
WITH_CUSTOM_FIELDS = {"PurchaseOrder", "POLineItem", "LineItem"}
JSON_TYPES = {"string", "boolean", "number", "integer", "object", "array"}


def _load(name: str) -> dict[str, Any]:
    return json.loads((SPEC_DIR / f"oas3_{name}.json").read_text(encoding="utf-8"))


SPECS = {name: _load(name) for name in ("erp", "eam", "system")}


def to_json_schema(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """An OAS3 schema (fragment) as strict JSON Schema with the documented relaxations."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        converted = to_json_schema(components[name], components)
        if name in WITH_CUSTOM_FIELDS:
            converted["properties"]["customFields"] = {"type": "object"}
        converted["type"] = ["object", "null"]
        return converted
    kind = schema.get("type", "object")
    if kind == "object" and "properties" in schema:
        properties = {
            name: to_json_schema(prop, components) for name, prop in schema["properties"].items()
        }
        return {
            "type": ["object", "null"],
            "properties": properties,
            "required": sorted(schema["properties"]),
            "additionalProperties": False,
        }
    if kind == "object":  # dates, money, quantities: ISO or decimal strings in practice
        return {"type": ["object", "string", "null"]}
    if kind == "array":
        items = schema.get("items")
        return {
            "type": ["array", "null"],
            **({"items": to_json_schema(items, components)} if items else {}),
        }
    assert kind in JSON_TYPES, f"unexpected OAS type {kind!r}"
    return {"type": [kind, "null"]}


def response_schema(spec: str, path: str) -> dict[str, Any]:
    document = SPECS[spec]
    schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    converted = to_json_schema(schema, document["components"]["schemas"])
    converted["type"] = "object"  # the envelope itself is never null
    return converted


ENDPOINTS = [
    ("erp", "/api/erp/purchase-orders"),
    ("erp", "/api/erp/purchase-orders.line-items"),
    ("erp", "/api/erp/vendors"),
    ("erp", "/api/erp/statuses/purchase-orders"),
    ("erp", "/api/erp/currencies"),
    ("erp", "/api/erp/exchange-rates"),
    ("erp", "/api/erp/uom"),
    ("erp", "/api/erp/sites"),
    ("eam", "/api/eam/assets"),
    ("eam", "/api/eam/assets-downtime"),
    ("system", "/api/system/connections"),
]


def test_converter_is_strict():
    schema = response_schema("erp", "/api/erp/vendors")
    vendor = schema["properties"]["data"]["items"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"key": "1"}, vendor)  # missing fields
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({name: None for name in vendor["properties"]} | {"extra": 1}, vendor)


@pytest.mark.parametrize(("spec", "path"), ENDPOINTS)
@pytest.mark.parametrize("conn", [0, 1, 2])
def test_list_endpoint_validates(api, spec, path, conn):
    schema = response_schema(spec, path)
    validator = jsonschema.Draft202012Validator(schema)
    body = api.json(path, conn, {"per_page": 1000})
    assert body["data"], f"{path} served no rows to check"
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_empty_page_validates(api):
    schema = response_schema("erp", "/api/erp/purchase-orders")
    jsonschema.validate(api.json("/api/erp/purchase-orders", 0, {"page": 99}), schema)


def test_order_by_key_validates(api):
    key = api.json("/api/erp/purchase-orders", 1, {"per_page": 1})["data"][0]["key"]
    schema = SPECS["erp"]["paths"]["/api/erp/purchase-orders/{key}"]["get"]["responses"]["200"]
    converted = to_json_schema(
        schema["content"]["application/json"]["schema"], SPECS["erp"]["components"]["schemas"]
    )
    jsonschema.validate(api.json(f"/api/erp/purchase-orders/{key}", 1), converted)


def test_integration_current_validates(api):
    schema = response_schema("system", "/api/integrations/current")
    jsonschema.validate(api.json("/api/integrations/current", 2), schema)


def test_typed_values_follow_the_documented_choices(api):
    order = api.json("/api/erp/purchase-orders", 0, {"per_page": 1})["data"][0]
    currency = api.json("/api/erp/currencies", 0)["data"][0]
    assert order["orderDate"].endswith("Z") and isinstance(order["totalNetValue"], str)
    assert isinstance(order["lineItems"][0]["quantity"], str)
    assert currency["isBase"] in ("true", "false") and currency["isActive"] in ("true", "false")
    assert isinstance(api.json("/api/erp/uom", 0)["data"][0]["isActive"], bool)
