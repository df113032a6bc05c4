"""`plantsync connections status|check` as a user reads them: nothing printed as `None`, and a
check that finds a connection down exits non-zero naming it."""

from __future__ import annotations

import requests
from click.testing import CliRunner

from plantsync.connections_commands import connections


def test_status_before_any_sync_says_what_is_not_known_yet(makini_sandbox, duckdb_path) -> None:
    makini_sandbox(seed=51, connections=2, purchase_orders=5)

    result = CliRunner().invoke(connections, ["status"])

    assert result.exit_code == 0, result.output
    assert "None" not in result.output
    assert result.output.count("unknown") == 2 and "(no status recorded yet)" in result.output
    assert "last sync never, last failure none recorded" in result.output
    assert not duckdb_path.exists()  # looking never creates a warehouse


def test_check_exits_non_zero_naming_the_connection_that_is_down(makini_sandbox) -> None:
    sandbox = makini_sandbox(seed=52, connections=3, purchase_orders=5)
    requests.post(
        f"{sandbox.base_url}/_sandbox/faults",
        json={"connection_id": "conn-2", "kind": "auth_expired"},
        timeout=10,
    ).raise_for_status()

    result = CliRunner().invoke(connections, ["check"])

    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[-1] == "Error: 1 connection(s) down: conn-2"
    assert any(line.startswith("conn-2") and "auth_failed" in line for line in lines)
    status = CliRunner().invoke(connections, ["status"])
    assert "conn-2               auth_failed" in status.output and "None" not in status.output
