"""Parse every model with sqlglot and build the dependency graph and the build order.

A table reference found by sqlglot *is* a dependency: on a model, a seed or a declared source.
Anything else is an error naming the file and the table, so a typo fails before any SQL runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError
from sqlglot.optimizer.scope import traverse_scope

from warehouse.errors import ProjectError
from warehouse.project import Model, discover

SOURCE_DIALECT = "duckdb"


@dataclass
class Project:
    """A parsed model project: models and seeds by `schema.name`, sources, and the DAG."""

    root: Path
    models: dict[str, Model]
    sources: frozenset[str]
    trees: dict[str, exp.Query] = field(repr=False)
    order: list[str]  # topological: every model after what it reads

    def children(self, fqn: str) -> list[str]:
        return [m for m in self.order if fqn in self.models[m].depends_on]

    def ancestors(self, fqn: str) -> set[str]:
        seen: set[str] = set()
        stack = [d for d in self.models[fqn].depends_on if d in self.models]
        while stack:
            name = stack.pop()
            if name not in seen:
                seen.add(name)
                stack += [d for d in self.models[name].depends_on if d in self.models]
        return seen

    def descendants(self, fqn: str) -> set[str]:
        seen: set[str] = set()
        stack = self.children(fqn)
        while stack:
            name = stack.pop()
            if name not in seen:
                seen.add(name)
                stack += self.children(name)
        return seen

    def tree(self, fqn: str) -> exp.Query:
        """A fresh copy of the model's parsed SELECT (callers may transform it)."""
        return self.trees[fqn].copy()


def load_project(project_dir: str | Path = "models") -> Project:
    """Discover, parse and order a model project; raises ProjectError on any problem."""
    raw = discover(project_dir)
    trees = {fqn: parse_model(model) for fqn, model in raw.models.items()}
    for fqn, model in raw.models.items():
        model.depends_on = tuple(sorted(_dependencies(model, trees[fqn], raw.models, raw.sources)))
    return Project(
        root=raw.root,
        models=raw.models,
        sources=raw.sources,
        trees=trees,
        order=_build_order(raw.models),
    )


def parse_model(model: Model) -> exp.Query:
    """The model's single SELECT statement (CTEs and set operations allowed)."""
    try:
        statements = [s for s in sqlglot.parse(model.sql, read=SOURCE_DIALECT) if s is not None]
    except ParseError as exc:
        raise ProjectError(f"{model.path}: SQL does not parse: {exc}") from exc
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        kinds = ", ".join(type(s).__name__.upper() for s in statements) or "nothing"
        raise ProjectError(f"{model.path}: expected exactly one SELECT statement, found {kinds}")
    return statements[0]


def table_references(tree: exp.Query) -> set[exp.Table]:
    """Physical tables read by the query; CTE names and table functions are not tables."""
    tables = set()
    for scope in traverse_scope(tree):
        for source in scope.sources.values():
            if isinstance(source, exp.Table) and isinstance(source.this, exp.Identifier):
                tables.add(source)
    return tables


def _dependencies(
    model: Model, tree: exp.Query, models: dict[str, Model], sources: frozenset[str]
) -> set[str]:
    deps = set()
    for table in table_references(tree):
        if not table.db:
            raise ProjectError(
                f"{model.path}: table {table.name!r} must be schema-qualified "
                f"(e.g. staging.{table.name})"
            )
        name = f"{table.db}.{table.name}".lower()
        if name not in models and name not in sources:
            raise ProjectError(
                f"{model.path}: unknown table {name!r}: not a model, a seed or a source declared "
                "in sources/*.yml"
            )
        if name == model.fqn:
            raise ProjectError(f"{model.path}: model reads its own table {name!r}")
        deps.add(name)
    return deps


def _build_order(models: dict[str, Model]) -> list[str]:
    graph = {fqn: [d for d in m.depends_on if d in models] for fqn, m in models.items()}
    sorter = TopologicalSorter({k: graph[k] for k in sorted(graph)})
    try:
        return list(sorter.static_order())
    except CycleError as exc:
        cycle = exc.args[1]
        raise ProjectError(f"dependency cycle: {' -> '.join(cycle)}") from exc
