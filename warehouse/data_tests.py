"""YAML data tests: each becomes a query returning the failing rows (none = pass).

Queries are written here in DuckDB SQL and transpiled to the warehouse's dialect like models.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from warehouse.compile import compile_sql
from warehouse.connections import Warehouse, sql_literal
from warehouse.errors import ModelRunError, ProjectError
from warehouse.model import Model, Project, TestSpec
from warehouse.selection import select

COMMON_OPTIONS = ("severity", "where", "name")
OPTIONS = {
    "not_null": ("column",),
    "unique": ("column", "columns"),
    "accepted_values": ("column", "values", "quote"),
    "relationships": ("column", "to", "field"),
    "expression": ("sql",),
}
KINDS = tuple(OPTIONS)
SEVERITIES = ("error", "warn")
FAILING_ROWS_LIMIT = 20
_NAME = re.compile(r"^[A-Za-z0-9_]+$")  # also Dagster's rule for asset check names
ROWS = "__plantsync_rows__"  # stands for the rows a test checks in its query's template


@dataclass(frozen=True)
class DataTest:
    """A resolved test of one model: its name, severity and failing-rows query (DuckDB SQL)."""

    model: str
    name: str
    kind: str
    column: str | None
    severity: str
    template: str  # the failing-rows query, with ROWS where the model's rows are read
    description: str
    references: str | None = None  # relationships: the parent table ("schema.name")
    rows: str | None = None  # what ROWS stands for; None: the whole model

    @property
    def sql(self) -> str:
        return self.template.replace(ROWS, self.rows or self.model)

    def on_batch(self, batch: str, key: tuple[str, ...]) -> DataTest:
        """The same test on the model's rows whose `key` is in the table `batch` (the new rows of
        an incremental build), for a check that need not scan the whole table again."""
        match = " and ".join(f"batch.{k} = model_rows.{k}" for k in key)
        rows = (
            f"(select * from {self.model} as model_rows "
            f"where exists (select 1 from {batch} as batch where {match}))"
        )
        return replace(self, rows=rows)


@dataclass(frozen=True)
class TestResult:
    """Outcome of one test: how many rows fail and the first of them."""

    test: DataTest
    failures: int
    columns: list[str]
    rows: list[tuple]

    @property
    def passed(self) -> bool:
        return self.failures == 0

    @property
    def status(self) -> str:
        return "pass" if self.passed else ("fail" if self.test.severity == "error" else "warn")


def model_tests(model: Model) -> list[DataTest]:
    """Every YAML test of a model, resolved; names are unique per model."""
    tests = [_resolve(model, spec) for spec in model.tests]
    seen: set[str] = set()
    for test, spec in zip(tests, model.tests, strict=True):
        if test.name in seen:
            raise ProjectError(
                f"{spec.origin}: {model.fqn}: two tests named {test.name!r}; give one a name:"
            )
        seen.add(test.name)
    return tests


def project_tests(project: Project, selectors: Iterable[str] | str | None = None) -> list[DataTest]:
    return [t for fqn in select(project, selectors) for t in model_tests(project.models[fqn])]


def run_test(warehouse: Warehouse, test: DataTest) -> TestResult:
    """Count the failing rows and fetch the first FAILING_ROWS_LIMIT of them."""
    sql = compile_sql(test.sql, warehouse.dialect, origin=f"{test.model}:{test.name}")
    try:
        failures = int(warehouse.query(f"select count(*) from ({sql}) as failing")[0][0])
        rows = warehouse.query(f"select * from ({sql}) as failing limit {FAILING_ROWS_LIMIT}")
    except Exception as exc:
        message = " ".join(str(exc).split())
        raise ModelRunError(test.model, f"test {test.name}: {message}") from exc
    return TestResult(test, failures, rows.columns, list(rows))


def run_tests(
    project: Project, warehouse: Warehouse, selectors: Iterable[str] | str | None = None
) -> list[TestResult]:
    return [run_test(warehouse, t) for t in project_tests(project, selectors)]


def count_failures(warehouse: Warehouse, tests: list[DataTest]) -> list[int]:
    """Failing-row counts of `tests` in one query: one round trip however many tests (on
    Snowflake each costs tens of milliseconds)."""
    if not tests:
        return []
    parts = [
        f"select {i} as test_index, count(*) as failures from "
        f"({compile_sql(t.sql, warehouse.dialect, origin=f'{t.model}:{t.name}')}) as failing_{i}"
        for i, t in enumerate(tests)
    ]
    counts = {int(i): int(n) for i, n in warehouse.query("\nunion all\n".join(parts))}
    return [counts[i] for i in range(len(tests))]


def run_tests_together(warehouse: Warehouse, tests: list[DataTest]) -> list[TestResult]:
    """Like `run_test` for each of `tests`, counting them all in one query and fetching failing
    rows only for the tests that fail. Raises `ModelRunError` when any cannot run (run them
    one by one to learn which)."""
    try:
        counts = count_failures(warehouse, tests)
    except Exception as exc:
        message = " ".join(str(exc).split())
        raise ModelRunError(tests[0].model, f"tests {[t.name for t in tests]}: {message}") from exc
    return [
        run_test(warehouse, t) if n else TestResult(t, 0, [], [])
        for t, n in zip(tests, counts, strict=True)
    ]


def _resolve(model: Model, spec: TestSpec) -> DataTest:
    where_ = f"{spec.origin}: {model.fqn} test {spec.kind!r}"
    if spec.kind not in KINDS:
        raise ProjectError(f"{where_}: unknown test kind (one of {', '.join(KINDS)})")
    options = spec.options
    unknown = sorted(set(options) - {*COMMON_OPTIONS, *OPTIONS[spec.kind]})
    if unknown:
        allowed = ", ".join((*OPTIONS[spec.kind], *COMMON_OPTIONS))
        raise ProjectError(f"{where_}: unknown option {unknown[0]!r} (expected one of: {allowed})")
    severity = str(options.get("severity", "error")).lower()
    if severity not in SEVERITIES:
        raise ProjectError(f"{where_}: severity must be error or warn")
    filter_ = f" and ({options['where']})" if options.get("where") else ""
    # the model's own name as alias, so a rule may qualify columns with it
    table = f"{ROWS} as {model.name}"
    column = spec.column or options.get("column")
    if spec.kind == "expression":
        if not options.get("sql") or not options.get("name"):
            raise ProjectError(f"{where_}: expression tests need name: and sql:")
        # NULL is not "holds": a row whose rule evaluates to NULL fails
        sql = f"select * from {table} where not coalesce(({options['sql']}), false){filter_}"
        default_name = None
        description = f"{options['sql']} holds for every row"
    elif spec.kind == "unique":
        columns = options.get("columns") or ([column] if column else None)
        if not columns:
            raise ProjectError(f"{where_}: unique needs a column or columns:")
        columns = [columns] if isinstance(columns, str) else list(columns)
        keys = ", ".join(columns)
        not_null = " and ".join(f"{c} is not null" for c in columns)
        sql = (
            f"select {keys}, count(*) as occurrences from {table} "
            f"where {not_null}{filter_} group by {keys} having count(*) > 1"
        )
        default_name = "unique_" + "_".join(columns)
        description = f"({keys}) is unique"
    else:
        if not column:
            raise ProjectError(f"{where_}: needs a column (put it under columns:)")
        sql, description = _column_test(spec.kind, table, column, options, filter_, where_)
        default_name = f"{spec.kind}_{column}"
    name = str(options.get("name") or default_name or "")
    if not _NAME.match(name):
        raise ProjectError(f"{where_}: test name {name!r} must be letters, digits and _")
    references = str(options["to"]).lower() if spec.kind == "relationships" else None
    return DataTest(model.fqn, name, spec.kind, column, severity, sql, description, references)


def _column_test(
    kind: str, table: str, column: str, options: dict, filter_: str, where_: str
) -> tuple[str, str]:
    if kind == "not_null":
        return f"select * from {table} where {column} is null{filter_}", f"{column} is never null"
    if kind == "accepted_values":
        values = options.get("values")
        if not values:
            raise ProjectError(f"{where_}: accepted_values needs values:")
        quote = options.get("quote", True)
        listed = ", ".join(sql_literal(v) if quote else str(v) for v in values)
        sql = (
            f"select * from {table} "
            f"where {column} is not null and {column} not in ({listed}){filter_}"
        )
        return sql, f"{column} in ({listed})"
    # relationships: every non-null value exists in the parent table. An anti join rather than
    # `not exists`: DuckDB plans that correlated form by materializing every column of the
    # child rows first, ten times slower on a wide staging view.
    parent, field = options.get("to"), options.get("field")
    if not parent or not field:
        raise ProjectError(f"{where_}: relationships needs to: and field:")
    sql = (
        f"select child.* from (select * from {table} where {column} is not null{filter_}) as child "
        f"left join {parent} as parent on parent.{field} = child.{column} "
        f"where parent.{field} is null"
    )
    return sql, f"{column} references {parent}.{field}"
