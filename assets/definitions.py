"""The Dagster code location: every asset, check, job, sensor and schedule, and the resources
of the destination chosen by `PLANTSYNC_DESTINATION`. Loads with no secrets set."""

from __future__ import annotations

import dagster as dg

from assets.ingest import build_makini_ingest
from assets.jobs import build_jobs
from assets.resources import build_resources


def build_definitions() -> dg.Definitions:
    """Fresh definitions (assets are built per call: tests and the CLI each get their own)."""
    return dg.Definitions(
        assets=[build_makini_ingest()],
        jobs=build_jobs(),
        resources=build_resources(),
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
