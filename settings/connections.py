"""Makini connections: one per customer system, each with its own token and webhook secret."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from settings.errors import SettingsError


class ConnectionsError(SettingsError):
    """The connections setting is missing or malformed; the message names the bad value."""


@dataclass(frozen=True)
class Connection:
    id: str
    token: str = field(repr=False)
    # Secrets that verify incoming webhooks; two may be valid at once during rotation.
    webhook_secrets: tuple[str, ...] = field(default=(), repr=False)


def parse_connections(value: str, source: str = "MAKINI_CONNECTIONS") -> list[Connection]:
    """Parse `[{"id", "token", "webhook_secret"}]` given inline as JSON or as a file path.

    `webhook_secret` may also be a list of secrets (rotation). Errors name `source` and the index
    of the bad entry, never a token or secret.
    """
    text = value.strip()
    if not text:
        raise ConnectionsError(f"{source} is empty")
    if not text.startswith("["):
        path = Path(text).expanduser()
        if not path.is_file():
            raise ConnectionsError(
                f"{source} is neither a JSON list nor an existing file: {text!r}"
            )
        source, text = f"{source} (file {path})", path.read_text(encoding="utf-8")
    try:
        entries = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConnectionsError(
            f"{source} is not valid JSON: {exc.msg} at position {exc.pos}"
        ) from None
    if not isinstance(entries, list) or not entries:
        raise ConnectionsError(f"{source} must be a non-empty JSON list of connections")
    connections: list[Connection] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        where = f"{source}[{i}]"
        if not isinstance(entry, dict):
            raise ConnectionsError(f"{where} must be an object with id, token and webhook_secret")
        conn_id, token = entry.get("id"), entry.get("token")
        if not isinstance(conn_id, str) or not conn_id.strip():
            raise ConnectionsError(f"{where}.id is missing or empty")
        if conn_id in seen:
            raise ConnectionsError(f"{where}.id {conn_id!r} appears twice")
        if not isinstance(token, str) or not token.strip():
            raise ConnectionsError(f"{where}.token is missing or empty")
        secrets = entry.get("webhook_secret") or []
        secrets = [secrets] if isinstance(secrets, str) else secrets
        if not isinstance(secrets, list) or not all(isinstance(s, str) and s for s in secrets):
            raise ConnectionsError(f"{where}.webhook_secret must be a string or a list of strings")
        seen.add(conn_id)
        connections.append(Connection(conn_id, token, tuple(secrets)))
    return connections
