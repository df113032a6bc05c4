"""Dependencies from parsed SQL, and the build order.

A table reference found by sqlglot *is* a dependency: on a model, a seed or a declared source.
Anything else is an error naming the file and the table, so a typo fails before any SQL runs.
"""

from __future__ import annotations

from collections.abc import Collection
from graphlib import CycleError, TopologicalSorter

from sqlglot import exp
from sqlglot.optimizer.scope import traverse_scope

from warehouse.errors import ProjectError
from warehouse.model import Model


def table_references(tree: exp.Query) -> set[exp.Table]:
    """Physical tables read by the query; CTE names and table functions are not tables."""
    tables = set()
    for scope in traverse_scope(tree):
        for source in scope.sources.values():
            if isinstance(source, exp.Table) and isinstance(source.this, exp.Identifier):
                tables.add(source)
    return tables


def dependencies(
    model: Model, tree: exp.Query, known: Collection[str], origin: str, *, may_read_self: bool
) -> set[str]:
    """The tables `tree` reads, each one a model, seed or source in `known`.

    `may_read_self`: the rendering with `is_incremental()` true may read the model's own table
    (`{{ this }}`); that is not a dependency.
    """
    deps = set()
    for table in table_references(tree):
        if not table.db:
            raise ProjectError(
                f"{origin}: table {table.name!r} must be schema-qualified "
                f"(e.g. staging.{table.name}, or use ref() / source())"
            )
        name = f"{table.db}.{table.name}".lower()
        if name == model.fqn:
            if may_read_self:
                continue
            raise ProjectError(
                f"{origin}: model reads its own table {name!r} (only allowed inside "
                "{% if is_incremental() %}, as {{ this }})"
            )
        if name not in known:
            raise ProjectError(
                f"{origin}: unknown table {name!r}: not a model, a seed or a declared source"
            )
        deps.add(name)
    return deps


def build_order(models: dict[str, Model]) -> list[str]:
    graph = {fqn: [d for d in m.depends_on if d in models] for fqn, m in models.items()}
    sorter = TopologicalSorter({k: graph[k] for k in sorted(graph)})
    try:
        return list(sorter.static_order())
    except CycleError as exc:
        cycle = exc.args[1]
        raise ProjectError(f"dependency cycle: {' -> '.join(cycle)}") from exc
