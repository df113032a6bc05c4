"""The whole Makini path into a real Snowflake account: runs only where `SNOWFLAKE_ACCOUNT`
(and the other `SNOWFLAKE_*` settings) are set; elsewhere fakesnow covers the SQL."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from plantsync.run_command import run

# Read before the autouse fixture clears SNOWFLAKE_* from each test's environment.
LIVE = {name: value for name, value in os.environ.items() if name.startswith("SNOWFLAKE_")}

pytestmark = [
    pytest.mark.snowflake_live,
    pytest.mark.skipif("SNOWFLAKE_ACCOUNT" not in LIVE, reason="no live Snowflake account"),
]


def test_makini_sync_into_snowflake(makini_sandbox, monkeypatch) -> None:
    for name, value in LIVE.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PLANTSYNC_DESTINATION", "snowflake")
    monkeypatch.setenv("PLANTSYNC_RUN_RETRIES", "0")
    makini_sandbox(seed=3, connections=2, purchase_orders=20)

    result = CliRunner().invoke(run, ["--source", "makini"])

    assert result.exit_code == 0, result.output[-3000:]
    assert "checks:" in result.output and " 0 failed" in result.output
