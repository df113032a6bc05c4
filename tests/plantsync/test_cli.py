"""The `plantsync` entry point: fast help, and one-line reasons with a non-zero exit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.processes import plantsync

ROOT = Path(__file__).resolve().parents[2]


def test_help_lists_every_command_group() -> None:
    result = plantsync("--help")

    assert result.returncode == 0
    for group in ("run", "sandbox", "models", "connections", "webhooks"):
        assert f"  {group}" in result.stdout


def test_bad_connection_entry_is_named_in_one_line() -> None:
    result = plantsync(
        "run", "--source", "makini", MAKINI_CONNECTIONS='[{"id": "plant-a", "token": ""}]'
    )

    assert result.returncode == 2
    assert result.stderr.strip() == "plantsync: MAKINI_CONNECTIONS[0].token is missing or empty"


def test_unknown_destination_is_named_in_one_line() -> None:
    result = plantsync("connections", "status", PLANTSYNC_DESTINATION="oracle")

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "plantsync: PLANTSYNC_DESTINATION='oracle' is not one of duckdb, snowflake, postgres"
    ]


def test_folders_named_like_its_packages_in_the_working_directory_do_not_shadow_them(
    tmp_path,
) -> None:
    for name in ("settings", "report", "assets", "webhooks", "warehouse"):
        (tmp_path / name).mkdir()

    done = subprocess.run(
        [sys.executable, "-m", "plantsync", "report", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert "Write the plant report" in done.stdout
