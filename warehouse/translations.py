"""Rewrites that make a DuckDB construct mean the same on PostgreSQL or Snowflake.

sqlglot translates syntax; some functions keep their name but not their meaning on the target
(`round` rounds half to even on a PostgreSQL double, `date_diff('month')` counts whole months
there, `regexp_replace` replaces every match on Snowflake), and some it writes under a DuckDB name
the target lacks (`week`, `dayofweek`, `monthname` on PostgreSQL). Each `Translation` rewrites
one such construct into SQL that gives DuckDB's values, written in the target's own dialect from
a template; `Refusal` is raised where no faithful rewrite exists for a particular use. Every
entry is checked on the real databases by `tests/warehouse/test_parity.py`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types

TRANSLATED = "translated"  # meta flag on functions a template writes for the target


class Refusal(Exception):
    """This use of a construct has no faithful translation to the target."""

    def __init__(self, construct: str, reason: str) -> None:
        super().__init__(f"{construct} {reason}")
        self.construct = construct
        self.reason = reason


@dataclass(frozen=True)
class Translation:
    construct: str
    targets: frozenset[str]
    matches: Callable[[exp.Expression], bool]
    rewrite: Callable[[exp.Expression, str], exp.Expression]


@functools.cache
def _parsed(sql: str, dialect: str) -> exp.Expression:
    tree = sqlglot.parse_one(f"select {sql}", read=dialect).expressions[0]
    for node in tree.walk():
        if isinstance(node, exp.Anonymous):
            node.meta[TRANSLATED] = True
    return tree


def template(sql: str, dialect: str, **args: exp.Expression) -> exp.Expression:
    """`sql` parsed in `dialect` with the columns named like `args` replaced by them."""

    def substitute(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table and node.name in args:
            return args[node.name].copy()
        return node

    return exp.paren(_parsed(sql, dialect).transform(substitute), copy=False)


def _literal_int(node: exp.Expression | None, default: int, construct: str) -> int:
    if node is None:
        return default
    value = node.this if isinstance(node, exp.Neg) else node
    if isinstance(value, exp.Literal) and value.is_int:
        return -int(value.this) if isinstance(node, exp.Neg) else int(value.this)
    raise Refusal(construct, "needs a literal number for a faithful translation")


def _round(node: exp.Expression, target: str) -> exp.Expression:
    # DuckDB rounds half away from zero (on doubles: of the double's exact value, as C round());
    # PostgreSQL rounds a double half to even and has no round(double, n)
    digits = _literal_int(node.args.get("decimals"), 0, "round()")
    scale = exp.Literal.number(10 ** abs(digits))
    if digits == 0:
        return template("sign(x) * floor(abs(x) + 0.5)", target, x=node.this)
    if digits > 0:
        sql = "sign(x * m) * floor(abs(x * m) + 0.5) / m"
    else:
        sql = "sign(x / m) * floor(abs(x / m) + 0.5) * m"
    return template(sql, target, x=node.this, m=scale)


# date_diff counts unit boundaries crossed (weeks: whole 7-day spans of days), like Snowflake's
# DATEDIFF except for weeks; PostgreSQL's translation by sqlglot counts elapsed periods instead.
_POSTGRES_DATE_DIFF = {
    "year": "extract(year from b) - extract(year from a)",
    "quarter": "(extract(year from b) - extract(year from a)) * 4"
    " + extract(quarter from b) - extract(quarter from a)",
    "month": "(extract(year from b) - extract(year from a)) * 12"
    " + extract(month from b) - extract(month from a)",
    "week": "div(cast(b as date) - cast(a as date), 7)",
    "day": "cast(b as date) - cast(a as date)",
    "hour": "floor(extract(epoch from b) / 3600) - floor(extract(epoch from a) / 3600)",
    "minute": "floor(extract(epoch from b) / 60) - floor(extract(epoch from a) / 60)",
    "second": "floor(extract(epoch from b)) - floor(extract(epoch from a))",
}
_UNIT_ALIASES = {
    "years": "year",
    "yy": "year",
    "quarters": "quarter",
    "months": "month",
    "mon": "month",
    "weeks": "week",
    "days": "day",
    "d": "day",
    "hours": "hour",
    "h": "hour",
    "minutes": "minute",
    "m": "minute",
    "min": "minute",
    "seconds": "second",
    "s": "second",
    "sec": "second",
}


def _unit(node: exp.Expression) -> str:
    unit = node.args.get("unit")
    name = (unit.name if unit is not None else "day").lower()
    return _UNIT_ALIASES.get(name, name)


def _date_diff(node: exp.Expression, target: str) -> exp.Expression:
    unit = _unit(node)
    start, end = node.expression, node.this
    if target == "snowflake":
        if unit != "week":
            return node
        return template("cast(trunc(datediff(day, a, b) / 7) as bigint)", target, a=start, b=end)
    if unit not in _POSTGRES_DATE_DIFF:
        raise Refusal(f"date_diff('{unit}')", "has no translation (units: year to second)")
    sql = f"cast({_POSTGRES_DATE_DIFF[unit]} as bigint)"
    return template(sql, target, a=start, b=end)


_POSTGRES_PARTS = {
    exp.Week: "week",
    exp.WeekOfYear: "week",
    exp.DayOfWeek: "dow",
    exp.DayOfWeekIso: "isodow",
    exp.DayOfYear: "doy",
    exp.Quarter: "quarter",
    exp.Hour: "hour",
    exp.Minute: "minute",
    exp.Second: "second",
}


def _date_part(node: exp.Expression, target: str) -> exp.Expression:
    if target == "snowflake":
        if isinstance(node, exp.Week):  # WEEK depends on session settings; WEEKISO does not
            return template("weekiso(x)", target, x=node.this)
        return template("dayofweekiso(x) % 7", target, x=node.this)  # DayOfWeek: Sunday is 0
    part = _POSTGRES_PARTS[type(node)]
    # PostgreSQL's second has a fraction; DuckDB's is whole seconds
    sql = f"cast(floor(extract({part} from x)) as bigint)"
    return template(sql, target, x=node.this)


_DATE_PART_FUNCTIONS = ("date_part", "datepart")


def _date_part_function(node: exp.Expression, target: str) -> exp.Expression:
    """DuckDB's date_part('unit', x), which sqlglot leaves unparsed, is extract(unit from x)."""
    unit, value = node.expressions[0], node.expressions[1]
    return _extract(exp.Extract(this=exp.var(unit.name), expression=value.copy()), target)


