"""Signed status-change notifications to `PLANTSYNC_STATUS_WEBHOOK_URL`.

Same scheme as Makini's incoming webhooks: `X-Webhook-Signature` is the hex HMAC-SHA256 of the
raw body. Each notification has a stable `event_id` so a receiver can drop repeats. Sending
happens on a background thread with bounded, backed-off retries, so a slow or dead receiver
never blocks the caller (the connectivity sensor).
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass

import orjson
import requests

from connectivity.status import Observation
from webhooks.signatures import sign

EVENT = "connection.status_changed"


@dataclass(frozen=True)
class NotifySettings:
    url: str
    secret: str = ""
    max_attempts: int = 5
    backoff_s: float = 1.0
    timeout_s: float = 10.0


def notification_body(observation: Observation, previous_status: str | None) -> bytes:
    event_id = uuid.uuid5(
        uuid.NAMESPACE_URL,
        f"{observation.connection_id}/{observation.status}/{observation.observed_at.isoformat()}",
    )
    return orjson.dumps(
        {
            "event": EVENT,
            "event_id": str(event_id),
            "connection_id": observation.connection_id,
            "status": observation.status,
            "previous_status": previous_status,
            "observed_at": observation.observed_at.isoformat().replace("+00:00", "Z"),
            "detail": observation.detail,
            "source": observation.source,
        }
    )


def post_with_retries(settings: NotifySettings, body: bytes) -> bool:
    """POST until a 2xx or the attempts run out; True when delivered."""
    headers = {"Content-Type": "application/json"}
    if settings.secret:
        headers["X-Webhook-Signature"] = sign(body, settings.secret)
    for attempt in range(1, settings.max_attempts + 1):
        try:
            response = requests.post(
                settings.url, data=body, headers=headers, timeout=settings.timeout_s
            )
            if response.status_code < 300:
                return True
        except requests.RequestException:
            pass
        if attempt < settings.max_attempts:
            time.sleep(settings.backoff_s * 2 ** (attempt - 1))
    return False


def notify_in_background(settings: NotifySettings, body: bytes) -> threading.Thread:
    """Start delivering `body`; returns the thread (tests join it, the sensor does not)."""
    thread = threading.Thread(
        target=post_with_retries, args=(settings, body), name="plantsync-notify", daemon=True
    )
    thread.start()
    return thread
