"""EAM side of a connection: assets and their downtime events.

Downtime is realistic on purpose: lognormal durations (minutes to days), some events of one
asset overlapping, and a few still open (`endedAt` null) at the clock's current time.
"""

from __future__ import annotations

import random
from typing import Any

from sandbox.makini.catalog import ASSETS, DOWNTIME_CAUSES
from sandbox.makini.clock import CLOCK_START_S, DAY_S, iso
from sandbox.makini.keys import KeyMaker
from sandbox.makini.reference import HISTORY_START_S, Reference

Row = dict[str, Any]
SEVERITIES = ("Low", "Medium", "High", "Critical")


def build_assets(rng: random.Random, keys: KeyMaker, ref: Reference, count: int = 20) -> list[Row]:
    """About `count` assets spread over the connection's sites; a few are children of others."""
    assets: list[Row] = []
    for i in range(count):
        name, category, make, model = ASSETS[i % len(ASSETS)]
        site = ref.sites[i % len(ref.sites)]
        created = HISTORY_START_S - rng.randrange(100, 2000) * DAY_S
        decommissioned = i == count - 1  # one asset was taken out of service
        deactivated = CLOCK_START_S - rng.randrange(10, 60) * DAY_S if decommissioned else None
        parent = assets[i - 1]["key"] if i % 5 == 4 else None
        assets.append(
            {
                "key": keys.new("asset"),
                "siteKey": site["key"],
                "parentKey": parent,
                "vendorKey": rng.choice(ref.vendors)["key"],
                "teamKey": keys.key("team", i % 3),
                "documents": [],
                "locationKey": None,
                "customerKey": None,
                "accountKeys": None,
                "name": name if i < len(ASSETS) else f"{name} ({i // len(ASSETS) + 1})",
                "description": f"{category} – {make} {model}",
                "makeCompanyKey": None,
                "assetTemplateKey": None,
                "isPhysical": True,
                "notes": None,
                "categoryName": category,
                "criticality": rng.choice(("A", "B", "C")),
                "isActive": not decommissioned,
                "makeName": make,
                "modelName": model,
                "serialNumber": f"SN-{rng.randrange(10**7):07d}",
                "activatedAt": iso(created),
                "deactivatedAt": iso(deactivated),
                "createdAt": iso(created),
                "updatedAt": iso(deactivated or created),
                "deletedAt": None,
            }
        )
    return assets


def downtime_event(
    rng: random.Random, keys: KeyMaker, asset_key: str, started_s: int, now_s: int
) -> Row:
    """One downtime event of an asset starting at `started_s`; open if it would end after now."""
    description, category = rng.choice(DOWNTIME_CAUSES)
    # Lognormal around 40 minutes; the tail reaches days (waiting for spare parts).
    duration_s = int(min(rng.lognormvariate(7.8, 1.4), 10 * DAY_S)) + 60
    ended_s = started_s + duration_s
    is_open = ended_s > now_s
    return {
        "key": keys.new("downtime"),
        "assetKey": asset_key,
        "description": description,
        "startedAt": iso(started_s),
        "endedAt": None if is_open else iso(ended_s),
        "categoryName": category,
        "severity": rng.choice(SEVERITIES),
        "notes": None,
        "createdAt": iso(started_s),
        "updatedAt": iso(started_s if is_open else ended_s),
    }


def build_downtime(rng: random.Random, keys: KeyMaker, assets: list[Row]) -> list[Row]:
    """About eight events per active asset over the last 180 days, ordered by start."""
    events: list[Row] = []
    window_start = CLOCK_START_S - 180 * DAY_S
    for asset in assets:
        if not asset["isActive"]:
            continue
        starts = sorted(rng.randrange(window_start, CLOCK_START_S) for _ in range(8))
        for started in starts:
            events.append(downtime_event(rng, keys, asset["key"], started, CLOCK_START_S))
            if rng.random() < 0.1:  # a second report of an overlapping stop
                overlap = started + rng.randrange(60, 1800)
                events.append(downtime_event(rng, keys, asset["key"], overlap, CLOCK_START_S))
    events.sort(key=lambda e: e["startedAt"])
    return events