def _is_date_part_function(node: exp.Expression) -> bool:
    return (
        isinstance(node, exp.Anonymous)
        and node.name.lower() in _DATE_PART_FUNCTIONS
        and len(node.expressions) == 2
        and isinstance(node.expressions[0], exp.Literal)
        and node.expressions[0].is_string
    )


def _extract(node: exp.Expression, target: str) -> exp.Expression:
    part = node.name.lower()
    if target == "postgres" and part in ("second", "seconds", "millisecond", "microsecond"):
        return template(f"floor(extract({part} from x))", target, x=node.expression)
    if target == "snowflake" and part == "epoch":
        return _epoch(exp.TimeToUnix(this=node.expression.copy()), target)
    return node


def _epoch(node: exp.Expression, target: str) -> exp.Expression:
    # Snowflake's epoch seconds are whole; DuckDB's have the fraction
    return template("date_part(epoch_microsecond, x) / 1000000", target, x=node.this)


_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


def _names(node: exp.Expression, target: str) -> exp.Expression:
    """monthname/dayname: PostgreSQL lacks them, Snowflake's are abbreviated (Jan, Mon)."""
    if isinstance(node, exp.Monthname):
        part, numbers, names = "month", range(1, 13), _MONTH_NAMES
    elif target == "postgres":
        part, numbers, names = "dow", range(7), _DAY_NAMES  # Sunday is 0
    else:
        part, numbers, names = "dayofweekiso", (7, 1, 2, 3, 4, 5, 6), _DAY_NAMES  # Sunday is 7
    number = f"extract({part} from x)" if target == "postgres" else f"date_part({part}, x)"
    whens = " ".join(f"when {n} then '{name}'" for n, name in zip(numbers, names, strict=True))
    return template(f"case {number} {whens} end", target, x=node.this)


def _make_date(node: exp.Expression, target: str) -> exp.Expression:
    args = {k: node.args[k] for k in ("year", "month", "day")}
    return template("make_date(year, month, day)", target, **args)


def _regexp_full_match(node: exp.Expression, target: str) -> exp.Expression:
    if target == "snowflake":  # REGEXP_LIKE matches the whole string
        return template("regexp_like(s, p)", target, s=node.this, p=node.expression)
    return template("s ~ ('^(?:' || p || ')$')", target, s=node.this, p=node.expression)


