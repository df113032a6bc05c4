"""`SandboxServer`: the sandbox API on a local port, in a background thread.

    with SandboxServer(seed=7, connections=3, purchase_orders=2000) as server:
        requests.get(f"{server.base_url}/api/erp/vendors",
                     headers={"Authorization": f"Bearer {server.connections[0]['token']}"})

Used by tests, the demo and the benchmarks; `plantsync sandbox serve` runs the same app in the
foreground.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from types import TracebackType

import uvicorn

from sandbox.makini.app import create_app
from sandbox.makini.world import Sandbox

STARTUP_TIMEOUT_S = 30.0


def uvicorn_config(sandbox: Sandbox, host: str, port: int) -> uvicorn.Config:
    """Quiet uvicorn settings for the sandbox app (no access log: benchmarks hit it hard)."""
    return uvicorn.Config(
        create_app(sandbox),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready socket on (host, port); port 0 picks a free one."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


class SandboxServer:
    """A started sandbox; `port=0` picks a free port."""

    def __init__(
        self,
        seed: int = 7,
        connections: int = 3,
        purchase_orders: int = 2000,
        port: int = 0,
        dirty: bool = False,
        host: str = "127.0.0.1",
    ) -> None:
        self.sandbox = Sandbox(seed, connections, purchase_orders, dirty)
        self.host = host
        self._socket = bind(host, port)
        self.port: int = self._socket.getsockname()[1]
        self._server = uvicorn.Server(uvicorn_config(self.sandbox, host, self.port))
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def connections(self) -> list[dict[str, str]]:
        """`[{"id", "token", "webhook_secret"}]`, one per connection."""
        return [conn.identity() for conn in self.sandbox.connections]

    def connections_json(self) -> str:
        """The connections as the JSON `MAKINI_CONNECTIONS` accepts."""
        return json.dumps(self.connections)

    def start(self) -> SandboxServer:
        """Serve in a daemon thread; return once the port answers HTTP."""
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name=f"makini-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not (self._server.started and self._answers()):
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"sandbox server did not start on {self.base_url}")
            time.sleep(0.01)
        return self

    def _answers(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        """Stop serving and wait for the thread (idempotent)."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._socket.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
