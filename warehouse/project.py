"""Load a model project from disk: files, project file, YAML, seeds, Jinja, SQL and the DAG.

The file format is the contract in `docs/models.md`. Everything that can be checked without a
database is checked here, so a bad project fails before any SQL runs, naming file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlglot import exp

from warehouse.config import PROJECT_FILE, ProjectConfig, load_config
from warehouse.data_tests import model_tests
from warehouse.errors import ProjectError
from warehouse.graph import build_order, dependencies
from warehouse.model import SEED_SCHEMA, Column, Model, Project, TestSpec
from warehouse.parsing import parse_query
from warehouse.properties import (
    SETTING_KEYS,
    Entry,
    Properties,
    apply_entry,
    apply_settings,
    read_properties,
    tags_of,
)
from warehouse.seeds import SeedFile, read_seed, values_select
from warehouse.templating import Templates, read_docs, uses_jinja

MACROS_DIR = "macros"
SOURCES_DIR = "sources"


@dataclass
class _Files:
    """The project's files by role."""

    models: list[Path] = field(default_factory=list)
    seeds: list[Path] = field(default_factory=list)
    properties: list[Path] = field(default_factory=list)
    macros: list[Path] = field(default_factory=list)
    docs: list[Path] = field(default_factory=list)


def load_project(
    project_dir: str | Path = "models", *, vars: dict[str, Any] | None = None
) -> Project:
    """Discover, render, parse and order a model project; raises ProjectError on any problem.

    `vars` override the project file's `vars:` (the CLI's `--vars`).
    """
    root = Path(project_dir)
    if not root.is_dir():
        raise ProjectError(f"model project directory {str(root)!r} does not exist")
    config = load_config(root, vars)
    config.check_folders(root)
    files = _scan(root)
    seeds = {path: read_seed(path) for path in files.seeds}
    models = _seed_models(seeds) | _sql_models(root, files.models, config)
    properties = read_properties(files.properties)
    _apply_properties(root, properties, models)
    _finish_seeds(models, seeds)
    sources = frozenset(properties.sources.values())
    loader = _Loader(models, properties, config, files.macros, files.docs)
    loader.render_descriptions()
    trees, incremental_trees = loader.render_and_parse()
    known = set(models) | sources
    for fqn, model in models.items():
        origin = _origin(model)
        deps = dependencies(model, trees[fqn], known, origin, may_read_self=False)
        if fqn in incremental_trees:
            deps |= dependencies(
                model,
                incremental_trees[fqn],
                known,
                f"{origin} (is_incremental)",
                may_read_self=True,
            )
        model.depends_on = tuple(sorted(deps))
        model.tests = tuple(loader.resolve_test(model, spec, known) for spec in model.tests)
        model_tests(model)  # every test definition is checked at load time
    return Project(
        root=root,
        models=models,
        sources=sources,
        trees=trees,
        order=build_order(models),
        incremental_trees=incremental_trees,
        vars=dict(config.vars),
    )


def _scan(root: Path) -> _Files:
    files = _Files()
    for path in sorted(_walk(root)):
        relative = path.relative_to(root)
        top = relative.parts[0].lower() if len(relative.parts) > 1 else ""
        suffix = path.suffix.lower()
        if suffix in (".yml", ".yaml"):
            if relative.as_posix() != PROJECT_FILE:
                files.properties.append(path)
        elif suffix == ".sql" and top == MACROS_DIR:
            files.macros.append(path)
        elif suffix == ".sql":
            if not top or top in (SEED_SCHEMA, SOURCES_DIR):
                raise ProjectError(
                    f"{path}: a model must be in a schema folder such as staging/ "
                    f"(not {top + '/' if top else 'the project root'})"
                )
            files.models.append(path)
        elif suffix == ".md":
            files.docs.append(path)
        elif suffix == ".csv":
            if top != SEED_SCHEMA:
                raise ProjectError(
                    f"{path}: seeds are read from {SEED_SCHEMA}/ only; move it there"
                )
            files.seeds.append(path)
    return files


