"""HTTP access to the Makini API for one connection: auth, paging and retries.

Retries follow the design: 429 waits `Retry-After`; 5xx, timeouts and connection errors back
off exponentially with full jitter; every delay is capped by `max_delay_s` (0 in tests).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import requests

from pipelines.makini.errors import AuthError, MakiniError, MalformedPageError, UnreachableError
from settings import (
    DEFAULT_HTTP_BACKOFF_S,
    DEFAULT_HTTP_MAX_ATTEMPTS,
    DEFAULT_HTTP_MAX_DELAY_S,
    DEFAULT_HTTP_TIMEOUT_S,
    Connection,
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetrySettings:
    max_attempts: int = DEFAULT_HTTP_MAX_ATTEMPTS
    backoff_s: float = DEFAULT_HTTP_BACKOFF_S
    max_delay_s: float = DEFAULT_HTTP_MAX_DELAY_S
    timeout_s: float = DEFAULT_HTTP_TIMEOUT_S

    def delay_s(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait before attempt `attempt + 1` (attempts count from 1)."""
        if retry_after is not None:
            try:
                return min(max(float(retry_after), 0.0), self.max_delay_s)
            except ValueError:
                pass  # an HTTP-date Retry-After: fall back to backoff
        ceiling = min(self.backoff_s * 2 ** (attempt - 1), self.max_delay_s)
        return random.uniform(0, ceiling)


@dataclass
class Page:
    url: str
    number: int
    data: list[dict[str, Any]]
    last_page: int
    total: int


class MakiniClient:
    """Requests against one connection. `on_retry` sees every retried failure (for reporting)."""

    def __init__(
        self,
        base_url: str,
        connection: Connection,
        retry: RetrySettings | None = None,
        session: requests.Session | None = None,
        on_retry: Callable[[str, str], None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.connection = connection
        self.retry = retry or RetrySettings()
        self.session = session or requests.Session()
        self.on_retry = on_retry
        self._headers = {
            "Authorization": f"Bearer {connection.token}",
            "Accept": "application/json",
        }

    def get_json(
        self, path: str, params: dict[str, Any] | None = None, page: int | None = None
    ) -> tuple[str, Any]:
        """GET `path` with retries; returns (url, parsed body). 404 returns (url, None).

        `page` only names the page in errors."""
        url = f"{self.base_url}{path}"
        conn_id = self.connection.id
        for attempt in range(1, self.retry.max_attempts + 1):
            retry_after = None
            try:
                response = self.session.get(
                    url, params=params, headers=self._headers, timeout=self.retry.timeout_s
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                problem = f"{type(exc).__name__} on {url}"
            else:
                if response.status_code in (401, 403):
                    raise AuthError(
                        conn_id, f"HTTP {response.status_code} on {url}: token rejected"
                    )
                if response.status_code == 404:
                    return response.url, None
                if response.status_code not in RETRY_STATUSES:
                    return response.url, self._parse(response, conn_id, page)
                problem = f"HTTP {response.status_code} on {response.url}"
                retry_after = response.headers.get("Retry-After")
            if attempt == self.retry.max_attempts:
                raise UnreachableError(
                    conn_id, f"{problem}, still failing after {attempt} attempts"
                )
            if self.on_retry:
                self.on_retry(conn_id, problem)
            time.sleep(self.retry.delay_s(attempt, retry_after))
        raise AssertionError("unreachable")  # the loop always returns or raises

    @staticmethod
    def _parse(response: requests.Response, conn_id: str, page: int | None) -> Any:
        if response.status_code >= 400:
            raise MakiniError(
                conn_id, f"HTTP {response.status_code} on {response.url}: {response.text[:200]}"
            )
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError as exc:
            where = f"page {page} of {response.url}" if page else response.url
            raise MalformedPageError(conn_id, f"{where} is not valid JSON ({exc})") from None

    def iter_pages(self, path: str, params: dict[str, Any], per_page: int | None) -> Iterator[Page]:
        """Every page of a list endpoint, in order; a page that is not the envelope raises."""
        number, last_page = 1, 1
        while number <= last_page:
            page_params = {**params, "page": number}
            if per_page:
                page_params["per_page"] = per_page
            url, body = self.get_json(path, page_params, page=number)
            page = _as_page(self.connection.id, url, number, body)
            last_page = page.last_page
            yield page
            number += 1

    def get_one(self, path: str, key: str) -> dict[str, Any] | None:
        """One record by key (`GET path/{key}`); None when the API no longer has it."""
        url, body = self.get_json(f"{path}/{requests.utils.quote(key, safe='')}")
        if body is None:
            return None
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise MalformedPageError(self.connection.id, f"{url}: expected {{'data': {{...}}}}")
        return body["data"]


def _as_page(conn_id: str, url: str, number: int, body: Any) -> Page:
    where = f"page {number} of {url}"
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise MalformedPageError(conn_id, f"{where}: no 'data' list in the response")
    meta = body.get("meta")
    if not isinstance(meta, dict):
        raise MalformedPageError(conn_id, f"{where}: no 'meta' object in the response")
    try:
        last_page, total = int(meta["last_page"]), int(meta["total"])
    except (KeyError, TypeError, ValueError):
        raise MalformedPageError(
            conn_id, f"{where}: meta.last_page/meta.total missing or not numbers"
        ) from None
    if any(not isinstance(row, dict) for row in body["data"]):
        raise MalformedPageError(conn_id, f"{where}: 'data' holds a non-object entry")
    return Page(url=url, number=number, data=body["data"], last_page=last_page, total=total)
