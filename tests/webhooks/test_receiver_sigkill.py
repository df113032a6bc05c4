"""A receiver killed with SIGKILL in the middle of a burst loses no acknowledged event."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from webhooks.inbox import Inbox, body_sha256
from webhooks.signatures import sign

SECRET = "kill-test-secret"
CONNECTIONS = [{"id": "conn-k", "token": "t", "webhook_secret": SECRET}]
CLIENTS = 8
KILL_AFTER_ACKS = 400


def start_receiver(workdir: Path, inbox_url: str) -> tuple[subprocess.Popen[str], int]:
    env = {
        **os.environ,
        "MAKINI_CONNECTIONS": json.dumps(CONNECTIONS),
        "PLANTSYNC_WEBHOOK_INBOX_URL": inbox_url,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "plantsync", "webhooks", "serve", "--port", "0",
         "--log-level", "warning"],
        cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    line = proc.stdout.readline()
    assert "listening on http://127.0.0.1:" in line, line
    return proc, int(line.split("127.0.0.1:", 1)[1].split()[0])


def test_sigkill_mid_burst_loses_no_acknowledged_event(tmp_path: Path) -> None:
    inbox_url = f"sqlite:///{tmp_path / 'inbox.db'}"
    proc, port = start_receiver(tmp_path, inbox_url)
    acked: list[tuple[str, int]] = []  # (body sha256, id) of every 2xx
    failures: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        i = 0
        while not stop.is_set():
            body = json.dumps({"event": "purchase-orders.updated", "body": [f"PO-{n}-{i}"]})
            raw = body.encode()
            headers = {"Content-Type": "application/json", "X-Webhook-Signature": sign(raw, SECRET)}
            i += 1
            try:
                conn.request("POST", "/webhooks/makini/conn-k", body=raw, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    failures.append(type(exc).__name__)
                return  # the receiver is gone
            if 200 <= response.status < 300:
                with lock:
                    acked.append((body_sha256(raw), json.loads(payload)["id"]))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acked) < KILL_AFTER_ACKS and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)  # mid-burst: the clients are still sending
    proc.wait(timeout=10)
    stop.set()
    for t in threads:
        t.join(timeout=15)

    assert proc.returncode == -signal.SIGKILL
    assert len(acked) >= KILL_AFTER_ACKS
    assert failures, "the kill should have interrupted requests in flight"
    inbox = Inbox(inbox_url)
    try:
        stored = {e.id: e.body_sha256 for e in inbox.list_events()}
    finally:
        inbox.close()
    lost = [(sha, event_id) for sha, event_id in acked if stored.get(event_id) != sha]
    assert not lost, f"{len(lost)} of {len(acked)} acknowledged events were lost"
