"""What went wrong reading the plant database, in one line, and whether waiting can heal it."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Driver messages of failures that no retry heals: a missing database, refused credentials,
# an unknown driver. Connection refusals and timeouts are not here: servers come back.
_PERMANENT = (
    re.compile(r'database "[^"]+" does not exist'),
    re.compile(r"Unknown database '[^']+'"),
    re.compile(r"password authentication failed|Access denied for user"),
    re.compile(r"role \"[^\"]+\" does not exist"),
    re.compile(r"Can't load plugin|NoSuchModuleError"),
)


@dataclass(frozen=True)
class SourceProblem:
    reason: str  # one line, no password
    permanent: bool


def describe(exc: BaseException) -> SourceProblem:
    """Classify an exception raised while reading the plant database (dlt's wrappers
    unwrapped: the driver's own error decides)."""
    import sqlalchemy as sa

    exc = _innermost(exc)
    if isinstance(exc, FileNotFoundError | ValueError | sa.exc.ArgumentError):
        # a missing SQLite file, missing tables or key columns, a malformed URL
        return SourceProblem(_one_line(exc), permanent=True)
    if isinstance(exc, sa.exc.NoSuchModuleError):
        return SourceProblem(_one_line(exc), permanent=True)
    if isinstance(exc, sa.exc.DBAPIError):
        message = _one_line(exc.orig if exc.orig is not None else exc)
        for pattern in _PERMANENT:
            found = pattern.search(message)
            if found:
                return SourceProblem(found.group(0), permanent=True)
        return SourceProblem(message, permanent=False)
    return SourceProblem(_one_line(exc), permanent=False)


def _innermost(exc: BaseException) -> BaseException:
    """The first database or file error in the chain of causes, else the last cause."""
    import sqlalchemy as sa

    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        if isinstance(current, sa.exc.SQLAlchemyError | OSError):
            return current
        seen.append(current)
        current = current.__cause__ or getattr(current, "exception", None) or current.__context__
    return seen[-1]


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    text = re.sub(r"\(Background on this error at: [^)]*\)", "", text).strip()
    return text or type(exc).__name__
