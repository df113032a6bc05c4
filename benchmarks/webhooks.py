"""Webhook receiver throughput: signed events from concurrent keep-alive clients on loopback.

The clients are threads, each with one keep-alive `http.client.HTTPConnection`: on this machine
`requests` spends about 1.2 ms of CPU per request (http.client about 0.25 ms), so with requests
the benchmark would measure its own client rather than the receiver.

Starts `plantsync webhooks serve` as a subprocess on a temporary SQLite inbox, measures the raw
bound (`GET /healthz` with the same clients: HTTP and the server loop, no verification or
storage), then sends `--events` distinct signed events and prints accepted events/s, p50/p99
latency, the ratio to the raw bound and the inbox count, which must equal the events sent.

    .venv/bin/python benchmarks/webhooks.py [--events 5000] [--clients 64]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from webhooks.inbox import Inbox  # noqa: E402
from webhooks.signatures import ENTITIES, sign  # noqa: E402

CONNECTIONS = [
    {"id": f"bench-{i}", "token": "t", "webhook_secret": [f"old-secret-{i}", f"secret-{i}"]}
    for i in range(3)
]
GOAL_EVENTS_PER_S = 2000


def start_receiver(workdir: Path, inbox_url: str, log_level: str) -> tuple[subprocess.Popen, str]:
    """Start the receiver on a free port; return the process and its base URL."""
    env = {
        **os.environ,
        "MAKINI_CONNECTIONS": json.dumps(CONNECTIONS),
        "PLANTSYNC_WEBHOOK_INBOX_URL": inbox_url,
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "plantsync",
            "webhooks",
            "serve",
            "--port",
            "0",
            "--log-level",
            log_level,
        ],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = proc.stdout.readline()
    if "listening on " not in line:
        proc.kill()
        raise SystemExit(f"receiver did not start: {line!r}")
    base = line.split("listening on ", 1)[1].split()[0]
    host, port = base.removeprefix("http://").rsplit(":", 1)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(host, int(port), timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("receiver did not answer /healthz")


Job = Callable[[http.client.HTTPConnection], int]


def run_clients(base: str, jobs: list[Job], clients: int) -> tuple[float, list[float], list[int]]:
    """Run `jobs` spread over `clients` threads, one keep-alive connection each."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    statuses: list[list[int]] = [[] for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        mine = jobs[n::clients]
        barrier.wait()
        for job in mine:
            started = time.perf_counter()
            try:
                statuses[n].append(job(conn))
            except (OSError, http.client.HTTPException):
                statuses[n].append(0)
                conn.close()
            latencies[n].append(time.perf_counter() - started)
        conn.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return elapsed, [x for xs in latencies for x in xs], [x for xs in statuses for x in xs]


def request(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> int:
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    response.read()
    return response.status


def get_healthz(conn: http.client.HTTPConnection) -> int:
    return request(conn, "GET", "/healthz")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux), 0.0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile_ms(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 10) - 1] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--inbox-url", help="an empty inbox database (default: temporary SQLite)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="plantsync-bench-") as tmp:
        workdir = Path(tmp)
        inbox_url = args.inbox_url or f"sqlite:///{workdir / 'inbox.db'}"
        proc, base = start_receiver(workdir, inbox_url, args.log_level)
        try:
            cpu_before = cpu_seconds(proc.pid)
            raw_elapsed, _, _ = run_clients(base, [get_healthz] * args.events, args.clients)
            raw_cpu = cpu_seconds(proc.pid) - cpu_before

            def post(n: int) -> Job:
                conn = CONNECTIONS[n % len(CONNECTIONS)]
                entity = ENTITIES[n % len(ENTITIES)]
                body = json.dumps({"event": f"{entity}.updated", "body": [f"K{n:08d}"]}).encode()
                headers = {
                    "Content-Type": "application/json",
                    "X-Webhook-Signature": sign(
                        body, conn["webhook_secret"][n % 2], "hex" if n % 3 else "base64"
                    ),
                }
                path = f"/webhooks/makini/{conn['id']}"
                return lambda c: request(c, "POST", path, body, headers)

            jobs = [post(n) for n in range(args.events)]
            cpu_before = cpu_seconds(proc.pid)
            elapsed, latencies, statuses = run_clients(base, jobs, args.clients)
            server_cpu = cpu_seconds(proc.pid) - cpu_before
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        inbox = Inbox(inbox_url)
        stored = inbox.count()
        inbox.close()

    accepted = sum(1 for s in statuses if s == 200)
    events_per_s = accepted / elapsed
    raw_per_s = args.events / raw_elapsed
    print(f"events sent            {args.events} from {args.clients} keep-alive clients")
    print(f"inbox                  {inbox_url.split(':', 1)[0]}")
    print(f"accepted (200)         {accepted}")
    print(f"accepted events/s      {events_per_s:,.0f}  (goal {GOAL_EVENTS_PER_S:,})")
    print(f"raw bound GET /healthz {raw_per_s:,.0f} requests/s")
    print(f"ratio to raw bound     {events_per_s / raw_per_s:.2f}")
    print(
        f"receiver CPU per event {server_cpu / args.events * 1e6:.0f} us "
        f"(per GET /healthz {raw_cpu / args.events * 1e6:.0f} us)"
    )
    print(f"load average (1 min)   {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        f"latency p50 / p99      {percentile_ms(latencies, 50):.1f} ms / "
        f"{percentile_ms(latencies, 99):.1f} ms"
    )
    print(f"inbox count            {stored}  (must equal {args.events})")
    ok = accepted == args.events and stored == args.events
    print("result                 " + ("OK: zero loss" if ok else "FAILED: events lost"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
