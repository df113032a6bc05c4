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

from plantsync.cli import cli
from webhooks.inbox import Inbox

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


@pytest.mark.parametrize("command", [["inbox"], ["serve"]])
def test_unsupported_inbox_scheme_fails_at_once_naming_the_setting(isolated_env, command) -> None:
    env = {
        **os.environ,
        "PLANTSYNC_WEBHOOK_INBOX_URL": "mysql+pymysql://root@127.0.0.1/x",
        "MAKINI_CONNECTIONS": CONNECTIONS,
    }
    done = subprocess.run(
        [sys.executable, "-m", "plantsync", "webhooks", *command],
        cwd=isolated_env, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "plantsync: PLANTSYNC_WEBHOOK_INBOX_URL='mysql+pymysql://root@127.0.0.1/x': "
        "unsupported scheme 'mysql' (use sqlite:///path or postgresql://...)"
    )


def test_serve_on_a_busy_port_is_one_line(inbox_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAKINI_CONNECTIONS", CONNECTIONS)
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["webhooks", "serve", "--port", str(port)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot listen on 127.0.0.1:{port}: ")
    assert len(result.output.strip().splitlines()) == 1


def test_serve_with_malformed_connections_names_the_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAKINI_CONNECTIONS", '[{"id": "a", "token": ""}]')
    result = CliRunner().invoke(cli, ["webhooks", "serve"])
    assert result.exit_code == 1
    assert str(result.exception) == "MAKINI_CONNECTIONS[0].token is missing or empty"


def test_serve_without_connections_exits_2_with_the_variable_named(isolated_env: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "MAKINI_CONNECTIONS"}
    done = subprocess.run(
        [sys.executable, "-m", "plantsync", "webhooks", "serve"],
        cwd=isolated_env, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip() == "plantsync: MAKINI_CONNECTIONS is not set (see .env.example)"


def test_serve_warns_about_connections_without_a_webhook_secret(inbox_url, isolated_env) -> None:
    connections = json.dumps(
        [
            {"id": "signed", "token": "t1", "webhook_secret": "s"},
            {"id": "unsigned", "token": "t2"},
        ]
    )
    env = {**os.environ, "MAKINI_CONNECTIONS": connections}
    process = subprocess.Popen(
        [sys.executable, "-m", "plantsync", "webhooks", "serve", "--port", "0"],
        cwd=isolated_env, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        listening = process.stdout.readline()
    finally:
        process.kill()
        _, stderr = process.communicate(timeout=30)

    assert "listening on http://127.0.0.1:" in listening
    assert stderr.splitlines()[0] == (
        "warning: no webhook_secret for unsigned in MAKINI_CONNECTIONS: "
        "every delivery for them will be refused (401)"
    )
