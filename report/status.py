"""How current the warehouse is: when each source last synced, and which data checks fail.

Checks are the models' YAML tests, counted against the warehouse as it is now, so the report
says the same whether it is built by a scheduled run or from the command line; a run that has
just checked some of them passes its counts in (for a model merged incrementally, the count of
its new rows that fail, as the run's own checks report it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from report.sql import fetch
from warehouse import load_project
from warehouse.connections import Warehouse
from warehouse.data_tests import DataTest, count_failures, project_tests
from warehouse.model import Project

# (model, test name) -> failing rows, for checks a run has just done
KnownFailures = dict[tuple[str, str], int]

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"


def last_syncs(warehouse: Warehouse) -> list[dict[str, Any]]:
    """The newest extraction time of each Makini connection and of the OEE database
    (`last_synced_at` None: never synced)."""
    makini: list[dict[str, Any]] = []
    if warehouse.table_exists("raw_makini.purchase_orders"):
        makini = fetch(
            warehouse,
            """
            select connection_id, max(_extracted_at) as last_synced_at
            from raw_makini.purchase_orders
            group by connection_id
            order by connection_id
            """,
            origin="makini_syncs",
        )
    oee_at = None
    if warehouse.table_exists("raw_oee.lines"):
        oee_at = fetch(
            warehouse,
            "select max(_extracted_at) as last_synced_at from raw_oee.lines",
            origin="oee_sync",
        )[0]["last_synced_at"]
    rows = [{"source": "makini", **row} for row in makini] or [
        {"source": "makini", "connection_id": None, "last_synced_at": None}
    ]
    return [*rows, {"source": "oee", "connection_id": None, "last_synced_at": oee_at}]


def check_results(
    warehouse: Warehouse, project: Project | None = None, known: KnownFailures | None = None
) -> dict[str, Any]:
    """Every YAML test of the project: how many ran, the failing ones (error and warn), and
    those that could not run because a table they read is not built yet. Tests in `known` are
    not run again."""
    known = known or {}
    tests = project_tests(project or load_project(MODELS_DIR))
    read = {t.model for t in tests} | {t.references for t in tests if t.references}
    built = warehouse.relations({table.partition(".")[0] for table in read})
    runnable = [t for t in tests if t.model in built and (t.references or t.model) in built]
    counted = iter(count_failures(warehouse, [t for t in runnable if _key(t) not in known]))
    failures = [known[_key(t)] if _key(t) in known else next(counted) for t in runnable]
    failed = [
        {
            "model": test.model,
            "test": test.name,
            "severity": test.severity,
            "failing_rows": count,
            "rule": test.description,
        }
        for test, count in zip(runnable, failures, strict=True)
        if count
    ]
    not_run = sorted({t.model for t in tests if t not in runnable})
    return {"tests": len(tests), "ran": len(runnable), "failed": failed, "not_built": not_run}


def _key(test: DataTest) -> tuple[str, str]:
    return (test.model, test.name)
