"""`plantsync report`: writes the page from the configured warehouse, never creates one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.report.plant import build_plant_warehouse
from tests.support.processes import plantsync

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def warehouse_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_plant_warehouse(tmp_path_factory.mktemp("warehouse"))


@pytest.mark.slow
def test_report_prints_path_size_and_time(warehouse_path: Path, tmp_path: Path) -> None:
    result = plantsync(
        "report", "--out", str(tmp_path / "out"), PLANTSYNC_DUCKDB_PATH=str(warehouse_path)
    )

    assert result.returncode == 0, result.stderr
    line = result.stdout.strip()
    found = re.fullmatch(r"(\S+index\.html) \(([\d,]+) KB\) in \d+\.\ds", line)
    assert found, line
    page = Path(found.group(1))
    assert page == tmp_path / "out" / "index.html"
    assert round(page.stat().st_size / 1024) == int(found.group(2).replace(",", ""))


@pytest.mark.slow
def test_report_goes_to_the_report_dir_setting(warehouse_path: Path, tmp_path: Path) -> None:
    result = plantsync(
        "report",
        PLANTSYNC_DUCKDB_PATH=str(warehouse_path),
        PLANTSYNC_REPORT_DIR=str(tmp_path / "reports"),
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "reports" / "index.html").is_file()


def test_missing_warehouse_fails_in_one_line_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "warehouse.duckdb"

    result = plantsync("report", "--out", str(tmp_path / "out"), PLANTSYNC_DUCKDB_PATH=str(missing))

    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"plantsync: PLANTSYNC_DUCKDB_PATH={missing}: no warehouse there yet "
        "(`plantsync run` creates it)"
    )
    assert not missing.parent.exists() and not (tmp_path / "out").exists()
