"""The Makini API contract the sandbox tests check, kept in the repository.

`sandbox/makini/contract.json` is plantsync's own compact form of the parts of Makini's published
OpenAPI 3 documents (`oas3_erp.json`, `oas3_eam.json`, `oas3_system.json` in the public
`eqcentric/api-docs` GitHub repository) that the sandbox serves: for each endpoint, the document
and the shape of its `GET` 200 JSON response; for each component schema those responses reach,
its field names and types, and where in which document it came from. Only names, types and
references are kept: no descriptions, examples or other text of the documents.

Type notation (a string, or a JSON object for an inline object):

- `"string"`, `"integer"`, `"number"`, `"boolean"`: that JSON type;
- `"object"`: an object whose fields the documents do not describe (dates, money, quantities);
- `"array"`: an array whose items the documents do not describe; `"array:<type>"`: an array of
  `<type>` (e.g. `"array:ref:POLineItem"`);
- `"ref:<Name>"`: the schema `<Name>` of the contract's `schemas`;
- `{"<field>": <type>, ...}`: an object with exactly these fields (the response envelopes).

Two things use it:

- `contract_json_schema` / `response_schema` turn it into strict JSON Schema for validating the
  sandbox's responses, with exactly the relaxations written down in docs/sandbox.md: every
  property may be null; an `"object"` property may also be a string; `customFields` (an object)
  is allowed on `PurchaseOrder`, `POLineItem` and `LineItem`. Otherwise every field is required
  and no other may appear.
- `derive_contract` builds the contract from a directory holding the published documents. The
  test `test_contract_matches_published_documents` compares it with the file when the environment
  variable `MAKINI_OPENAPI_DIR` names such a directory; it is skipped otherwise. To regenerate the
  file after Makini publishes new documents (update `SNAPSHOT` first), from the repository root:

      python -m tests.sandbox.makini_contract /path/to/openapi/dir > sandbox/makini/contract.json
"""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path
from typing import Any

CONTRACT_PATH = Path(__file__).resolve().parents[2] / "sandbox" / "makini" / "contract.json"
REPOSITORY = "https://github.com/eqcentric/api-docs"
SNAPSHOT = "2025-08-29"
DOCUMENTS = ("erp", "eam", "system")

# The endpoints the sandbox serves and the tests check, and the document describing each.
CONTRACT_ENDPOINTS = {
    "/api/erp/purchase-orders": "erp",
    "/api/erp/purchase-orders/{key}": "erp",
    "/api/erp/purchase-orders.line-items": "erp",
    "/api/erp/vendors": "erp",
    "/api/erp/statuses/purchase-orders": "erp",
    "/api/erp/currencies": "erp",
    "/api/erp/exchange-rates": "erp",
    "/api/erp/uom": "erp",
    "/api/erp/sites": "erp",
    "/api/eam/assets": "eam",
    "/api/eam/assets-downtime": "eam",
    "/api/system/connections": "system",
    "/api/integrations/current": "system",
}

SCALARS = ("string", "integer", "number", "boolean")
WITH_CUSTOM_FIELDS = {"PurchaseOrder", "POLineItem", "LineItem"}
ABOUT = (
    "The Makini API contract checked by tests/sandbox/test_makini_schema.py, in plantsync's own "
    "compact form: field names, types and references derived from Makini's published OpenAPI 3 "
    f"documents (the public eqcentric/api-docs repository, snapshot of {SNAPSHOT}). Endpoint "
    "responses are the GET 200 application/json schemas. Notation and regeneration: "
    "tests/sandbox/makini_contract.py."
)


def document_file(name: str) -> str:
    return f"oas3_{name}.json"


# --- the repository contract -> JSON Schema ------------------------------------------------


