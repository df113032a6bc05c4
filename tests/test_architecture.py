"""The import graph of the project's packages: layers in one direction, no cycles, no Dagster
below `assets`. The allowed edges are the map in docs/architecture.md."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# package -> the project packages it may import (its own always allowed)
ALLOWED: dict[str, set[str]] = {
    "settings": set(),
    "pipelines": {"settings"},
    "warehouse": {"settings"},
    "webhooks": {"settings"},
    "sandbox": {"settings"},
    "connectivity": {"settings", "pipelines", "warehouse", "webhooks"},
    "report": {"settings", "warehouse"},
    "assets": {"settings", "pipelines", "warehouse", "webhooks", "connectivity", "report"},
    "plantsync": {
        "settings",
        "pipelines",
        "warehouse",
        "webhooks",
        "connectivity",
        "report",
        "sandbox",
        "assets",
    },
}
ORCHESTRATION = ("dagster", "dagster_postgres", "dagster_webserver", "dagster_celery")


def _imports(path: Path) -> set[str]:
    """Top-level names of everything `path` imports, at any depth of the module."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_only_the_layers_below(package: str) -> None:
    wrong = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules(package)
        for name in _imports(path)
        if name in ALLOWED and name != package and name not in ALLOWED[package]
    }
    assert not wrong, sorted(wrong)


@pytest.mark.parametrize("package", sorted(set(ALLOWED) - {"assets", "plantsync"}))
def test_plain_python_below_assets(package: str) -> None:
    dagster = {
        str(path.relative_to(ROOT))
        for path in _modules(package)
        if _imports(path) & set(ORCHESTRATION)
    }
    assert not dagster


def test_the_allowed_graph_has_no_cycle() -> None:
    from graphlib import TopologicalSorter

    TopologicalSorter(ALLOWED).prepare()  # raises CycleError on a cycle


def test_every_package_is_mapped() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "benchmarks"}
    assert packages == set(ALLOWED)
