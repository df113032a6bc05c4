"""The sandbox's own clock and the ISO-8601 timestamps the API speaks.

Times are kept as integer UTC epoch seconds (compact, cheap to compare) and rendered as
`YYYY-MM-DDTHH:MM:SSZ` only when a row is serialized. No wall clock is ever read, so a seed
(and start date) always gives the same data.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

DEFAULT_START = "2026-10-01"
DAY_S = 86_400


def _clock_start_s() -> int:
    """`PLANTSYNC_SANDBOX_START` (an ISO date, UTC midnight) or 2026-10-01.

    Read once, when the sandbox is first imported: the whole generated world hangs off this
    instant. The demo sets it to today so that due dates and plant days look current; tests
    leave it alone, and data stays deterministic for (seed, start).
    """
    value = os.environ.get("PLANTSYNC_SANDBOX_START") or DEFAULT_START
    try:
        start = datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"PLANTSYNC_SANDBOX_START={value!r} is not an ISO date") from None
    return int(start.replace(hour=0, minute=0, second=0, microsecond=0).timestamp())


# The sandbox's "now" when it starts; history lies before it, `advance` moves it forward.
CLOCK_START_S = _clock_start_s()


def iso(epoch_s: int | None) -> str | None:
    """Epoch seconds as an ISO-8601 UTC string with `Z` (None stays None)."""
    if epoch_s is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch_s))


def parse_iso(text: str) -> float | None:
    """Epoch seconds of an ISO-8601 date or timestamp; naive values are UTC. None if not one."""
    if len(text) < 10 or text[4:5] != "-" or text[7:8] != "-":
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()
