"""Fixtures for the Makini sandbox tests: started servers (small data) and an HTTP client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sandbox.makini.server import SandboxServer


class Api:
    """Requests against a sandbox as one of its connections (by 0-based index)."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.base_url = server.base_url

    def headers(self, conn: int = 0) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.server.connections[conn]['token']}"}

    def get(self, path: str, conn: int = 0, params: Any = None) -> requests.Response:
        return requests.get(
            f"{self.base_url}{path}", params=params, headers=self.headers(conn), timeout=30
        )

    def json(self, path: str, conn: int = 0, params: Any = None) -> Any:
        response = self.get(path, conn, params)
        assert response.status_code == 200, response.text
        return response.json()

    def all_rows(self, path: str, conn: int = 0, params: Any = None) -> list[dict[str, Any]]:
        """Every row of a list endpoint, following the pages."""
        rows, page = [], 1
        while True:
            body = self.json(path, conn, {**(params or {}), "per_page": 1000, "page": page})
            rows += body["data"]
            if page >= body["meta"]["last_page"]:
                return rows
            page += 1

    def post(self, path: str, body: dict[str, Any]) -> requests.Response:
        return requests.post(f"{self.base_url}{path}", json=body, timeout=60)


@pytest.fixture(scope="session")
def shared_server() -> Iterator[SandboxServer]:
    """A read-only sandbox for tests that only look (never advance or inject faults)."""
    with SandboxServer(seed=7, connections=3, purchase_orders=60) as server:
        yield server


@pytest.fixture
def api(shared_server: SandboxServer) -> Api:
    return Api(shared_server)


@pytest.fixture
def fresh_api() -> Iterator[Api]:
    """A sandbox of its own, for tests that change state (advance, faults, webhooks)."""
    with SandboxServer(seed=21, connections=3, purchase_orders=40) as server:
        yield Api(server)
