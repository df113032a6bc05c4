"""The purchase-order models on data the sandbox serves, loaded by the real Makini pipeline.

Clean data must pass every check with no `unknown` status; `--dirty` data must fail exactly the
four checks its defects target, naming the rows the sandbox reports at `GET /_sandbox/dirty`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from sandbox.makini.server import SandboxServer
from tests.models.po_fixtures import DIRTY_FAILURES, po_project, query_dicts
from tests.pipelines.makini.helpers import Warehouse as MakiniLoad
from warehouse import Warehouse, connect, run, run_tests

DIRTY_ORPHANS = ("staging.purchase_order_line_items", "line_item_belongs_to_an_order")
DIRTY_DUPLICATES = ("canonical.purchase_order_lines", "unique_connection_id_line_key")
DIRTY_UNKNOWN = ("canonical.purchase_orders", "status_is_mapped")
DIRTY_UNBALANCED = ("canonical.purchase_orders", "header_net_matches_lines")


def _load(tmp_path: Path, dirty: bool) -> tuple[Warehouse, dict, object]:
    path = tmp_path / "warehouse.duckdb"
    with SandboxServer(seed=7, connections=3, purchase_orders=150, dirty=dirty) as server:
        MakiniLoad(path, server).sync()
        report = requests.get(f"{server.base_url}/_sandbox/dirty", timeout=10).json()
    project = po_project(tmp_path)
    warehouse = connect("duckdb", duckdb_path=path)
    run(project, warehouse)
    return warehouse, report, project


@pytest.mark.slow
def test_clean_sandbox_data_passes_every_check(tmp_path: Path) -> None:
    warehouse, _, project = _load(tmp_path, dirty=False)
    with warehouse:
        results = run_tests(project, warehouse)
        statuses = query_dicts(
            warehouse, "select status, count(*) as orders from canonical.purchase_orders group by 1"
        )
        counts = query_dicts(
            warehouse,
            "select (select count(*) from canonical.purchase_order_lines) as lines,"
            " (select count(*) from raw_makini.purchase_order_lines) as raw_lines,"
            " (select count(*) from canonical.purchase_orders) as orders,"
            " (select count(*) from raw_makini.purchase_orders) as raw_orders",
        )[0]
    assert [(r.test.model, r.test.name) for r in results if not r.passed] == []
    assert "unknown" not in {s["status"] for s in statuses}
    assert counts["lines"] == counts["raw_lines"] > 0
    assert counts["orders"] == counts["raw_orders"] == 450


@pytest.mark.slow
def test_dirty_sandbox_data_fails_exactly_the_matching_checks(tmp_path: Path) -> None:
    warehouse, report, project = _load(tmp_path, dirty=True)
    with warehouse:
        results = run_tests(project, warehouse)
    failing = {(r.test.model, r.test.name): r for r in results if not r.passed}
    assert set(failing) == DIRTY_FAILURES

    def named(test: tuple[str, str], column: str) -> set[str]:
        result = failing[test]
        assert result.failures <= 20  # every failing row is in the sample
        return {row[result.columns.index(column)] for row in result.rows}

    def reported(kind: str) -> set[str]:
        return {key for defects in report.values() for key in defects[kind]}

    assert named(DIRTY_ORPHANS, "line_key") == reported("orphan_line_keys")
    assert named(DIRTY_DUPLICATES, "line_key") == reported("duplicate_line_keys")
    assert named(DIRTY_UNKNOWN, "po_key") == reported("unknown_status_po_keys")
    assert named(DIRTY_UNBALANCED, "po_key") == reported("unbalanced_po_keys")
