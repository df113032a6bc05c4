"""Connection status: Makini's connection and integration states plus a cheap probe, mapped to
plantsync's canonical statuses.

Canonical statuses, most severe first when several signals disagree:
`auth_failed` (token rejected, or Makini's sync says `fail`), `unreachable` (the API or the back
end cannot be reached after retries, or Makini's sync says `error`), `inactive` (Makini reports
the connection `Inactive`), `pending` (not yet connected or never synced), `syncing` (Makini is
syncing the back end), `active`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pipelines.makini.client import MakiniClient, RetrySettings
from pipelines.makini.errors import AuthError, MakiniError
from settings import Connection

STATUSES = ("active", "syncing", "pending", "inactive", "auth_failed", "unreachable")
DOWN_STATUSES = frozenset({"inactive", "auth_failed", "unreachable"})
PROBE_PATH = "/api/erp/purchase-orders"
# A probe must answer within a sensor tick: few, short attempts.
PROBE_RETRY = RetrySettings(max_attempts=2, backoff_s=0.0, max_delay_s=0.0, timeout_s=10.0)


@dataclass(frozen=True)
class Observation:
    """One connection's status at one moment, and why."""

    connection_id: str
    status: str
    detail: str
    observed_at: datetime
    source: str  # poll | extract | webhook

    @property
    def is_down(self) -> bool:
        return self.status in DOWN_STATUSES


def from_makini_states(connection_status: str | None, sync_status: str | None) -> tuple[str, str]:
    """Map `/api/system/connections` status and `/api/integrations/current` sync_status."""
    connection_status = (connection_status or "").strip().lower()
    sync_status = (sync_status or "").strip().lower()
    if sync_status == "fail":
        return "auth_failed", "Makini sync_status 'fail': invalid platform credentials"
    if connection_status == "inactive":
        return "inactive", "Makini reports the connection Inactive"
    if sync_status == "error":
        return "unreachable", "Makini sync_status 'error': the back end could not be synced"
    if connection_status == "pending" or not sync_status:
        return (
            "pending",
            f"Makini connection status {connection_status or 'unknown'!r}, not synced yet",
        )
    if sync_status == "inprogress":
        return "syncing", "Makini is syncing the back end"
    return "active", f"Makini connection Active, sync_status {sync_status!r}"


def from_error(error: MakiniError) -> tuple[str, str]:
    """Map an extraction or probe failure."""
    if isinstance(error, AuthError):
        return "auth_failed", str(error)
    return "unreachable", str(error)


def probe(client: MakiniClient, source: str = "poll") -> Observation:
    """Ask Makini about the connection, then read one order: the cheapest real data request."""
    conn_id = client.connection.id
    try:
        _, connections = client.get_json("/api/system/connections")
        _, integration = client.get_json("/api/integrations/current")
        connection_status = _own_status(connections, conn_id)
        sync_status = (integration or {}).get("data", {}).get("sync_status")
        status, detail = from_makini_states(connection_status, sync_status)
        if status not in DOWN_STATUSES:
            client.get_json(PROBE_PATH, {"per_page": 1})
    except MakiniError as exc:
        status, detail = from_error(exc)
    return Observation(conn_id, status, detail, datetime.now(UTC), source)


def _own_status(body: object, conn_id: str) -> str | None:
    rows = body.get("data") if isinstance(body, dict) else None
    for row in rows or []:
        if isinstance(row, dict) and row.get("key") == conn_id:
            return row.get("status")
    # Not listed under our id (Makini may key it differently): the sync state decides.
    return None


def extraction_observations(
    connection_ids: Iterable[str], failures: Mapping[str, MakiniError]
) -> list[Observation]:
    """What a sync learned about each connection: rejected tokens, outages, success."""
    now = datetime.now(UTC)
    observations = []
    for conn_id in connection_ids:
        error = failures.get(conn_id)
        status, detail = from_error(error) if error else ("active", "extraction succeeded")
        observations.append(Observation(conn_id, status, detail, now, "extract"))
    return observations


def still_down(
    base_url: str,
    connections: Iterable[Connection],
    recorded: Mapping[str, Any],
    known_before: datetime,
) -> dict[str, str]:
    """Connections recorded as down before `known_before` (naive UTC) that a quick probe
    confirms -> why and since when. `recorded` is the latest status row per connection."""
    down = {}
    for connection in connections:
        row = recorded.get(connection.id)
        if row is None or row.status not in DOWN_STATUSES or row.observed_at >= known_before:
            continue
        if not probe(MakiniClient(base_url, connection, PROBE_RETRY)).is_down:
            continue
        down[connection.id] = (
            f"connection {connection.id} is {row.status} since "
            f"{row.observed_at:%Y-%m-%d %H:%M} UTC ({row.detail})"
        )
    return down
