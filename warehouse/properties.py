"""YAML property files: descriptions, columns, tests and settings of models, seeds and sources.

Every `*.yml`/`*.yaml` under the model directory is one (whatever its name), except the project
file. Unknown keys are errors naming file and line, so a misspelt `colums:` or a test under the
wrong key cannot silently disappear.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warehouse import yamlfile
from warehouse.errors import ProjectError
from warehouse.model import INCREMENTAL_STRATEGIES, MATERIALIZATIONS, Column, Model, TestSpec
from warehouse.yamlfile import YamlMap

FILE_KEYS = ("version", "models", "seeds", "sources")
MODEL_KEYS = (
    "name",
    "description",
    "config",
    "materialized",
    "unique_key",
    "incremental_strategy",
    "tags",
    "meta",
    "columns",
    "tests",
    "data_tests",
)
SETTING_KEYS = ("materialized", "unique_key", "incremental_strategy")
CONFIG_KEYS = (*SETTING_KEYS, "tags", "meta", "column_types")
COLUMN_KEYS = ("name", "description", "type", "data_type", "tests", "data_tests", "meta", "tags")
SOURCE_KEYS = ("name", "schema", "description", "tables", "meta", "tags", "loader")
SOURCE_TABLE_KEYS = ("name", "identifier", "description", "columns", "meta", "tags")
SOURCE_COLUMN_KEYS = ("name", "description", "data_type", "meta", "tags")


@dataclass(frozen=True)
class Entry:
    """A `models:` or `seeds:` item of a property file, still to be matched to its model."""

    name: str
    data: YamlMap
    path: Path
    origin: str  # path:line
    is_seed: bool


@dataclass
class Properties:
    """Everything the project's property files declare."""

    entries: list[Entry] = field(default_factory=list)
    # (source name, table name) -> "schema.table"
    sources: dict[tuple[str, str], str] = field(default_factory=dict)


def read_properties(paths: list[Path]) -> Properties:
    found = Properties()
    for path in paths:
        data = yamlfile.load(path)
        yamlfile.check_keys(path, data, FILE_KEYS, "a property file")
        for key, is_seed in (("models", False), ("seeds", True)):
            items = yamlfile.sequence(path, data.get(key), key, data, key)
            for index, item in enumerate(items):
                found.entries.append(_entry(path, items, index, item, is_seed))
        items = yamlfile.sequence(path, data.get("sources"), "sources", data, "sources")
        for index, item in enumerate(items):
            _read_source(path, items, index, item, found.sources)
    return found


def _entry(path: Path, items: yamlfile.YamlList, index: int, item: Any, is_seed: bool) -> Entry:
    origin = yamlfile.where(path, items, index=index)
    entry = yamlfile.mapping(origin, item, "a model entry")
    yamlfile.check_keys(path, entry, MODEL_KEYS, "a seed" if is_seed else "a model")
    if not entry.get("name"):
        raise ProjectError(f"{origin}: entry without a name:")
    return Entry(str(entry["name"]).lower(), entry, path, origin, is_seed)


def _read_source(
    path: Path, items: yamlfile.YamlList, index: int, item: Any, sources: dict[tuple[str, str], str]
) -> None:
    origin = yamlfile.where(path, items, index=index)
    source = yamlfile.mapping(origin, item, "a source")
    yamlfile.check_keys(path, source, SOURCE_KEYS, "a source")
    name = str(source.get("name") or source.get("schema") or "").lower()
    if not name:
        raise ProjectError(f"{origin}: source without a name: or schema:")
    schema = str(source.get("schema") or name).lower()
    tables = yamlfile.sequence(path, source.get("tables"), "tables", source, "tables")
    for table_index, table in enumerate(tables):
        table_origin = yamlfile.where(path, tables, index=table_index)
        if isinstance(table, YamlMap):
            yamlfile.check_keys(path, table, SOURCE_TABLE_KEYS, "a source table")
            for column in yamlfile.sequence(
                path, table.get("columns"), "columns", table, "columns"
            ):
                column = yamlfile.mapping(table_origin, column, "a source column")
                yamlfile.check_keys(path, column, SOURCE_COLUMN_KEYS, "a source column")
            table_name = str(table.get("name") or "").lower()
            identifier = str(table.get("identifier") or table_name).lower()
        else:
            table_name = identifier = str(table or "").lower()
        if not table_name:
            raise ProjectError(f"{table_origin}: source table without a name")
        if (name, table_name) in sources:
            raise ProjectError(f"{table_origin}: source {name}.{table_name} is declared twice")
        sources[(name, table_name)] = f"{schema}.{identifier}"


