"""Column lineage: where every output column comes from, one model up and all the way back to the
raw source (and seed) columns, with the expressions it passed through, plus the columns used as
join, filter and group keys on the way.

`sqlglot.lineage` needs the columns of the tables a model reads to resolve `select *` and
unqualified names. They come from the warehouse when it is at hand (`schema_from_warehouse`) or
are inferred model by model from the project itself (`infer_schema`).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.lineage import Node, lineage, to_node
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, build_scope, traverse_scope
from sqlglot.schema import MappingSchema, ensure_schema

from warehouse.connections import Warehouse
from warehouse.dialects import SOURCE_DIALECT
from warehouse.model import Project

# {"schema.table": ["col", ...]}
TableColumns = dict[str, list[str]]
KEY_KINDS = ("join", "filter", "group")


@dataclass(frozen=True)
class Step:
    """One transformation on the way: `model.column` is computed as `expression`."""

    model: str
    column: str
    expression: str

    def __str__(self) -> str:
        return f"{self.model}.{self.column} = {self.expression}"


@dataclass(frozen=True)
class Origin:
    """A raw source or seed column a model column depends on.

    `kind` is `value` when the column's value is computed from it, else `join`/`filter`/`group`
    when it is a key used in `key_of` (the model whose join, where or group by uses it).
    `via` are the transformations from the source column up to the model column (or key).
    """

    kind: str
    table: str
    column: str
    via: tuple[Step, ...] = ()
    key_of: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "table": self.table,
            "column": self.column,
            "via": [str(step) for step in self.via],
            "key_of": self.key_of,
        }


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
    found = warehouse.columns_of(tables)
    return {
        table: [name for name, _ in found[table.lower()]]
        for table in tables
        if table.lower() in found
    }


# A direct input of a model column: (table, column, the model's transformations of it).
Direct = tuple[str, str, tuple[Step, ...]]


class _ModelAnalysis:
    """One model's SQL qualified once; resolves columns to the tables it reads."""

    def __init__(self, project: Project, fqn: str, known: TableColumns) -> None:
        self.fqn = fqn
        model = project.models[fqn]
        self.columns = output_columns(project, fqn, known)
        self.schema: MappingSchema = ensure_schema(
            _mapping({t: c for t, c in known.items() if t in model.depends_on}),
            dialect=SOURCE_DIALECT,
        )
        self.scope: Scope | None = None
        if not model.is_seed:
            with contextlib.suppress(SqlglotError):
                tree = qualify(
                    project.tree(fqn),
                    dialect=SOURCE_DIALECT,
                    schema=self.schema,
                    validate_qualify_columns=False,
                    identify=False,
                )
                self.scope = build_scope(tree)

    def direct(self, column: str) -> list[Direct]:
        """The columns of the tables read that `column` is computed from."""
        if self.scope is None:
            return []
        try:
            # the scope is built once per model; nothing here needs a copy of the query
            root = lineage(
                column, self.scope.expression, schema=self.schema, dialect=SOURCE_DIALECT,
                scope=self.scope, trim_selects=False, copy=False,
            )  # fmt: skip
        except SqlglotError:
            return []
        return list(self._leaves(root))

    def key_inputs(self) -> list[tuple[str, Direct]]:
        """(kind, input column) of every join, filter and group key in the model's SQL."""
        if self.scope is None:
            return []
        found: list[tuple[str, Direct]] = []
        for scope in traverse_scope(self.scope.expression):
            if not isinstance(scope.expression, exp.Select):
                continue
            for kind, column in _key_columns(scope.expression):
                source = scope.sources.get(column.table)
                if isinstance(source, exp.Table):
                    found.append((kind, (_table_name(source), column.name.lower(), ())))
                elif isinstance(source, Scope):
                    with contextlib.suppress(SqlglotError, KeyError, IndexError):
                        node = to_node(
                            column.name, source, SOURCE_DIALECT, schema=self.schema,
                            trim_selects=False,
                        )  # fmt: skip
                        found += [(kind, leaf) for leaf in self._leaves(node)]
        return list(dict.fromkeys(found))

    def _leaves(self, root: Node) -> Iterator[Direct]:
        stack: list[tuple[Node, tuple[Step, ...], str]] = [(root, (), root.name)]
        while stack:
            node, steps, named = stack.pop()
            step = self._step(node)
            steps = (step, *steps) if step and step not in steps else steps
            column = node.name.rsplit(".", 1)[-1].lower()
            if column == "*":  # select * over a table whose columns are unknown: the name
                column = named  # the column had in the CTE that selected it is the table's
            if isinstance(node.source, exp.Table) and not node.downstream:
                yield _table_name(node.source), column, steps
            stack += [(child, steps, column) for child in node.downstream]

    def _step(self, node: Node) -> Step | None:
        """The node's expression when it transforms (not just passes on) a column."""
        expression = node.expression
        if isinstance(node.source, exp.Table) or not isinstance(expression, exp.Alias):
            return None
        value = expression.this
        if isinstance(value, exp.Column) and value.name.lower() == expression.alias.lower():
            return None
        value = value.copy()
        # table qualifiers only where they tell apart two inputs (by_alpha.code, by_numeric.code)
        qualified = len({c.table for c in value.find_all(exp.Column)}) > 1
        for part in value.walk():
            part.comments = None
            if isinstance(part, exp.Column) and not qualified:
                part.set("table", None)
        return Step(self.fqn, expression.alias.lower(), value.sql(dialect=SOURCE_DIALECT))


