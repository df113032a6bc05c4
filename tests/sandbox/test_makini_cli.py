"""`plantsync sandbox serve|plant-db`: arguments, the connections file, no secrets on screen."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest
import uvicorn
from click.testing import CliRunner

from plantsync.sandbox_commands import sandbox
from settings.connections import parse_connections


def test_serve_writes_connections_file_and_prints_no_tokens(tmp_path: Path, monkeypatch):
    served = {}

    def run(server: uvicorn.Server, sockets: list) -> None:
        served["port"] = sockets[0].getsockname()[1]
        sockets[0].close()

    monkeypatch.setattr(uvicorn.Server, "run", run)
    target = tmp_path / "conns.json"
    result = CliRunner().invoke(
        sandbox,
        [
            "serve",
            "--port",
            "0",
            "--purchase-orders",
            "5",
            "--connections",
            "2",
            "--connections-file",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    connections = parse_connections(str(target))
    assert [c.id for c in connections] == ["conn-1", "conn-2"]
    assert f"http://127.0.0.1:{served['port']}" in result.output
    assert "conn-1, conn-2" in result.output
    for entry in json.loads(target.read_text()):
        assert entry["token"] not in result.output
        assert entry["webhook_secret"] not in result.output


def test_plant_db_calls_the_generator(monkeypatch: pytest.MonkeyPatch):
    calls = []

    def generate(url: str, lines: int, days: int, seed: int) -> dict:
        calls.append((url, lines, days, seed))
        return {"lines": lines, "downtime_events": 42}

    fake = types.ModuleType("sandbox.plant.generator")
    fake.generate = generate
    monkeypatch.setitem(sys.modules, "sandbox.plant.generator", fake)
    result = CliRunner().invoke(
        sandbox,
        ["plant-db", "--url", "sqlite:///x.db", "--lines", "2", "--days", "3", "--seed", "9"],
    )
    assert result.exit_code == 0, result.output
    assert calls == [("sqlite:///x.db", 2, 3, 9)]
    assert "downtime_events: 42" in result.output