def _regexp_matches(node: exp.Expression, target: str) -> exp.Expression:
    # DuckDB's regexp_matches finds the pattern anywhere; Snowflake's REGEXP_LIKE must match all
    if node.args.get("flag") is not None:
        raise Refusal("regexp_matches() with options", "has no translation")
    return template("regexp_instr(s, p) > 0", target, s=node.this, p=node.expression)


def _regexp_replace(node: exp.Expression, target: str) -> exp.Expression:
    # DuckDB replaces the first match unless the options contain g; Snowflake replaces all
    # unless told which occurrence
    modifiers = node.args.get("modifiers")
    options = modifiers.name if isinstance(modifiers, exp.Literal) else None
    if modifiers is not None and (options is None or set(options) - {"g"}):
        raise Refusal("regexp_replace() options other than 'g'", "have no translation")
    args = {"s": node.this, "p": node.expression, "r": node.args["replacement"]}
    if options == "g":
        return template("regexp_replace(s, p, r)", target, **args)
    return template("regexp_replace(s, p, r, 1, 1)", target, **args)


def _regexp_extract(node: exp.Expression, target: str) -> exp.Expression:
    # DuckDB returns '' when nothing matches; Snowflake and PostgreSQL return NULL
    group = _literal_int(node.args.get("group"), 0, "regexp_extract()")
    if node.args.get("parameters") is not None:
        raise Refusal("regexp_extract() with options", "has no translation")
    args = {"s": node.this, "p": node.expression}
    if target == "snowflake":
        match = f"regexp_substr(s, p, 1, 1, 'e', {group})" if group else "regexp_substr(s, p)"
    else:  # the whole pattern as group 1, so group n of the pattern is n + 1
        match = f"(regexp_match(s, '(' || p || ')'))[{group + 1}]"
    return template(f"case when s is null then null else coalesce({match}, '') end", target, **args)


def _contains(node: exp.Expression, target: str) -> exp.Expression:
    return template("strpos(s, x) > 0", target, s=node.this, x=node.expression)


def _is_array(node: exp.Expression) -> bool:
    typed = annotate_types(node.this.copy(), dialect="duckdb")
    return typed.type is not None and typed.type.is_type(exp.DataType.Type.ARRAY)


def _list_length(node: exp.Expression, target: str) -> exp.Expression:
    sql = "cardinality(x)" if target == "postgres" else "array_size(x)"
    return template(sql, target, x=node.this)


def _log10(node: exp.Expression, target: str) -> exp.Expression:
    # DuckDB's log(x) is log10, which sqlglot writes as LN on Snowflake; PostgreSQL has
    # log(x) = log10 for doubles but log(10, x) only for numerics
    if node.expression is None:
        return node if target == "postgres" else template("log(10, x)", target, x=node.this)
    return template("log(x)", target, x=node.expression) if target == "postgres" else node


def _is_log10(node: exp.Expression) -> bool:
    if not isinstance(node, exp.Log):
        return False
    base = node.this if node.expression is not None else None
    return base is None or (isinstance(base, exp.Literal) and base.this == "10")


def _mode(node: exp.Expression, target: str) -> exp.Expression:
    return template("mode() within group (order by x)", target, x=node.this)


def _arg_max(node: exp.Expression, target: str) -> exp.Expression:
    order = "desc" if isinstance(node, exp.ArgMax) else "asc"
    sql = f"(array_agg(v order by k {order}) filter (where k is not null))[1]"
    return template(sql, target, v=node.this, k=node.expression)


def _json_text(node: exp.Expression, target: str) -> exp.Expression:
    # DuckDB reads JSON from text columns; PostgreSQL's json functions need a json value
    node = node.copy()
    node.set("this", exp.cast(node.this, exp.DType.JSON))
    return node


def _is_double(node: exp.Expression) -> bool:
    typed = annotate_types(node.copy(), dialect="duckdb")
    return typed.type is not None and typed.type.is_type(
        exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT
    )


def _double_to_decimal(node: exp.Expression, target: str) -> exp.Expression:
    # DuckDB rounds the double's exact value half away from zero; PostgreSQL rounds its
    # 15-digit decimal rendering (1.005 -> 1.01 there, 1.00 in DuckDB)
    params = node.to.expressions
    digits = int(params[1].name) if len(params) > 1 else 0
    rounded = _round(exp.Round(this=node.this.copy(), decimals=exp.Literal.number(digits)), target)
    return exp.Cast(this=rounded, to=node.to.copy())


def _is_double_to_decimal(node: exp.Expression) -> bool:
    return (
        isinstance(node, exp.Cast)
        and node.to.is_type(exp.DataType.Type.DECIMAL)
        and _is_double(node.this)
    )