def _table_name(table: exp.Table) -> str:
    return f"{table.db}.{table.name}".lower()


def _key_columns(select: exp.Select) -> Iterator[tuple[str, exp.Column]]:
    """Columns of this SELECT's own join conditions, filters, group by and partition by."""

    def own(node: exp.Expression | None) -> Iterator[exp.Column]:
        if node is None:
            return
        for column in node.find_all(exp.Column):
            if column.table and column.find_ancestor(exp.Select) is select:
                yield column

    for join in select.args.get("joins") or []:
        yield from (("join", c) for c in own(join.args.get("on")))
    for clause in ("where", "having", "qualify"):
        yield from (("filter", c) for c in own(select.args.get(clause)))
    group = select.args.get("group")
    if group is not None:
        projections = select.expressions
        for item in group.expressions:
            if isinstance(item, exp.Literal) and item.is_int:  # group by 1, 2
                item = projections[int(item.this) - 1]
            yield from (("group", c) for c in own(item))
        if group.args.get("all"):
            for projection in projections:
                if not projection.find(exp.AggFunc, exp.Window):
                    yield from (("group", c) for c in own(projection))
    for window in select.find_all(exp.Window):
        if window.find_ancestor(exp.Select) is select:
            for item in window.args.get("partition_by") or []:
                yield from (("group", c) for c in own(item))


class Lineage:
    """Column lineage of a project, back to raw sources and seeds; computed lazily, cached."""

    def __init__(self, project: Project, known: TableColumns) -> None:
        self.project = project
        self.known = known

    @functools.cache  # noqa: B019 - one Lineage per command; the cache dies with it
    def analysis(self, fqn: str) -> _ModelAnalysis:
        return _ModelAnalysis(self.project, fqn, self.known)

    def _is_model(self, table: str) -> bool:
        return table in self.project.models and not self.project.models[table].is_seed

    @functools.cache  # noqa: B019
    def values(self, fqn: str, column: str) -> tuple[Origin, ...]:
        """The source columns `fqn.column`'s value is computed from."""
        found: list[Origin] = []
        for table, name, steps in self.analysis(fqn).direct(column):
            if self._is_model(table):
                upstream = self.values(table, name) or (Origin("value", table, name),)
                found += [Origin("value", o.table, o.column, (*o.via, *steps)) for o in upstream]
            else:
                found.append(Origin("value", table, name, steps))
        return tuple(dict.fromkeys(found))

    @functools.cache  # noqa: B019
    def model_keys(self, fqn: str) -> tuple[Origin, ...]:
        """The source columns behind `fqn`'s own join, filter and group keys."""
        found: list[Origin] = []
        for kind, (table, name, steps) in self.analysis(fqn).key_inputs():
            sources = self.values(table, name) if self._is_model(table) else ()
            sources = sources or (Origin("value", table, name),)
            found += [Origin(kind, o.table, o.column, (*o.via, *steps), fqn) for o in sources]
        return tuple(dict.fromkeys(found))

    @functools.cache  # noqa: B019
    def keys(self, fqn: str, column: str) -> tuple[Origin, ...]:
        """The keys that decide which rows the column has: the model's own, and those of the
        upstream models its value and its model's keys come from."""
        analysis = self.analysis(fqn)
        found = list(self.model_keys(fqn))
        inputs = [*analysis.direct(column), *(direct for _, direct in analysis.key_inputs())]
        for table, name, _ in dict.fromkeys(inputs):
            if self._is_model(table):
                found += self.keys(table, name)
        return tuple(dict.fromkeys(found))

    def columns(self, fqn: str) -> dict[str, list[Origin]]:
        """Every output column of `fqn`: its value sources, then its keys."""
        return {
            column: [*self.values(fqn, column), *self.keys(fqn, column)]
            for column in self.analysis(fqn).columns
        }


def model_lineage(project: Project, fqn: str, known: TableColumns) -> dict[str, list[str]]:
    """{output column: sorted upstream "schema.table.column"s} one model up; constants map to []."""
    model = project.models[fqn]
    if model.is_seed:
        return {c.name: [] for c in model.columns}
    analysis = _ModelAnalysis(project, fqn, known)
    return {
        column: sorted({f"{table}.{name}" for table, name, _ in analysis.direct(column)})
        for column in analysis.columns
    }


def project_lineage(
    project: Project, fqns: list[str], sources: TableColumns | None = None
) -> dict[str, dict[str, list[str]]]:
    known = infer_schema(project, sources)
    return {fqn: model_lineage(project, fqn, known) for fqn in fqns}


def source_lineage(
    project: Project, fqn: str, sources: TableColumns | None = None
) -> dict[str, list[dict[str, Any]]]:
    """For each output column of `fqn`, the raw source and seed columns behind it, as plain
    dicts (`Origin.as_dict`): `kind` value/join/filter/group, `table`, `column`, `via` (the
    transformations, source first) and `key_of` (the model using a key). For Dagster's column
    lineage and `plantsync models lineage`. `sources` are raw table columns (e.g. from
    `schema_from_warehouse`) so `select *` over raw tables resolves."""
    graph = Lineage(project, infer_schema(project, sources))
    return {
        column: [origin.as_dict() for origin in origins]
        for column, origins in graph.columns(fqn).items()
    }
