"""The engine's data model: a project of models and seeds, their columns and tests, and the DAG.

Plain dataclasses filled by `warehouse.project.load_project`; every other module reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlglot import exp

MATERIALIZATIONS = ("view", "table", "incremental")
# merge: upsert row by row on unique_key; delete+insert: replace every row whose unique_key
# appears in the new rows (a key may then cover many rows, e.g. all lines of an order)
INCREMENTAL_STRATEGIES = ("merge", "delete+insert")
SEED_SCHEMA = "seeds"


@dataclass(frozen=True)
class Column:
    """A documented output column of a model or seed."""

    name: str
    description: str = ""
    type: str | None = None  # seeds: the DuckDB type of the column (from YAML, else inferred)


@dataclass(frozen=True)
class TestSpec:
    """One YAML test as written: its kind, the column it is attached to (if any) and options."""

    kind: str
    column: str | None
    options: dict[str, Any]
    origin: str  # "path:line" of the YAML entry, for error messages


@dataclass
class Model:
    """A model (`<folder>/<name>.sql`) or a seed (`seeds/<name>.csv`), keyed by `schema.name`."""

    schema: str
    name: str
    path: Path
    sql: str  # DuckDB SQL: the file's text (rendered when it uses Jinja), or a seed's SELECT
    materialized: str = "view"
    unique_key: tuple[str, ...] = ()
    incremental_strategy: str = "merge"
    description: str = ""
    columns: tuple[Column, ...] = ()
    tests: tuple[TestSpec, ...] = ()
    is_seed: bool = False
    depends_on: tuple[str, ...] = ()  # tables it reads, filled by load_project
    meta: dict[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    template: str | None = None  # the file's Jinja text; None for plain SQL
    incremental_sql: str | None = None  # rendered with is_incremental() true, when that differs

    @property
    def fqn(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass
class Project:
    """A loaded model project: models and seeds by `schema.name`, sources, and the DAG."""

    root: Path
    models: dict[str, Model]
    sources: frozenset[str]  # "raw_makini.purchase_orders", ...
    trees: dict[str, exp.Query] = field(repr=False)
    order: list[str]  # topological: every model after what it reads
    incremental_trees: dict[str, exp.Query] = field(default_factory=dict, repr=False)
    vars: dict[str, Any] = field(default_factory=dict)

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

    def tree(self, fqn: str, *, incremental: bool = False) -> exp.Query:
        """A fresh copy of the model's parsed SELECT (callers may transform it).

        `incremental`: the rendering with `is_incremental()` true, for models whose SQL has one.
        """
        if incremental and fqn in self.incremental_trees:
            return self.incremental_trees[fqn].copy()
        return self.trees[fqn].copy()