_TO_CHAR = {"%Y": "YYYY", "%m": "MM", "%d": "DD", "%H": "HH24", "%M": "MI", "%S": "SS"}
_NUMERIC_TIME_FORMAT = re.compile(r"(?:%[YmdHMS]|[^%A-Za-z])*")


def _strftime(node: exp.Expression, target: str) -> exp.Expression:
    fmt = node.args.get("format")
    if not isinstance(fmt, exp.Literal) or not _NUMERIC_TIME_FORMAT.fullmatch(fmt.name):
        raise Refusal(
            "strftime() with names or non-literal formats",
            "is not verified there (month and day names differ); "
            "use %Y %m %d %H %M %S, or monthname()/dayname()",
        )
    if target == "postgres":
        return node
    # written directly: sqlglot writes Snowflake formats in lower case, which fakesnow rejects
    snowflake_format = re.sub(r"%[YmdHMS]", lambda m: _TO_CHAR[m[0]], fmt.name)
    value = exp.cast(node.this.copy(), exp.DType.TIMESTAMP)  # TO_CHAR needs a known type
    to_char = exp.Anonymous(
        this="TO_CHAR", expressions=[value, exp.Literal.string(snowflake_format)]
    )
    to_char.meta[TRANSLATED] = True
    return to_char


def _types(*classes: type[exp.Expression]) -> Callable[[exp.Expression], bool]:
    return lambda node: isinstance(node, classes)


POSTGRES = frozenset({"postgres"})
SNOWFLAKE = frozenset({"snowflake"})
BOTH = POSTGRES | SNOWFLAKE

TRANSLATIONS: tuple[Translation, ...] = (
    Translation("round()", POSTGRES, _types(exp.Round), _round),
    Translation("cast(double as decimal)", POSTGRES, _is_double_to_decimal, _double_to_decimal),
    Translation("date_diff()", BOTH, _types(exp.DateDiff), _date_diff),
    Translation(
        "week()/dayofweek()/hour() ...",
        POSTGRES,
        _types(*_POSTGRES_PARTS),
        _date_part,
    ),
    Translation("week()/dayofweek()", SNOWFLAKE, _types(exp.Week, exp.DayOfWeek), _date_part),
    Translation("date_part()", BOTH, _is_date_part_function, _date_part_function),
    Translation("extract()", BOTH, _types(exp.Extract), _extract),
    Translation("epoch()", SNOWFLAKE, _types(exp.TimeToUnix), _epoch),
    Translation("monthname()/dayname()", BOTH, _types(exp.Monthname, exp.Dayname), _names),
    Translation("make_date()", POSTGRES, _types(exp.DateFromParts), _make_date),
    Translation("strftime()", BOTH, _types(exp.TimeToStr), _strftime),
    Translation("regexp_full_match()", BOTH, _types(exp.RegexpFullMatch), _regexp_full_match),
    Translation("regexp_matches()", SNOWFLAKE, _types(exp.RegexpLike), _regexp_matches),
    Translation("regexp_replace()", SNOWFLAKE, _types(exp.RegexpReplace), _regexp_replace),
    Translation("regexp_extract()", BOTH, _types(exp.RegexpExtract), _regexp_extract),
    Translation("contains()", POSTGRES, _types(exp.Contains), _contains),
    Translation(
        "len(list)",
        BOTH,
        lambda node: isinstance(node, exp.Length) and _is_array(node),
        _list_length,
    ),
    Translation("log()/log10()", BOTH, _is_log10, _log10),
    Translation("mode()", POSTGRES, _types(exp.Mode), _mode),
    Translation("arg_max()/arg_min()", POSTGRES, _types(exp.ArgMax, exp.ArgMin), _arg_max),
    Translation("json_extract_string()", POSTGRES, _types(exp.JSONExtractScalar), _json_text),
)


def translate(tree: exp.Expression, target: str) -> exp.Expression:
    """A copy of `tree` with every translation for `target` applied, innermost first (so a
    template receives arguments that are already translated)."""
    rules = [t for t in TRANSLATIONS if target in t.targets]
    tree = tree.copy()
    for node in reversed(list(tree.dfs())):
        rule = next((r for r in rules if r.matches(node)), None)
        if rule is None:
            continue
        rewritten = rule.rewrite(node, target)
        if rewritten is node:
            continue
        rewritten.meta[TRANSLATED] = True
        if node is tree:
            tree = rewritten
        else:
            node.replace(rewritten)
    return tree
