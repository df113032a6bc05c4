"""Jobs: the full sync, per-source syncs, the hourly order sync and the webhook refetch.

Each job selects the models it affects plus everything they read that the job can build
(seeds, staging views), but never an ingest step whose source it is not about: a Makini-only
run needs no OEE settings and the other way round.
"""

import dagster as dg

from assets.policies import ingest_retry_policy

RAW_MAKINI = dg.AssetSelection.groups("raw_makini")
RAW_OEE = dg.AssetSelection.groups("raw_oee")
# Every job builds some mart the report pictures, so the report joins every job.
REPORT = dg.AssetSelection.groups("report")
# Tables a webhook can name, and the purchase-order tables of the hourly sync.
REFETCH_TABLES = ("purchase_orders", "purchase_order_lines", "sites", "assets")
ORDER_TABLES = ("purchase_orders", "purchase_order_lines")


def _makini_tables(tables: tuple[str, ...]) -> dg.AssetSelection:
    return dg.AssetSelection.assets(*(["raw_makini", t] for t in tables))


def _with_inputs(selection: dg.AssetSelection, ingest: dg.AssetSelection) -> dg.AssetSelection:
    """`selection` and what it reads, ingesting only the raw tables in `ingest`, plus the
    report, whose inputs are not pulled in: it reads the marts of both sources, and a run of
    one source must not rebuild the other's models."""
    raw = RAW_MAKINI | RAW_OEE
    return ((selection - REPORT).upstream() - (raw - ingest)) | REPORT


def build_jobs() -> list:
    """Every job shares one retry policy built from settings when definitions load."""
    policy = ingest_retry_policy()
    makini_only = RAW_MAKINI.downstream() - RAW_OEE.downstream()
    orders = _makini_tables(ORDER_TABLES)
    refetch = _makini_tables(REFETCH_TABLES)
    jobs = {
        "sync_all_job": (
            dg.AssetSelection.all(),
            "Ingest every source, then build canonical tables and marts.",
        ),
        "makini_sync_job": (
            _with_inputs(makini_only, RAW_MAKINI),
            "Ingest Makini and build the models that need only Makini data.",
        ),
        "makini_orders_job": (
            _with_inputs(orders.downstream() - RAW_OEE.downstream(), orders),
            "Incrementally sync purchase orders and rebuild what depends on them.",
        ),
        "oee_sync_job": (
            _with_inputs(RAW_OEE.downstream(), RAW_OEE),
            "Ingest the OEE database and build the OEE models.",
        ),
        "makini_refetch_job": (
            _with_inputs(refetch.downstream() - RAW_OEE.downstream(), refetch),
            "Refetch the keys named by webhooks and rebuild what depends on them.",
        ),
    }
    return [
        dg.define_asset_job(
            name,
            selection=selection,
            description=description,
            op_retry_policy=policy,
            # Honoured by a daemon with run retries enabled (see dagster.yaml.example).
            tags={"dagster/max_retries": "2", "dagster/retry_strategy": "FROM_FAILURE"},
        )
        for name, (selection, description) in jobs.items()
    ]
