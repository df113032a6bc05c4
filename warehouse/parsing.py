"""Parse a model's SQL into one sqlglot query; errors read as SQL errors with line and caret.

sqlglot's own messages embed token and class reprs (`<Token token_type: TokenType.L_BRACE ...>`)
and terminal escape codes; these are rewritten into plain words.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from warehouse.dialects import SOURCE_DIALECT
from warehouse.errors import ProjectError

_TOKEN_REPR = re.compile(r"<Token token_type: TokenType\.(\w+), text: (.*?), line: \d+.*?>")
_CLASS_REPR = re.compile(r"Required keyword: '(\w+)' missing for <class '[\w.]+\.(\w+)'>")


def parse_query(sql: str, origin: str) -> exp.Query:
    """The single SELECT statement (CTEs and set operations allowed) of `sql`.

    `origin` names the file in errors, e.g. `models/marts/x.sql` or `... (rendered)`.
    """
    try:
        statements = [s for s in sqlglot.parse(sql, read=SOURCE_DIALECT) if s is not None]
    except ParseError as exc:
        raise ProjectError(_parse_message(sql, origin, exc)) from exc
    except TokenError as exc:
        raise ProjectError(_token_message(sql, origin, exc)) from exc
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        kinds = ", ".join(type(s).__name__.upper() for s in statements) or "nothing"
        raise ProjectError(f"{origin}: expected exactly one SELECT statement, found {kinds}")
    return statements[0]


def describe(description: str) -> str:
    """sqlglot's error description without internal reprs."""
    description = _TOKEN_REPR.sub(
        lambda m: "end of input" if m[1] == "SENTINEL" else repr(m[2]), description
    )
    return _CLASS_REPR.sub(lambda m: f"incomplete {m[2].upper()} ({m[1]} missing)", description)


def caret(sql: str, line: int, col: int, width: int = 1) -> str:
    """The 1-based `line` of `sql` and a caret under columns col .. col + width - 1."""
    lines = sql.splitlines() or [""]
    text = lines[min(max(line, 1), len(lines)) - 1]
    return f"    {text}\n    {' ' * max(col - 1, 0)}{'^' * max(width, 1)}"


def _parse_message(sql: str, origin: str, exc: ParseError) -> str:
    if not exc.errors:
        return f"{origin}: SQL does not parse: {describe(str(exc))}"
    error = exc.errors[0]
    line, end_col = error.get("line") or 1, error.get("col") or 1
    highlight = error.get("highlight") or ""
    start_col = max(end_col - len(highlight) + 1, 1)
    description = describe(str(error.get("description") or "syntax error"))
    return (
        f"{origin}:{line}:{start_col}: SQL does not parse: {description}\n"
        f"{caret(sql, line, start_col, len(highlight))}"
    )


def _token_message(sql: str, origin: str, exc: TokenError) -> str:
    # sqlglot's tokenizer error carries the offset where it gave up (an unclosed quote or
    # comment usually started earlier: point at the last quote before it when there is one)
    end = getattr(exc, "end", None)
    offset = min(end if isinstance(end, int) else len(sql), len(sql))
    quote = max(sql.rfind("'", 0, offset + 1), sql.rfind('"', 0, offset + 1))
    if quote >= 0:
        offset = quote
    line = sql.count("\n", 0, offset) + 1
    col = offset - (sql.rfind("\n", 0, offset) + 1) + 1
    return (
        f"{origin}:{line}:{col}: SQL does not parse: unterminated string, quoted name or comment"
        f"\n{caret(sql, line, col)}"
    )
