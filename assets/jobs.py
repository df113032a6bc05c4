"""Jobs: the full sync, per-source syncs, the order sync, the webhook refetch, and the pair
that scheduled syncs use: an ingest-only run per connection, then one models run after them.

Each job selects the models it affects plus everything they read that the job can build
(seeds, staging views), but never an ingest step whose source it is not about: a Makini-only
run needs no OEE settings and the other way round. None is partitioned: a Makini job syncs
every configured connection unless its run config names some (schedules, catch-ups and
refetches name one, and tag the run with it).

Scheduled per-connection runs load raw tables only (`makini_connection_job`); the
`rebuild_after_ingest` sensor then starts one `models_job` run once no ingest run is queued or
in progress, so a batch of many connections is followed by one rebuild, never by one each.
Every job that builds models carries `BUILDS_MODELS_TAG`: an instance limits such runs to one at
a time (deploy/celery/dagster.yaml), since two model builds swapping the same tables would collide.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import dagster as dg

if TYPE_CHECKING:  # what `define_asset_job` returns; Dagster does not export the name
    from dagster._core.definitions.unresolved_asset_job_definition import (
        UnresolvedAssetJobDefinition as AssetJob,
    )

RAW_MAKINI = dg.AssetSelection.groups("raw_makini")
RAW_OEE = dg.AssetSelection.groups("raw_oee")
# Every job builds some mart the report pictures, so the report joins every job.
REPORT = dg.AssetSelection.groups("report")
# Tables a webhook can name, and the purchase-order tables of the hourly sync.
REFETCH_TABLES = ("purchase_orders", "purchase_order_lines", "sites", "assets")
ORDER_TABLES = ("purchase_orders", "purchase_order_lines")
# Whole failed runs are retried by a daemon with run retries enabled (see deploy/), from
# the failed step; retries of steps that can heal are the steps' own retry policies.
RUN_RETRY_TAGS = {"dagster/max_retries": "2", "dagster/retry_strategy": "FROM_FAILURE"}
# On every run that builds models; the run queue allows one such run at a time (deploy/).
BUILDS_MODELS_TAG = "plantsync/builds_models"


def _makini_tables(tables: tuple[str, ...]) -> dg.AssetSelection:
    return dg.AssetSelection.assets(*(["raw_makini", t] for t in tables))


def _with_inputs(selection: dg.AssetSelection, ingest: dg.AssetSelection) -> dg.AssetSelection:
    """`selection` and what it reads, ingesting only the raw tables in `ingest`, plus the
    report, whose inputs are not pulled in: it reads the marts of both sources, and a run of
    one source must not rebuild the other's models."""
    raw = RAW_MAKINI | RAW_OEE
    return ((selection - REPORT).upstream() - (raw - ingest)) | REPORT


def _job(name: str, selection: dg.AssetSelection, description: str, *, models: bool = True):
    tags = {**RUN_RETRY_TAGS, BUILDS_MODELS_TAG: "true"} if models else RUN_RETRY_TAGS
    return dg.define_asset_job(name, selection=selection, description=description, tags=tags)


@dataclass(frozen=True)
class Jobs:
    """Every asset job of the code location; schedules and sensors take them from here."""

    sync_all: AssetJob
    makini_sync: AssetJob
    makini_orders: AssetJob
    oee_sync: AssetJob
    makini_refetch: AssetJob
    makini_connection: AssetJob
    models: AssetJob

    def __iter__(self):
        return (getattr(self, f.name) for f in fields(self))


def build_jobs() -> Jobs:
    makini_only = RAW_MAKINI.downstream() - RAW_OEE.downstream()
    orders = _makini_tables(ORDER_TABLES)
    refetch = _makini_tables(REFETCH_TABLES)
    return Jobs(
        sync_all=_job(
            "sync_all_job",
            dg.AssetSelection.all(),
            "The full sync: every Makini connection and the plant database, then every "
            "canonical table, mart and check. Launch this one to sync everything.",
        ),
        makini_sync=_job(
            "makini_sync_job",
            _with_inputs(makini_only, RAW_MAKINI),
            "Ingest Makini (every connection, or those named in the run config) and build the "
            "models that need only Makini data.",
        ),
        makini_orders=_job(
            "makini_orders_job",
            _with_inputs(orders.downstream() - RAW_OEE.downstream(), orders),
            "Incrementally sync purchase orders and rebuild what depends on them.",
        ),
        oee_sync=_job(
            "oee_sync_job",
            _with_inputs(RAW_OEE.downstream(), RAW_OEE),
            "Ingest the OEE database and build the OEE models.",
        ),
        makini_refetch=_job(
            "makini_refetch_job",
            _with_inputs(refetch.downstream() - RAW_OEE.downstream(), refetch),
            "Refetch the keys named by webhooks and rebuild what depends on them.",
        ),
        makini_connection=_job(
            "makini_connection_job",
            RAW_MAKINI,
            "Load the raw Makini tables of the connections named in the run config, nothing "
            "else: scheduled per-connection syncs. The rebuild_after_ingest sensor builds the "
            "models once, after the batch.",
            models=False,
        ),
        models=_job(
            "models_job",
            dg.AssetSelection.all() - RAW_MAKINI - RAW_OEE,
            "Build every canonical table and mart, run their checks and write the report, from "
            "the raw tables as they are: the rebuild after a batch of ingest runs.",
        ),
    )
