"""Common DuckDB expressions and clauses on PostgreSQL and Snowflake (fakesnow), through the
engine's compile: each gives DuckDB's values (`same` as sqlglot writes it, or `translated` by the
engine) or is `refused` at compile time naming the construct.

`CASES` is the table of constructs and their expected outcome per target. Each case runs over
`parity.probe` (typed columns, awkward values) on all three databases and the rows are compared
after `tests.support.compare.normalize` (numbers to 6 places, timestamps in UTC, JSON parsed).
`pytest -s` prints the table with the outcomes found.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlglot

from tests.support.compare import normalize
from tests.support.tables import load_rows
from warehouse.compile import compile_sql
from warehouse.connections import Warehouse, connect
from warehouse.errors import CompileError

SAME, TRANSLATED, REFUSED = "same", "translated", "refused"

COLUMNS = [
    ("id", "integer"),
    ("d", "double"),
    ("n", "decimal(18, 4)"),
    ("i", "integer"),
    ("s", "varchar"),
    ("t", "varchar"),  # numbers as text
    ("ts", "timestamp"),
    ("ts2", "timestamp"),
    ("dt", "date"),
    ("b", "boolean"),
    ("j", "varchar"),  # JSON text
]
# fmt: off
ROWS = [
    (1, 2.5, "2.5", 7, "a-b-a", "42", "2024-01-31 23:59:59", "2024-02-01 00:00:01", "2024-02-29",
     True, '{"a": "x"}'),
    (2, -2.5, "-2.5", -7, "Banana", "-5", "2024-03-15 10:30:00", "2025-01-15 09:00:00",
     "2023-12-31", False, '{"a": 1}'),
    (3, 0.125, "0.125", 0, "abc123def45", "007", "2024-12-30 00:00:00", "2024-12-28 12:00:00",
     "2024-12-30", None, '{"b": 2}'),
    (4, 1.005, "1.005", 2, " x y ", "10", "2023-01-01 12:00:00", "2023-01-08 11:59:59",
     "2021-01-03", True, None),
    (5, 3.5, "3.5", None, None, None, None, "2024-06-01 00:00:00", None, None, None),
    (6, None, None, 10, "", "0", "2024-02-29 06:00:00.9", "2024-02-29 06:00:01.1", "2024-01-01",
     False, "{}"),
    (7, 0.12345, "123.4567", 3, "Ärger", "3", "2020-02-29 23:00:00", "2021-02-28 01:00:00",
     "2020-02-29", True, '{"a": "ä"}'),
    (8, -0.5, "-0.005", -1, "a|b", "-0", "2019-12-29 00:00:00", "2020-01-05 00:00:00",
     "2019-12-29", False, '{"a": null}'),
]
# fmt: on


@dataclass(frozen=True)
class Case:
    """One construct: an expression over parity.probe (or a whole query) and its outcomes."""

    construct: str
    sql: str
    postgres: str
    snowflake: str
    # fakesnow cannot run some valid Snowflake SQL: then the compiled SQL must contain this
    snowflake_sql: str | None = None

    def query(self) -> str:
        if self.sql.lower().startswith(("select", "with")):
            return self.sql
        return f"select id, {self.sql} as v from parity.probe"


def _window(expression: str) -> str:
    return f"select id, {expression} as v from parity.probe"


def _columns(*expressions: str) -> str:
    """Several expressions side by side (lists would mean other types on other targets)."""
    selected = ", ".join(f"{e} as v{i}" for i, e in enumerate(expressions))
    return f"select id, {selected} from parity.probe"


CASES: tuple[Case, ...] = (
    # numbers
    Case("round(double)", "round(d)", TRANSLATED, SAME),
    Case("round(double, 2)", "round(d, 2)", TRANSLATED, SAME),
    Case("round(double, -1)", "round(d * 10, -1)", TRANSLATED, SAME),
    Case("round(decimal, 2)", "round(n, 2)", TRANSLATED, SAME),
    Case(
        "cast(double as decimal(10, 2))",
        "cast(cast(d as double) as decimal(10, 2))",
        TRANSLATED,
        SAME,
    ),
    Case("cast(x as decimal) (DuckDB: 18, 3)", "cast(d as decimal)", SAME, SAME),
    Case("cast(double as integer)", "cast(d as integer)", SAME, SAME),
    Case("cast(text as integer)", "cast(t as integer)", SAME, SAME),
    Case("integer / integer", "i / 4", SAME, SAME),
    Case("integer // integer", "i // 3", SAME, SAME),
    Case("modulo", "i % 3", SAME, SAME),
    Case("floor, ceil, trunc", "floor(d) + ceil(d) * 10 + trunc(d) * 100", SAME, SAME),
    Case("abs, sign", "abs(i) * cast(sign(d) as integer)", SAME, SAME),
    Case("power, sqrt", "power(d, 2) + sqrt(abs(d))", SAME, SAME),
    Case("ln, exp", "ln(abs(d) + 1) + exp(i % 3)", SAME, SAME),
    Case("log(x) is log10", "log(abs(d) + 1)", SAME, TRANSLATED),
    Case("log10(x)", "log10(abs(d) + 1)", TRANSLATED, SAME),
    Case("greatest, least with NULL", "greatest(i, null, 3) * 100 + least(i, 3)", SAME, SAME),
    Case("coalesce, nullif", "coalesce(nullif(i, 0), -100)", SAME, SAME),
    # dates and times
    Case("date_diff('second')", "date_diff('second', ts, ts2)", TRANSLATED, SAME),
    Case("date_diff('minute')", "date_diff('minute', ts, ts2)", TRANSLATED, SAME),
    Case("date_diff('hour')", "date_diff('hour', ts, ts2)", TRANSLATED, SAME),
    Case("date_diff('day')", "date_diff('day', ts, ts2)", TRANSLATED, SAME),
    Case("date_diff('week')", "date_diff('week', ts, ts2)", TRANSLATED, TRANSLATED),
    Case("date_diff('month')", "date_diff('month', ts, ts2)", TRANSLATED, SAME),
    Case("date_diff('quarter')", "date_diff('quarter', ts, ts2)", TRANSLATED, SAME),
    Case("date_diff('year')", "date_diff('year', ts, ts2)", TRANSLATED, SAME),
    Case("date_diff('day') on dates", "date_diff('day', dt, cast(ts2 as date))", TRANSLATED, SAME),
    Case("date_diff('millisecond')", "date_diff('millisecond', ts, ts2)", REFUSED, SAME),
    Case("week()", "week(ts)", TRANSLATED, TRANSLATED),
    Case("weekofyear()", "weekofyear(ts)", TRANSLATED, SAME),
    Case("dayofweek()", "dayofweek(ts)", TRANSLATED, TRANSLATED),
    Case("isodow()", "isodow(ts)", TRANSLATED, SAME),
    Case("dayofyear()", "dayofyear(ts)", TRANSLATED, SAME),
    Case("quarter()", "quarter(ts)", TRANSLATED, SAME),
    Case("year(), month(), day()", "year(ts) * 10000 + month(ts) * 100 + day(ts)", SAME, SAME),
    Case(
        "hour(), minute(), second()",
        "hour(ts) * 10000 + minute(ts) * 100 + second(ts)",
        TRANSLATED,
        SAME,
    ),
    Case(
        "extract(dow, isodow, week)",
        "extract(dow from ts) * 1000 + extract(isodow from ts) * 100 + extract(week from ts)",
        SAME,
        SAME,
    ),
    Case("extract(second)", "extract(second from ts)", TRANSLATED, SAME),
    Case("extract(epoch)", "extract(epoch from ts)", SAME, TRANSLATED),
    Case("epoch()", "epoch(ts)", SAME, TRANSLATED),
    Case(
        "date_part('unit', x)",
        "date_part('year', ts) + date_part('doy', ts)",
        TRANSLATED,
        TRANSLATED,
    ),
    Case(
        "date_trunc week, month, quarter",
        _columns("date_trunc('week', ts)", "date_trunc('month', ts)", "date_trunc('quarter', ts)"),
        SAME,
        SAME,
    ),
    Case("last_day()", "last_day(dt)", SAME, SAME),
    Case("monthname()", "monthname(ts)", TRANSLATED, TRANSLATED),
    Case("dayname()", "dayname(ts)", TRANSLATED, TRANSLATED),
    Case("strftime() with numbers", "strftime(ts, '%Y-%m-%d %H:%M:%S')", SAME, TRANSLATED),
    Case("strftime() with names", "strftime(ts, '%B %d')", REFUSED, REFUSED),
    Case("timestamp + interval", "ts + interval 1 month", SAME, SAME),
    Case("date + interval, date + days", _columns("dt + interval 1 month", "dt + 7"), SAME, SAME),
    Case("date - date", "dt - cast('2020-01-01' as date)", SAME, SAME),
    Case("make_date()", "make_date(2024, 2, 29)", TRANSLATED, SAME),
    Case(
        "cast timestamp as date, varchar",
        _columns("cast(ts as date)", "cast(ts as varchar)"),
        SAME,
        SAME,
    ),
    Case("cast bool, date as varchar", "cast(b as varchar) || cast(dt as varchar)", SAME, SAME),
    Case("at time zone", "ts at time zone 'UTC'", SAME, SAME),
    # strings and regular expressions
    Case(
        "regexp_replace() first match",
        "regexp_replace(s, 'a', 'X')",
        SAME,
        TRANSLATED,
        snowflake_sql="REGEXP_REPLACE(s, 'a', 'X', 1, 1)",
    ),
    Case("regexp_replace() 'g'", "regexp_replace(s, '[0-9]+', '#', 'g')", SAME, TRANSLATED),
    Case("regexp_replace() 'i'", "regexp_replace(s, 'A', 'x', 'i')", SAME, REFUSED),
    Case("regexp_matches()", "regexp_matches(s, '^a')", SAME, TRANSLATED),
    Case("regexp_full_match()", "regexp_full_match(s, 'a.*')", TRANSLATED, TRANSLATED),
    Case("regexp_extract()", "regexp_extract(s, '[0-9]+')", TRANSLATED, TRANSLATED),
    Case(
        "regexp_extract(group)", "regexp_extract(s, '([a-z]+)([0-9]+)', 2)", TRANSLATED, TRANSLATED
    ),
    Case("levenshtein()", "levenshtein(s, 'abc')", REFUSED, SAME),
    Case("split_part()", "split_part(s, '-', 2)", SAME, SAME),
    Case("string_split()", "string_split(s, '-')", REFUSED, SAME),
    Case("concat() with NULL, ||", "concat(s, null, 'z') || '!'", SAME, SAME),
    Case("left, right, lpad", "left(s, 2) || right(s, 2) || lpad(s, 8, '0')", SAME, SAME),
    Case("strpos, instr", "strpos(s, 'b') * 10 + instr(s, 'a')", SAME, SAME),
    Case("starts_with()", "starts_with(s, 'a')", SAME, SAME),
    Case("contains()", "contains(s, 'a')", TRANSLATED, SAME),
    Case("length, reverse, repeat", "length(s) || reverse(s) || repeat(s, 2)", SAME, SAME),
    Case(
        "upper, lower, trim, replace", "upper(trim(s)) || lower(replace(s, 'a', 'o'))", SAME, SAME
    ),
    Case("substring()", "substring(s, 2, 3)", SAME, SAME),
    Case("like, ilike", _columns("s like 'a%'", "s ilike 'A%'"), SAME, SAME),
    Case("hash()", "hash(s)", REFUSED, REFUSED),
    Case("try_cast()", "try_cast(t as integer)", REFUSED, REFUSED),
    # lists, structs, JSON
    Case("list literal, list_contains()", "list_contains([1, 2], i)", SAME, SAME),
    Case("len(list)", "len([1, 2, 3])", TRANSLATED, TRANSLATED),
    Case("list element", "[10, 20, 30][2]", SAME, REFUSED),
    Case("cast(list element)", "cast([10, 20, 30][2] as integer)", SAME, SAME),
    Case("struct field", "{'a': i}.a", REFUSED, REFUSED),
    Case("list(x order by)", "select list(i order by id) as v from parity.probe", SAME, SAME),
    Case("unnest()", "select id, unnest([1, 2]) as v from parity.probe", SAME, REFUSED),
    Case("json_extract_string()", "json_extract_string(j, '$.a')", TRANSLATED, SAME),
    Case("->> on JSON text", "j ->> '$.a'", TRANSLATED, SAME),
    # windows
    Case(
        "row_number() order by desc (NULLs last)",
        _window("row_number() over (order by d desc)"),
        SAME,
        SAME,
    ),
    Case(
        "rank(), dense_rank()",
        _window("rank() over (order by i) * 10 + dense_rank() over (order by b)"),
        SAME,
        SAME,
    ),
    Case("lag() with default", _window("lag(i, 1, -1) over (order by id)"), SAME, SAME),
    Case("lead()", _window("lead(s) over (order by id)"), SAME, SAME),
    Case(
        "rows frame",
        _window("sum(i) over (order by id rows between 1 preceding and current row)"),
        SAME,
        SAME,
    ),
    Case(
        "range frame",
        _window("sum(i) over (order by i range between 5 preceding and current row)"),
        SAME,
        SAME,
    ),
    Case("default frame", _window("sum(i) over (order by id)"), SAME, SAME),
    Case(
        "first_value(), last_value() full frame",
        _window("first_value(s) over w || last_value(s) over w")
        + " window w as (order by id rows between unbounded preceding and unbounded following)",
        SAME,
        SAME,
    ),
    Case(
        "ntile(), percent_rank(), cume_dist()",
        _window(
            "ntile(3) over (order by id) + percent_rank() over (order by id)"
            " + cume_dist() over (order by id)"
        ),
        SAME,
        SAME,
    ),
    Case("partitioned avg()", _window("avg(d) over (partition by b)"), SAME, SAME),
    Case(
        "qualify",
        "select id from parity.probe qualify row_number() over (order by d desc) <= 3",
        SAME,
        SAME,
    ),
    # aggregates
    Case(
        "count(distinct), filter",
        "select count(distinct b) as v, count(*) filter (where i > 0) as w from parity.probe",
        SAME,
        SAME,
    ),
    Case("sum, avg of integers", "select sum(i) as v, avg(i) as w from parity.probe", SAME, SAME),
    Case(
        "median(), quantile_cont()",
        "select median(d) as v, quantile_cont(d, 0.25) as w from parity.probe",
        SAME,
        SAME,
    ),
    Case("mode()", "select mode(i % 2) as v from parity.probe", TRANSLATED, SAME),
    Case("stddev_samp()", "select stddev_samp(d) as v from parity.probe", SAME, SAME),
    Case(
        "bool_and(), bool_or()",
        "select bool_and(i > -10) as v, bool_or(i > 9) as w from parity.probe",
        SAME,
        SAME,
    ),
    Case(
        "string_agg() ordered",
        "select string_agg(s, ',' order by s) as v from parity.probe",
        SAME,
        SAME,
    ),
    Case("count_if()", "select count_if(i > 0) as v from parity.probe", SAME, SAME),
    Case(
        "arg_max()",
        "select arg_max(s, i) as v, arg_min(s, i) as w from parity.probe",
        TRANSLATED,
        SAME,
    ),
    Case("max_by()", "select max_by(id, d) as v from parity.probe", TRANSLATED, SAME),
    Case("any_value()", "select any_value(s) as v from parity.probe", REFUSED, SAME),
    # clauses
    Case("select * exclude", "select * exclude (j, ts, ts2) from parity.probe", REFUSED, SAME),
    Case("select * replace", "select * replace (upper(s) as s) from parity.probe", REFUSED, SAME),
    Case(
        "group by all", "select b, count(*) as v from parity.probe group by all", TRANSLATED, SAME
    ),
    Case(
        "group by rollup",
        "select b, count(*) as v from parity.probe group by rollup (b)",
        SAME,
        SAME,
    ),
    Case(
        "having",
        "select b, count(*) as v from parity.probe group by b having count(*) > 2",
        SAME,
        SAME,
    ),
    Case(
        "distinct on", "select distinct on (b) b, id from parity.probe order by b, id", SAME, SAME
    ),
    Case(
        "order by nulls first, limit, offset",
        "select id from parity.probe order by s nulls first, id limit 3 offset 1",
        SAME,
        SAME,
    ),
    Case(
        "union, except",
        "select id from parity.probe union select 99 except select id from parity.probe "
        "where i > 0",
        SAME,
        SAME,
    ),
    Case(
        "exists, in (subquery)",
        "select id from parity.probe as a where exists (select 1 from parity.probe as b "
        "where b.i = a.i + 3) or id in (select id from parity.probe where d < 0)",
        SAME,
        SAME,
    ),
    Case(
        "with (CTE)", "with x as (select i * 2 as v from parity.probe) select v from x", SAME, SAME
    ),
)


@dataclass
class Outcome:
    kind: str  # same | translated | refused | differs | fails
    detail: str = ""


def _rows(warehouse: Warehouse, sql: str) -> list[tuple]:
    rows = [tuple(normalize(v) for v in row) for row in warehouse.query(sql)]
    return sorted(rows, key=lambda row: tuple((v is None, str(v)) for v in row))


def outcome(case: Case, warehouse: Warehouse, expected: list[tuple]) -> Outcome:
    """Compile `case` for the warehouse's dialect, run it and compare with DuckDB's rows."""
    target = warehouse.dialect
    try:
        compiled = compile_sql(case.query(), target, origin="parity")
    except CompileError as exc:
        return Outcome(REFUSED, str(exc).removeprefix("parity: "))
    with warnings.catch_warnings():  # sqlglot warns about what it cannot write; the engine raised
        warnings.simplefilter("ignore")
        bare = sqlglot.transpile(case.query(), read="duckdb", write=target)[0]
    kind = SAME if compiled == bare else TRANSLATED
    if target == "snowflake" and case.snowflake_sql:
        found = case.snowflake_sql in compiled
        return Outcome(
            kind if found else "differs", f"SQL checked (fakesnow cannot run it): {compiled}"
        )
    try:
        got = _rows(warehouse, compiled)
    except Exception as exc:  # noqa: BLE001 - any database error is the outcome
        return Outcome("fails", " ".join(str(exc).split())[:160])
    if got != expected:
        diff = [(w, g) for w, g in zip(expected, got, strict=False) if w != g][:2]
        return Outcome("differs", f"{compiled} -> {diff}")
    return Outcome(kind, compiled if kind == TRANSLATED else "")


@pytest.fixture(scope="module")
def duck(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    warehouse = connect("duckdb", duckdb_path=tmp_path_factory.mktemp("parity") / "p.duckdb")
    load_rows(warehouse, "parity.probe", COLUMNS, ROWS)
    yield warehouse
    warehouse.close()


@pytest.fixture(scope="module")
def reference(duck: Warehouse) -> dict[str, list[tuple]]:
    return {case.construct: _rows(duck, case.query()) for case in CASES}


def _check(warehouse: Warehouse, reference: dict[str, list[tuple]]) -> None:
    load_rows(warehouse, "parity.probe", COLUMNS, ROWS)
    results = {
        case.construct: outcome(case, warehouse, reference[case.construct]) for case in CASES
    }
    print(f"\n{warehouse.dialect}:")
    for case in CASES:
        result = results[case.construct]
        print(f"  {case.construct:<42} {result.kind:<10} {result.detail[:150]}")
    wrong = {
        case.construct: (getattr(case, warehouse.dialect), results[case.construct])
        for case in CASES
        if results[case.construct].kind != getattr(case, warehouse.dialect)
    }
    assert wrong == {}


def test_the_table_covers_enough_constructs() -> None:
    assert len(CASES) >= 60
    assert len({case.construct for case in CASES}) == len(CASES)


@pytest.mark.postgres
def test_postgres_gives_duckdb_values_or_refuses(
    postgres_url: str, reference: dict[str, list[tuple]]
) -> None:
    with connect("postgres", postgres_url=postgres_url) as postgres:
        _check(postgres, reference)


@pytest.mark.filterwarnings("ignore::UserWarning")  # fakesnow's arrow-copy notice
def test_snowflake_gives_duckdb_values_or_refuses(reference: dict[str, list[tuple]]) -> None:
    import fakesnow

    with (
        fakesnow.patch(),
        connect("snowflake", snowflake={"database": "db1", "schema": "public"}) as snowflake,
    ):
        _check(snowflake, reference)


def test_refusals_name_the_construct() -> None:
    with pytest.raises(CompileError, match=r"^marts\.x: levenshtein\(\) on postgres needs"):
        compile_sql("select levenshtein(a, b) as d from s.t", "postgres", origin="marts.x")
    with pytest.raises(CompileError, match=r"^marts\.x: round\(\) on postgres needs a literal"):
        compile_sql("select round(a, b) as r from s.t", "postgres", origin="marts.x")