def _walk(root: Path) -> Iterator[Path]:
    for path in root.iterdir():
        if path.name.startswith("."):
            continue
        if path.is_dir():
            yield from _walk(path)
        else:
            yield path


def _seed_models(seeds: dict[Path, SeedFile]) -> dict[str, Model]:
    models: dict[str, Model] = {}
    for path, seed in seeds.items():
        model = Model(
            schema=SEED_SCHEMA,
            name=path.stem.lower(),
            path=path,
            sql="",  # written once the YAML types are known
            materialized="table",
            columns=tuple(Column(name) for name in seed.header),
            is_seed=True,
        )
        _add(models, model)
    return models


def _sql_models(root: Path, paths: list[Path], config: ProjectConfig) -> dict[str, Model]:
    models: dict[str, Model] = {}
    for path in paths:
        folder = tuple(p.lower() for p in path.relative_to(root).parent.parts)
        settings = config.for_folder(folder)
        text = path.read_text(encoding="utf-8")
        model = Model(
            schema=settings.get("schema") or folder[0],
            name=path.stem.lower(),
            path=path,
            sql=text,
            materialized=settings.get("materialized", "view"),
            tags=settings["tags"],
            template=text if uses_jinja(text) else None,
        )
        _add(models, model)
    return models


def _add(models: dict[str, Model], model: Model) -> None:
    if model.fqn in models:
        raise ProjectError(f"{model.path}: {model.fqn} is also defined by {models[model.fqn].path}")
    models[model.fqn] = model


def _apply_properties(root: Path, properties: Properties, models: dict[str, Model]) -> None:
    described: dict[str, str] = {}
    for entry in properties.entries:
        model = _match(root, entry, models)
        if model.fqn in described:
            raise ProjectError(
                f"{entry.origin}: {model.fqn} is already described at {described[model.fqn]}"
            )
        described[model.fqn] = entry.origin
        apply_entry(model, entry)


def _match(root: Path, entry: Entry, models: dict[str, Model]) -> Model:
    """The model an entry describes: by `schema.name`, else by name, preferring the entry's
    own folder (names repeat across schemas: staging.vendors, canonical.vendors)."""
    if "." in entry.name:
        if entry.name in models:
            return models[entry.name]
        candidates: list[Model] = []
    else:
        named = [
            m for m in models.values() if m.name == entry.name and (m.is_seed or not entry.is_seed)
        ]
        local = [m for m in named if entry.path.parent in m.path.parents]
        candidates = local or named
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        names = ", ".join(sorted(m.fqn for m in candidates))
        raise ProjectError(f"{entry.origin}: {entry.name!r} is ambiguous ({names}); qualify it")
    folder = entry.path.parent.relative_to(root).as_posix()
    raise ProjectError(f"{entry.origin}: {entry.name!r} has no {folder}/{entry.name}.sql (or .csv)")


def _finish_seeds(models: dict[str, Model], seeds: dict[Path, SeedFile]) -> None:
    """Seed columns take their YAML type, else the type inferred from the cells."""
    for model in models.values():
        if model.is_seed:
            seed = seeds[model.path]
            model.columns = tuple(
                Column(c.name, c.description, c.type or seed.inferred_type(c.name))
                for c in model.columns
            )
            model.sql = values_select([(c.name, c.type) for c in model.columns], seed.rows)


def _origin(model: Model) -> str:
    return f"{model.path} (rendered)" if model.template is not None else str(model.path)


