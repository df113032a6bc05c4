"""The engine package's structure: no import cycles, none hidden in functions or TYPE_CHECKING."""

from __future__ import annotations

import ast
from graphlib import TopologicalSorter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "warehouse"


def _engine_imports(node: ast.AST) -> set[str]:
    found = set()
    for child in ast.walk(node):
        if isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
            if child.module == "warehouse":
                found |= {f"warehouse.{alias.name}" for alias in child.names}
            elif child.module.startswith("warehouse."):
                found.add(child.module)
        elif isinstance(child, ast.Import):
            found |= {a.name for a in child.names if a.name.startswith("warehouse.")}
    return found


def _modules() -> dict[str, ast.Module]:
    return {
        f"warehouse.{path.stem}": ast.parse(path.read_text())
        for path in PACKAGE.glob("*.py")
        if path.stem != "__init__"
    }


def test_engine_modules_import_each_other_without_cycles() -> None:
    modules = _modules()
    graph = {name: _engine_imports(tree) & set(modules) for name, tree in modules.items()}
    order = list(TopologicalSorter(graph).static_order())  # raises CycleError on a cycle
    assert set(order) == set(modules)


def test_no_engine_import_is_deferred_or_type_checking_only() -> None:
    for name, tree in _modules().items():
        deferred = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.If):
                deferred |= _engine_imports(node)
        assert not deferred, f"{name} imports {sorted(deferred)} inside a function or an if"


def test_model_classes_live_together() -> None:
    import warehouse
    from warehouse import model

    assert warehouse.Project is model.Project and warehouse.Model is model.Model
