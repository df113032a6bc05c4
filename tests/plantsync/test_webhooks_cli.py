"""`plantsync webhooks inbox|serve`: listing stored events and one-line failure reasons."""

from __future__ import annotations

import http.client
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


def start_serve(cwd: Path, **env: str) -> tuple[subprocess.Popen[str], int, str]:
    """`plantsync webhooks serve --port 0` with `env` added; the process, its port, its banner."""
    process = subprocess.Popen(
        [sys.executable, "-m", "plantsync", "webhooks", "serve", "--port", "0",
         "--log-level", "warning"],
        cwd=cwd, env={**os.environ, "MAKINI_CONNECTIONS": CONNECTIONS, **env},
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    listening = process.stdout.readline()
    assert "listening on http://127.0.0.1:" in listening, listening
    return process, int(listening.split("127.0.0.1:", 1)[1].split()[0]), listening


def test_serve_closes_an_unfinished_request_after_its_read_timeout(inbox_url, isolated_env) -> None:
    process, port, listening = start_serve(isolated_env, PLANTSYNC_WEBHOOK_READ_TIMEOUT_S="1")
    try:
        assert "requests complete within 1 s, at most 512 connections" in listening
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"POST /webhooks/makini/conn-a HTTP/1.1\r\nHost: x\r\nContent-Ty")
            assert sock.recv(1024) == b""  # closed by the server, well before the 10 s timeout
    finally:
        process.kill()
        process.wait(timeout=30)


def test_serve_answers_503_beyond_its_connection_limit(inbox_url, isolated_env) -> None:
    process, port, _ = start_serve(isolated_env, PLANTSYNC_WEBHOOK_MAX_CONNECTIONS="1")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as held:
            held.sendall(b"POST /webhooks/makini/conn-a HTTP/1.1\r\n")
            extra = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            extra.request("GET", "/healthz")
            assert extra.getresponse().status == 503
            extra.close()
    finally:
        process.kill()
        process.wait(timeout=30)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PLANTSYNC_WEBHOOK_READ_TIMEOUT_S", "0", "=0 must be more than 0 and at most 30"),
        ("PLANTSYNC_WEBHOOK_READ_TIMEOUT_S", "45", "=45 must be more than 0 and at most 30"),
        ("PLANTSYNC_WEBHOOK_READ_TIMEOUT_S", "soon", "='soon' is not a valid float"),
        ("PLANTSYNC_WEBHOOK_MAX_CONNECTIONS", "0", "=0 must be at least 1"),
        ("PLANTSYNC_WEBHOOK_MAX_CONNECTIONS", "many", "='many' is not a valid int"),
    ],
)
def test_serve_with_a_bad_limit_names_the_setting_and_value(
    inbox_url: str, monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv("MAKINI_CONNECTIONS", CONNECTIONS)
    monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["webhooks", "serve", "--port", "0"])
    assert result.exit_code == 1
    assert str(result.exception) == name + message