def load_contract(path: Path = CONTRACT_PATH) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def contract_json_schema(kind: str | dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """A contract type as strict JSON Schema with the documented relaxations."""
    if isinstance(kind, dict):
        return {
            "type": ["object", "null"],
            "properties": {name: contract_json_schema(t, schemas) for name, t in kind.items()},
            "required": sorted(kind),
            "additionalProperties": False,
        }
    if kind.startswith("ref:"):
        name = kind.removeprefix("ref:")
        converted = contract_json_schema(schemas[name]["fields"], schemas)
        if name in WITH_CUSTOM_FIELDS:
            converted["properties"]["customFields"] = {"type": "object"}
        return converted
    if kind == "object":  # dates, money, quantities: ISO or decimal strings in practice
        return {"type": ["object", "string", "null"]}
    if kind == "array":
        return {"type": ["array", "null"]}
    if kind.startswith("array:"):
        items = contract_json_schema(kind.removeprefix("array:"), schemas)
        return {"type": ["array", "null"], "items": items}
    if kind in SCALARS:
        return {"type": [kind, "null"]}
    raise ValueError(f"unknown contract type {kind!r}")


def response_schema(contract: dict[str, Any], path: str) -> dict[str, Any]:
    """The JSON Schema of an endpoint's whole response body (the envelope itself is never null)."""
    converted = contract_json_schema(contract["endpoints"][path]["response"], contract["schemas"])
    converted["type"] = "object"
    return converted


# --- the published documents -> contract ----------------------------------------------------


def load_documents(directory: Path) -> dict[str, dict[str, Any]]:
    return {
        name: json.loads((directory / document_file(name)).read_text(encoding="utf-8"))
        for name in DOCUMENTS
    }


class _Deriver:
    """Walks response schemas of one set of documents, collecting the component schemas reached."""

    def __init__(self, documents: dict[str, dict[str, Any]]) -> None:
        self.documents = documents
        self.schemas: dict[str, dict[str, Any]] = {}

    def compact(self, schema: dict[str, Any], document: str, where: str) -> str | dict[str, Any]:
        if "$ref" in schema:  # a `$ref` wins over any sibling keys, as in OpenAPI 3.0
            return f"ref:{self.component(schema['$ref'], document, where)}"
        kind = schema.get("type", "object")
        if kind == "object" and "properties" in schema:
            return {
                name: self.compact(prop, document, f"{where}.{name}")
                for name, prop in schema["properties"].items()
            }
        if kind == "object":
            return "object"
        if kind == "array":
            if "items" not in schema:
                return "array"
            items = self.compact(schema["items"], document, f"{where}[]")
            if not isinstance(items, str):
                raise ValueError(f"{where}: arrays of inline objects have no contract notation")
            return f"array:{items}"
        if kind in SCALARS:
            return kind
        raise ValueError(f"{where}: unexpected OpenAPI type {kind!r}")

    def component(self, ref: str, document: str, where: str) -> str:
        prefix = "#/components/schemas/"
        if not ref.startswith(prefix):
            raise ValueError(f"{where}: unsupported $ref {ref!r}")
        name = ref.removeprefix(prefix)
        origin = f"{document_file(document)}#/components/schemas/{name}"
        if name in self.schemas:
            if self.schemas[name]["from"] != origin:
                raise ValueError(f"{where}: schema {name} reached from two documents")
            return name
        self.schemas[name] = {"from": origin}  # before the walk: schemas may refer to themselves
        fields = self.compact(
            self.documents[document]["components"]["schemas"][name], document, name
        )
        if not isinstance(fields, dict):
            raise ValueError(f"{origin}: not an object with properties")
        self.schemas[name]["fields"] = fields
        return name


def derive_contract(directory: Path) -> dict[str, Any]:
    """The contract in the project's form, from the published OpenAPI documents in `directory`."""
    deriver = _Deriver(load_documents(directory))
    endpoints = {}
    for path, document in CONTRACT_ENDPOINTS.items():
        operation = deriver.documents[document]["paths"][path]["get"]
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        endpoints[path] = {
            "document": document_file(document),
            "response": deriver.compact(schema, document, f"{document_file(document)} {path}"),
        }
    return {
        "about": ABOUT,
        "source": {"repository": REPOSITORY, "snapshot": SNAPSHOT},
        "endpoints": endpoints,
        "schemas": deriver.schemas,
    }


def render(contract: dict[str, Any]) -> str:
    """The contract as stored: sorted keys, indented, one trailing newline."""
    return json.dumps(contract, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def contract_diff(expected: dict[str, Any], actual: dict[str, Any]) -> str:
    """A readable diff of the entries (endpoints, schemas, other keys) that differ."""
    parts = []

    def entry_diff(label: str, old: Any, new: Any) -> None:
        if old == new:
            return
        old_lines = [] if old is None else render(old).splitlines()
        new_lines = [] if new is None else render(new).splitlines()
        diff = difflib.unified_diff(old_lines, new_lines, "repository", "published", lineterm="")
        parts.append(f"== {label}\n" + "\n".join(diff))

    for section in ("endpoints", "schemas"):
        old, new = expected.get(section, {}), actual.get(section, {})
        for name in sorted(set(old) | set(new)):
            entry_diff(f"{section}: {name}", old.get(name), new.get(name))
    for key in sorted((set(expected) | set(actual)) - {"endpoints", "schemas"}):
        entry_diff(key, expected.get(key), actual.get(key))
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(
            "usage: python -m tests.sandbox.makini_contract OPENAPI_DIR > "
            "sandbox/makini/contract.json",
            file=sys.stderr,
        )
        return 2
    sys.stdout.write(render(derive_contract(Path(argv[0]))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
