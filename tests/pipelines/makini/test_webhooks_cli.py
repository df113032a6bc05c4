"""`plantsync webhooks inbox|serve`: listing stored events and one-line failure reasons."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines.makini.inbox import Inbox
from plantsync.cli import cli

CONNECTIONS = json.dumps([{"id": "conn-a", "token": "t", "webhook_secret": "s"}])


@pytest.fixture
def inbox_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    monkeypatch.setenv("PLANTSYNC_WEBHOOK_INBOX_URL", url)
    inbox = Inbox(url)
    first = inbox.add("conn-a", "purchase-orders.updated", ["PO-1", "PO-2"], "a" * 64).id
    second = inbox.add("conn-a", "sites.inserted", ["S-1"], "b" * 64).id
    inbox.claim([first], "run-key-1")
    inbox.mark_processed([first], "dagster-run-1")
    assert second > first
    inbox.close()
    return url


def test_inbox_json_lists_one_object_per_event(inbox_url: str) -> None:
    result = CliRunner().invoke(cli, ["webhooks", "inbox", "--json"])
    assert result.exit_code == 0, result.output
    events = json.loads(result.output)
    assert [(e["event"], e["keys"], e["run_id"]) for e in events] == [
        ("purchase-orders.updated", ["PO-1", "PO-2"], "dagster-run-1"),
        ("sites.inserted", ["S-1"], None),
    ]
    assert events[0]["processed_at"].endswith("Z") and events[1]["processed_at"] is None


def test_inbox_pending_only(inbox_url: str) -> None:
    result = CliRunner().invoke(cli, ["webhooks", "inbox", "--json", "--pending"])
    assert [e["event"] for e in json.loads(result.output)] == ["sites.inserted"]


def test_inbox_table(inbox_url: str) -> None:
    result = CliRunner().invoke(cli, ["webhooks", "inbox"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["id", "connection", "event", "keys", "received", "state"]
    assert "processed by dagster-run-1" in lines[1]
    assert lines[2].rstrip().endswith("pending")


def test_empty_inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANTSYNC_WEBHOOK_INBOX_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    assert CliRunner().invoke(cli, ["webhooks", "inbox"]).output == "no events stored\n"
    assert CliRunner().invoke(cli, ["webhooks", "inbox", "--json"]).output == "[]\n"


def test_default_inbox_is_data_webhook_inbox_db(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(isolated_env)
    result = CliRunner().invoke(cli, ["webhooks", "inbox", "--json"])
    assert result.exit_code == 0
    assert (isolated_env / "data" / "webhook_inbox.db").is_file()


def test_bad_inbox_url_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANTSYNC_WEBHOOK_INBOX_URL", "mysql+pymysql://root@127.0.0.1/x")
    result = CliRunner().invoke(cli, ["webhooks", "inbox"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: PLANTSYNC_WEBHOOK_INBOX_URL: inbox URL 'mysql+pymysql://root@127.0.0.1/x' "
        "must be sqlite:// or postgresql://"
    ]


def test_serve_on_a_busy_port_is_one_line(inbox_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAKINI_CONNECTIONS", CONNECTIONS)
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["webhooks", "serve", "--port", str(port)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot listen on 127.0.0.1:{port}: ")
    assert len(result.output.strip().splitlines()) == 1


def test_serve_with_malformed_connections_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAKINI_CONNECTIONS", '[{"id": "a", "token": ""}]')
    result = CliRunner().invoke(cli, ["webhooks", "serve"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: MAKINI_CONNECTIONS[0].token is missing or empty"


def test_serve_without_connections_exits_2_with_the_variable_named(isolated_env: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "MAKINI_CONNECTIONS"}
    done = subprocess.run(
        [sys.executable, "-m", "plantsync", "webhooks", "serve"],
        cwd=isolated_env, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip() == "plantsync: MAKINI_CONNECTIONS is not set (see .env.example)"
