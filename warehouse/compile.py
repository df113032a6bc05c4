"""Transpile DuckDB model SQL to `duckdb`, `snowflake` or `postgres`, refusing unfaithful output.

Three steps for another target: `warehouse.translations` rewrites constructs whose meaning
differs there into SQL with DuckDB's meaning; `GUARDS` refuse what is left that would fail or
silently differ (naming the model and the construct); sqlglot generates the target's SQL with
`ErrorLevel.RAISE`, so what it knows it cannot write is refused too. Every translation and
guard is checked against the real databases by `tests/warehouse/test_parity.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, UnsupportedError

from warehouse.dialects import SOURCE_DIALECT, TARGETS
from warehouse.errors import CompileError
from warehouse.model import Project
from warehouse.translations import TRANSLATED, Refusal, translate

# Functions sqlglot does not know (exp.Anonymous) but that exist with the same meaning on the
# listed targets. Anything else unknown to sqlglot fails to compile for non-DuckDB targets.
PASSTHROUGH_ALLOWED: dict[str, frozenset[str]] = {
    "snowflake": frozenset(),
    "postgres": frozenset(),
}


# sqlglot knows these functions but writes them under their DuckDB name for the target, where
# no such function exists, and no translation is known (extend as found).
UNTRANSLATED: dict[str, tuple[str, ...]] = {
    "postgres": ("ApproxQuantile", "DateBin", "First", "Last", "Split"),
    "snowflake": ("DateBin", "First", "Last"),
}


def _untranslated(target: str) -> Callable[[exp.Expression], bool]:
    types = tuple(getattr(exp, name) for name in UNTRANSLATED[target] if hasattr(exp, name))
    return lambda node: isinstance(node, types)


def _element_access(node: exp.Expression) -> bool:
    return isinstance(node, exp.Bracket | exp.Dot) and not isinstance(node.parent, exp.Cast)


@dataclass(frozen=True)
class Guard:
    """A construct that transpiles without error but is wrong (or absent) on some targets."""

    construct: str
    targets: frozenset[str]
    reason: str
    matches: Callable[[exp.Expression], bool]


GUARDS: tuple[Guard, ...] = (
    Guard(
        "try_cast",
        frozenset({"snowflake", "postgres"}),
        "becomes a plain CAST (errors instead of NULL on bad input); "
        "validate with a CASE or regexp, or cast in a typed staging column",
        lambda node: isinstance(node, exp.TryCast),
    ),
    Guard(
        "struct literal",
        frozenset({"postgres"}),
        "has no PostgreSQL equivalent (sqlglot emits STRUCT(...)); use json_object",
        lambda node: isinstance(node, exp.Struct),
    ),
    Guard(
        "lambda",
        frozenset({"snowflake", "postgres"}),
        "(list_transform/list_filter style) has no portable translation",
        lambda node: isinstance(node, exp.Lambda),
    ),
    Guard(
        "select * exclude/replace",
        frozenset({"postgres"}),
        "has no PostgreSQL equivalent (the columns are not known when compiling); list the columns",
        lambda node: (
            isinstance(node, exp.Star)
            and bool(node.args.get("except_") or node.args.get("replace"))
        ),
    ),
    Guard(
        "levenshtein()",
        frozenset({"postgres"}),
        "needs PostgreSQL's fuzzystrmatch extension, which the engine does not assume",
        lambda node: isinstance(node, exp.Levenshtein),
    ),
    Guard(
        "unnest()",
        frozenset({"snowflake"}),
        "becomes FLATTEN, whose elements are VARIANT (text through the driver)",
        lambda node: isinstance(node, exp.Explode | exp.Unnest),
    ),
    Guard(
        "list element or struct field access",
        frozenset({"snowflake"}),
        "returns VARIANT (text through the driver); cast it, e.g. cast(xs[1] as integer)",
        _element_access,
    ),
    *(
        Guard(
            "function without a translation",
            frozenset({target}),
            "is written under its DuckDB name, which does not exist there (see UNTRANSLATED)",
            _untranslated(target),
        )
        for target in UNTRANSLATED
    ),
)


def _anonymous_function(node: exp.Expression, target: str) -> str | None:
    if isinstance(node, exp.Anonymous) and not node.meta.get(TRANSLATED):
        name = str(node.this).lower()
        if name not in PASSTHROUGH_ALLOWED.get(target, frozenset()):
            return name
    return None


def check_portable(model: str, tree: exp.Expression, target: str) -> None:
    """Raise CompileError for the first guarded construct found in the (translated) tree."""
    if target == SOURCE_DIALECT:
        return
    for node in tree.walk():
        name = _anonymous_function(node, target)
        if name is not None:
            raise CompileError(
                model,
                f"function {name}()",
                f"is unknown to sqlglot and would pass through to {target} untranslated",
            )
        for guard in GUARDS:
            if target in guard.targets and guard.matches(node):
                construct = guard.construct
                if guard.construct == "function without a translation":
                    construct = f"{construct} {node.sql_name().lower()}()"
                raise CompileError(model, construct, f"on {target} {guard.reason}")


def expand_group_by_all(tree: exp.Expression) -> exp.Expression:
    """PostgreSQL has no GROUP BY ALL: group by the ordinals of the non-aggregate columns."""
    for select in tree.find_all(exp.Select):
        group = select.args.get("group")
        if not group or not group.args.get("all"):
            continue
        ordinals = [
            exp.Literal.number(i)
            for i, projection in enumerate(select.expressions, start=1)
            if not projection.find(exp.AggFunc, exp.Window)
        ]
        if any(isinstance(p, exp.Star) for p in select.expressions) or not ordinals:
            raise Refusal("GROUP BY ALL", "cannot be expanded for postgres here")
        select.set("group", exp.Group(expressions=ordinals))
    return tree


def transpile(model: str, tree: exp.Expression, target: str) -> str:
    """SQL for `target` from a parsed DuckDB tree (not modified)."""
    if target not in TARGETS:
        raise CompileError(model, f"target {target!r}", f"is not one of {', '.join(TARGETS)}")
    if target == SOURCE_DIALECT:
        return tree.sql(dialect=target)
    try:
        tree = translate(tree, target)
        check_portable(model, tree, target)
        if target == "postgres":
            tree = expand_group_by_all(tree)
    except Refusal as exc:
        raise CompileError(model, exc.construct, f"on {target} {exc.reason}") from exc
    try:
        return tree.sql(dialect=target, unsupported_level=ErrorLevel.RAISE)
    except UnsupportedError as exc:
        raise CompileError(model, "construct", f"does not transpile to {target}: {exc}") from exc


def compile_model(project: Project, fqn: str, target: str, *, incremental: bool = False) -> str:
    """One model's SQL for `target`. DuckDB gets the file's own text: nothing to translate.

    `incremental`: the rendering with `is_incremental()` true (an incremental model whose
    table exists, without a full refresh).
    """
    model = project.models[fqn]
    if target == SOURCE_DIALECT:
        sql = model.incremental_sql if incremental and model.incremental_sql else model.sql
        return sql.strip().rstrip(";").strip()
    return transpile(fqn, project.tree(fqn, incremental=incremental), target)


def compile_sql(sql: str, target: str, *, origin: str = "sql") -> str:
    """Translate a DuckDB SQL fragment the engine itself writes (tests, seeds) to `target`."""
    if target == SOURCE_DIALECT:
        return sql
    return transpile(origin, sqlglot.parse_one(sql, read=SOURCE_DIALECT), target)


def compile_project(project: Project, target: str, fqns: list[str] | None = None) -> dict[str, str]:
    """Compiled SQL by model for `target`, in build order; raises on the first failure."""
    return {fqn: compile_model(project, fqn, target) for fqn in fqns or project.order}
