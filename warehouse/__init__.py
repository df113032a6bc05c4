"""The SQL model engine: discover, render, parse, order, transpile, materialize, test and trace
models.

Plain Python (no Dagster): the CLI (`plantsync models ...`) and the Dagster assets both call it.
"""

from warehouse.compile import TARGETS, compile_model, compile_project
from warehouse.connections import Warehouse, connect
from warehouse.data_tests import DataTest, TestResult, model_tests, run_test, run_tests
from warehouse.errors import CompileError, ModelRunError, ProjectError, WarehouseError
from warehouse.lineage import model_lineage, project_lineage, schema_from_warehouse
from warehouse.materialize import ModelResult, build_model, run
from warehouse.model import Column, Model, Project
from warehouse.project import load_project
from warehouse.selection import select

__all__ = [
    "TARGETS",
    "Column",
    "CompileError",
    "DataTest",
    "Model",
    "ModelResult",
    "ModelRunError",
    "Project",
    "ProjectError",
    "TestResult",
    "Warehouse",
    "WarehouseError",
    "build_model",
    "compile_model",
    "compile_project",
    "connect",
    "load_project",
    "model_lineage",
    "model_tests",
    "project_lineage",
    "run",
    "run_test",
    "run_tests",
    "schema_from_warehouse",
    "select",
]