class _Loader:
    """Renders the models that use Jinja (building the environment only if one does), parses
    every model, and resolves `ref()`/`source()` in SQL and in tests."""

    def __init__(
        self,
        models: dict[str, Model],
        properties: Properties,
        config: ProjectConfig,
        macros: list[Path],
        docs: list[Path],
    ) -> None:
        self._models = models
        self._sources = properties.sources
        self._config = config
        self._macros = macros
        self._docs = docs
        self._templates: Templates | None = None
        self._by_name: dict[str, list[str]] = {}
        for fqn, model in models.items():
            self._by_name.setdefault(model.name, []).append(fqn)

    @property
    def templates(self) -> Templates:
        if self._templates is None:
            self._templates = Templates(
                macro_files=self._macros,
                vars=self._config.vars,
                ref=self.ref,
                source=self.source,
                docs=read_docs(self._docs),
            )
        return self._templates

    def render_descriptions(self) -> None:
        """Descriptions written with Jinja, such as dbt's `{{ doc('orders') }}`."""
        for model in self._models.values():
            if uses_jinja(model.description):
                model.description = self.templates.render_text(model.fqn, model.description)
            model.columns = tuple(
                replace(c, description=self._render_description(f"{model.fqn}.{c.name}", c))
                for c in model.columns
            )

    def _render_description(self, origin: str, column: Column) -> str:
        if not uses_jinja(column.description):
            return column.description
        return self.templates.render_text(origin, column.description)

    def render_and_parse(self) -> tuple[dict[str, exp.Query], dict[str, exp.Query]]:
        trees, incremental_trees = {}, {}
        for fqn, model in self._models.items():
            if model.template is not None:
                self._render(model)
            trees[fqn] = parse_query(model.sql, _origin(model))
            if model.incremental_sql is not None:
                incremental_trees[fqn] = parse_query(
                    model.incremental_sql, f"{model.path} (rendered, is_incremental)"
                )
        return trees, incremental_trees

    def _render(self, model: Model) -> None:
        assert model.template is not None
        rendered = self.templates.render(model.path, model.template, this=model.fqn)
        config = rendered.config
        settings = {k: config[k] for k in SETTING_KEYS if k in config}
        apply_settings(model, settings, f"{model.path}: config()")
        model.tags = (*model.tags, *tags_of(config.get("tags")))
        model.meta = {**model.meta, **dict(config.get("meta") or {})}
        model.sql = rendered.sql
        if model.materialized == "incremental":
            incremental = self.templates.render(
                model.path, model.template, this=model.fqn, incremental=True
            ).sql
            model.incremental_sql = incremental if incremental != rendered.sql else None

    def ref(self, parts: tuple[str, ...]) -> str:
        if len(parts) == 2:
            fqn = f"{parts[0]}.{parts[1]}".lower()
        elif "." in parts[0]:
            fqn = parts[0].lower()
        else:
            matches = self._by_name.get(parts[0].lower(), [])
            if len(matches) > 1:
                raise ProjectError(
                    f"ref({parts[0]!r}) is ambiguous ({', '.join(sorted(matches))}): "
                    f"write ref('schema', '{parts[0]}')"
                )
            fqn = matches[0] if matches else parts[0].lower()
        if fqn not in self._models:
            raise ProjectError(
                f"ref({', '.join(repr(p) for p in parts)}): no model or seed {fqn!r}"
            )
        return fqn

    def source(self, source_name: str, table_name: str) -> str:
        key = (str(source_name).lower(), str(table_name).lower())
        if key not in self._sources:
            raise ProjectError(
                f"source({source_name!r}, {table_name!r}) is not declared in a sources: YAML"
            )
        return self._sources[key]

    def resolve_test(self, model: Model, spec: TestSpec, known: set[str]) -> TestSpec:
        """A relationships test's `to:` (a table, `ref(...)` or `source(...)`) must exist now,
        not when the test first runs."""
        if spec.kind != "relationships" or not spec.options.get("to"):
            return spec
        target = str(spec.options["to"]).strip()
        if "(" in target:
            target = self.templates.render_expression(spec.origin, target)
        target = target.lower()
        if target not in known:
            raise ProjectError(
                f"{spec.origin}: {model.fqn} test relationships: to {target!r} is not a model, "
                "a seed or a declared source"
            )
        return TestSpec(spec.kind, spec.column, {**spec.options, "to": target}, spec.origin)
