"""Column lineage: for each output column of a model, the upstream `schema.table.column`s.

`sqlglot.lineage` needs the columns of the tables a model reads to resolve `select *` and
unqualified names. They come from the warehouse when it is at hand (`schema_from_warehouse`) or
are inferred model by model from the project itself (`infer_schema`).
"""

from __future__ import annotations

import contextlib

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.lineage import lineage
from sqlglot.optimizer.qualify import qualify

from warehouse.connections import Warehouse
from warehouse.dialects import SOURCE_DIALECT
from warehouse.model import Project

# {"schema.table": ["col", ...]}
TableColumns = dict[str, list[str]]


def _mapping(columns: TableColumns) -> dict[str, dict[str, dict[str, str]]]:
    nested: dict[str, dict[str, dict[str, str]]] = {}
    for table, names in columns.items():
        schema, name = table.split(".", 1)
        nested.setdefault(schema, {})[name] = {c: "unknown" for c in names}
    return nested


def output_columns(project: Project, fqn: str, known: TableColumns) -> list[str]:
    """The model's output column names; `select *` is expanded from `known` where possible."""
    model = project.models[fqn]
    if model.is_seed:
        return [c.name for c in model.columns]
    tree = project.tree(fqn)
    with contextlib.suppress(SqlglotError):  # unresolvable names: fall back to the raw tree
        tree = qualify(
            tree, schema=_mapping(known), dialect=SOURCE_DIALECT, validate_qualify_columns=False
        )
    if any(
        isinstance(p, exp.Star) or (isinstance(p, exp.Column) and p.is_star) for p in tree.selects
    ):
        return []  # unknown until the upstream columns are known
    return [name.lower() for name in tree.named_selects]


def infer_schema(project: Project, sources: TableColumns | None = None) -> TableColumns:
    """Columns of every model (and the given sources), inferred through the DAG."""
    known: TableColumns = dict(sources or {})
    for fqn in project.order:
        columns = output_columns(project, fqn, known)
        if columns:
            known[fqn] = columns
    return known


def schema_from_warehouse(warehouse: Warehouse, tables: list[str]) -> TableColumns:
    """Columns of the tables that exist in the warehouse."""
    found = {}
    for table in tables:
        columns = warehouse.columns(table)
        if columns:
            found[table] = [name for name, _ in columns]
    return found


def model_lineage(project: Project, fqn: str, known: TableColumns) -> dict[str, list[str]]:
    """{output column: sorted upstream "schema.table.column"s}; constants map to []."""
    model = project.models[fqn]
    if model.is_seed:
        return {c.name: [] for c in model.columns}
    schema = _mapping({t: c for t, c in known.items() if t in model.depends_on})
    result: dict[str, list[str]] = {}
    tree = project.tree(fqn)
    for column in output_columns(project, fqn, known):
        try:
            root = lineage(column, tree, schema=schema, dialect=SOURCE_DIALECT)
        except SqlglotError:
            result[column] = []
            continue
        upstream = set()
        for node in root.walk():
            if isinstance(node.source, exp.Table) and not node.downstream:
                table = f"{node.source.db}.{node.source.name}".lower()
                upstream.add(f"{table}.{node.name.rsplit('.', 1)[-1].lower()}")
        result[column] = sorted(upstream)
    return result


def project_lineage(
    project: Project, fqns: list[str], sources: TableColumns | None = None
) -> dict[str, dict[str, list[str]]]:
    known = infer_schema(project, sources)
    return {fqn: model_lineage(project, fqn, known) for fqn in fqns}