def apply_entry(model: Model, entry: Entry) -> None:
    """Merge a YAML entry into its model: settings, description, columns and tests."""
    data, path = entry.data, entry.path
    where = f"{entry.origin}: {model.fqn}"
    config = yamlfile.mapping(path, data.get("config"), "config", data, "config")
    yamlfile.check_keys(path, config, CONFIG_KEYS, "config")
    settings = {k: data[k] for k in SETTING_KEYS if k in data}
    settings.update({k: config[k] for k in SETTING_KEYS if k in config})
    if model.is_seed and "materialized" in settings:
        raise ProjectError(f"{where}: a seed is always a table (no materialized:)")
    apply_settings(model, settings, where)
    model.description = str(data.get("description") or "").strip()
    model.meta = {**model.meta, **dict(data.get("meta") or {}), **dict(config.get("meta") or {})}
    model.tags = (*model.tags, *tags_of(data.get("tags")), *tags_of(config.get("tags")))
    column_types = {
        str(k).lower(): str(v)
        for k, v in yamlfile.mapping(path, config.get("column_types"), "column_types").items()
    }
    columns, tests = [], []
    items = yamlfile.sequence(path, data.get("columns"), "columns", data, "columns")
    for index, raw in enumerate(items):
        origin = yamlfile.where(path, items, index=index)
        col = yamlfile.mapping(origin, raw, "a column")
        yamlfile.check_keys(path, col, COLUMN_KEYS, "a column")
        if not col.get("name"):
            raise ProjectError(f"{origin}: column without a name:")
        name = str(col["name"]).lower()
        type_ = col.get("type") or col.get("data_type") or column_types.get(name)
        columns.append(
            Column(name, str(col.get("description") or "").strip(), str(type_) if type_ else None)
        )
        tests += _tests(path, col, name)
    tests += _tests(path, data, None)
    if model.is_seed:
        model.columns = _seed_columns(where, model.columns, columns, column_types)
    elif columns:
        model.columns = tuple(columns)
    model.tests = tuple(tests)


def apply_settings(model: Model, settings: dict[str, Any], where: str) -> None:
    """`materialized`, `unique_key` and `incremental_strategy` (from YAML or `config()`),
    checked together."""
    if "materialized" in settings:
        model.materialized = str(settings["materialized"])
    if model.materialized not in MATERIALIZATIONS:
        raise ProjectError(f"{where}: materialized must be one of {', '.join(MATERIALIZATIONS)}")
    if "unique_key" in settings:
        key = settings["unique_key"] or ()
        model.unique_key = tuple(str(k).lower() for k in ([key] if isinstance(key, str) else key))
    if "incremental_strategy" in settings:
        model.incremental_strategy = str(settings["incremental_strategy"])
    if model.incremental_strategy not in INCREMENTAL_STRATEGIES:
        raise ProjectError(
            f"{where}: incremental_strategy must be one of {', '.join(INCREMENTAL_STRATEGIES)}, "
            f"got {model.incremental_strategy!r}"
        )
    if model.materialized == "incremental" and not model.unique_key:
        raise ProjectError(f"{where}: incremental models need a unique_key")


def _seed_columns(
    where: str, header: tuple[Column, ...], documented: list[Column], types: dict[str, str]
) -> tuple[Column, ...]:
    """Seed columns stay in CSV order, with YAML descriptions and types where given."""
    names = {c.name for c in header}
    unknown = [c.name for c in documented if c.name not in names] + [
        n for n in types if n not in names
    ]
    if unknown:
        raise ProjectError(f"{where}: column {unknown[0]!r} is not in the CSV header")
    by_name = {c.name: c for c in documented}
    return tuple(by_name.get(c.name) or Column(c.name, "", types.get(c.name)) for c in header)


def tags_of(value: Any) -> tuple[str, ...]:
    return tuple(str(t) for t in ([value] if isinstance(value, str) else value or ()))


def _tests(path: Path, node: YamlMap, column: str | None) -> list[TestSpec]:
    key = "data_tests" if "data_tests" in node else "tests"
    items = yamlfile.sequence(path, node.get(key), key, node, key)
    return [
        test_spec(raw, column, yamlfile.where(path, items, index=index))
        for index, raw in enumerate(items)
    ]


def test_spec(raw: Any, column: str | None, origin: str) -> TestSpec:
    """`not_null` or `{accepted_values: {values: [...], severity: warn}}`; dbt's `config:`
    (severity, where) is merged into the options."""
    if isinstance(raw, str):
        return TestSpec(raw, column, {}, origin)
    if isinstance(raw, dict) and len(raw) == 1:
        kind, options = next(iter(raw.items()))
        if options is None:
            options = {}
        if not isinstance(options, dict):
            raise ProjectError(f"{origin}: test {kind!r} options must be a mapping")
        options = dict(options)
        nested = options.pop("config", None) or {}
        if not isinstance(nested, dict):
            raise ProjectError(f"{origin}: test {kind!r} config: must be a mapping")
        return TestSpec(str(kind), column, {**options, **nested}, origin)
    raise ProjectError(f"{origin}: cannot read test {raw!r}")
