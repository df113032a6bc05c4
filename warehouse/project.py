"""Discover a model project on disk: models, their YAML, seeds and declared sources.

The file format is the contract in `docs/models.md`. Discovery reads files only; parsing the SQL
into a dependency graph is `warehouse.graph`'s job.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from warehouse.errors import ProjectError
from warehouse.seeds import seed_select

MATERIALIZATIONS = ("view", "table", "incremental")
SEED_SCHEMA = "seeds"
SOURCES_DIR = "sources"


@dataclass(frozen=True)
class Column:
    """A documented output column of a model or seed."""

    name: str
    description: str = ""
    type: str | None = None  # seeds only: the DuckDB type to cast the CSV text to


@dataclass(frozen=True)
class TestSpec:
    """One YAML test as written: its kind, the column it is attached to (if any) and options."""

    kind: str
    column: str | None
    options: dict[str, Any]
    origin: str  # the YAML file, for error messages


@dataclass
class Model:
    """A model (`<schema>/<name>.sql`) or a seed (`seeds/<name>.csv`), keyed by `schema.name`."""

    schema: str
    name: str
    path: Path
    sql: str  # DuckDB SQL: the file's text, or the generated SELECT of a seed
    materialized: str = "view"
    unique_key: tuple[str, ...] = ()
    description: str = ""
    columns: tuple[Column, ...] = ()
    tests: tuple[TestSpec, ...] = ()
    is_seed: bool = False
    depends_on: tuple[str, ...] = ()  # filled by warehouse.graph
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def fqn(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass
class RawProject:
    """What is on disk, before the SQL is parsed."""

    root: Path
    models: dict[str, Model]
    sources: frozenset[str]  # "raw_makini.purchase_orders", ...


def discover(project_dir: str | Path) -> RawProject:
    """Read every model, seed, YAML and source file under `project_dir`."""
    root = Path(project_dir)
    if not root.is_dir():
        raise ProjectError(f"model project directory {str(root)!r} does not exist")
    models: dict[str, Model] = {}
    for schema_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        schema = schema_dir.name.lower()
        if schema == SOURCES_DIR or schema.startswith((".", "_")):
            continue
        if schema == SEED_SCHEMA:
            found = _discover_seeds(schema_dir)
        else:
            found = {
                f"{schema}.{p.stem.lower()}": Model(
                    schema=schema, name=p.stem.lower(), path=p, sql=p.read_text()
                )
                for p in sorted(schema_dir.glob("*.sql"))
            }
        models.update(found)
        _apply_yaml(schema_dir, schema, models)
    return RawProject(root=root, models=models, sources=_discover_sources(root / SOURCES_DIR))


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ProjectError(f"{path}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ProjectError(f"{path}: expected a mapping at the top level")
    return data


def _discover_sources(sources_dir: Path) -> frozenset[str]:
    tables: set[str] = set()
    for path in sorted(sources_dir.glob("*.y*ml")) if sources_dir.is_dir() else []:
        for i, entry in enumerate(_load_yaml(path).get("sources") or []):
            schema = entry.get("schema") if isinstance(entry, dict) else None
            if not schema:
                raise ProjectError(f"{path}: sources[{i}] has no schema")
            for table in entry.get("tables") or []:
                name = table.get("name") if isinstance(table, dict) else table
                tables.add(f"{schema}.{name}".lower())
    return frozenset(tables)


def _discover_seeds(seed_dir: Path) -> dict[str, Model]:
    types = _seed_types(seed_dir)
    seeds = {}
    for path in sorted(seed_dir.glob("*.csv")):
        name = path.stem.lower()
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        if not rows:
            raise ProjectError(f"{path}: empty CSV (a header row is required)")
        header = [h.strip().lower() for h in rows[0]]
        columns = tuple(Column(name=h, type=types.get(name, {}).get(h)) for h in header)
        seeds[f"{SEED_SCHEMA}.{name}"] = Model(
            schema=SEED_SCHEMA,
            name=name,
            path=path,
            sql=seed_select(path, columns, rows[1:]),
            materialized="table",
            columns=columns,
            is_seed=True,
        )
    return seeds


def _seed_types(seed_dir: Path) -> dict[str, dict[str, str]]:
    types: dict[str, dict[str, str]] = {}
    for path in sorted(seed_dir.glob("_*.y*ml")):
        data = _load_yaml(path)
        for entry in (data.get("seeds") or []) + (data.get("models") or []):
            types[entry["name"].lower()] = {
                c["name"].lower(): c["type"] for c in entry.get("columns") or [] if c.get("type")
            }
    return types


def _apply_yaml(schema_dir: Path, schema: str, models: dict[str, Model]) -> None:
    """Merge the folder's `_*.yml` entries into the models they describe."""
    for path in sorted(schema_dir.glob("_*.y*ml")):
        data = _load_yaml(path)
        for entry in (data.get("models") or []) + (data.get("seeds") or []):
            name = str(entry.get("name", "")).lower()
            model = models.get(f"{schema}.{name}")
            if model is None:
                raise ProjectError(f"{path}: {name!r} has no {schema}/{name}.sql (or .csv)")
            _apply_entry(model, entry, path)


def _apply_entry(model: Model, entry: dict[str, Any], path: Path) -> None:
    where = f"{path}: {model.fqn}"
    if not model.is_seed:
        model.materialized = entry.get("materialized", model.materialized)
    if model.materialized not in MATERIALIZATIONS:
        raise ProjectError(f"{where}: materialized must be one of {', '.join(MATERIALIZATIONS)}")
    key = entry.get("unique_key") or ()
    model.unique_key = tuple(k.lower() for k in ([key] if isinstance(key, str) else key))
    if model.materialized == "incremental" and not model.unique_key:
        raise ProjectError(f"{where}: incremental models need a unique_key")
    model.description = str(entry.get("description") or "").strip()
    model.meta = dict(entry.get("meta") or {})
    columns, tests = [], []
    seed_types = {c.name: c.type for c in model.columns}
    for col in entry.get("columns") or []:
        name = str(col["name"]).lower()
        columns.append(
            Column(name, str(col.get("description") or "").strip(), seed_types.get(name))
        )
        tests += [
            _test_spec(t, name, path) for t in col.get("tests") or col.get("data_tests") or []
        ]
    tests += [
        _test_spec(t, None, path) for t in entry.get("tests") or entry.get("data_tests") or []
    ]
    if columns:
        documented = {c.name for c in columns}
        # seed columns come from the CSV header; keep undocumented ones too
        columns += [c for c in model.columns if c.name not in documented] if model.is_seed else []
        model.columns = tuple(columns)
    model.tests = tuple(tests)


def _test_spec(raw: Any, column: str | None, path: Path) -> TestSpec:
    """`not_null` or `{accepted_values: {values: [...], severity: warn}}`."""
    if isinstance(raw, str):
        return TestSpec(raw, column, {}, str(path))
    if isinstance(raw, dict) and len(raw) == 1:
        kind, options = next(iter(raw.items()))
        if options is None:
            options = {}
        if not isinstance(options, dict):
            raise ProjectError(f"{path}: test {kind!r} options must be a mapping")
        return TestSpec(kind, column, dict(options), str(path))
    raise ProjectError(f"{path}: cannot read test {raw!r}")
