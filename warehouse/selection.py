"""`--select`: names, schemas and graph operators, dbt style.

`purchase_orders` or `canonical.purchase_orders` (one model), `canonical.*` (a schema),
`+name` (with its ancestors), `name+` (with its descendants); several selectors are a union.
"""

from __future__ import annotations

from collections.abc import Iterable

from warehouse.errors import ProjectError
from warehouse.model import Project


def select(project: Project, selectors: Iterable[str] | str | None) -> list[str]:
    """The selected models in build order; no selector (or empty) selects everything."""
    if isinstance(selectors, str):
        selectors = [selectors]
    tokens = [t for s in selectors or () for t in s.split()]
    if not tokens:
        return list(project.order)
    chosen: set[str] = set()
    for token in tokens:
        chosen |= _select_one(project, token)
    return [fqn for fqn in project.order if fqn in chosen]


def _select_one(project: Project, token: str) -> set[str]:
    with_ancestors = token.startswith("+")
    with_descendants = token.endswith("+")
    pattern = token.strip("+").lower()
    if not pattern:
        raise ProjectError(f"--select {token!r}: empty selector")
    base = _match(project, pattern)
    if not base:
        raise ProjectError(f"--select {token!r} matches no model")
    result = set(base)
    for fqn in base:
        if with_ancestors:
            result |= project.ancestors(fqn)
        if with_descendants:
            result |= project.descendants(fqn)
    return result


def _match(project: Project, pattern: str) -> set[str]:
    if pattern.endswith(".*"):
        schema = pattern[:-2]
        return {fqn for fqn, m in project.models.items() if m.schema == schema}
    if "." in pattern:
        return {pattern} if pattern in project.models else set()
    matches = {fqn for fqn, m in project.models.items() if m.name == pattern}
    if len(matches) > 1:
        raise ProjectError(
            f"--select {pattern!r} is ambiguous: {', '.join(sorted(matches))}; qualify it"
        )
    return matches
