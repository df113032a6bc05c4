"""Jobs: the full sync, per-source syncs and the webhook refetch."""

from __future__ import annotations

import dagster as dg

from assets.policies import ingest_retry_policy

RAW_MAKINI = dg.AssetSelection.groups("raw_makini")
RAW_OEE = dg.AssetSelection.groups("raw_oee")
# Tables a webhook can name, and everything built from them.
REFETCH_TABLES = ("purchase_orders", "purchase_order_lines", "sites", "assets")
ORDER_TABLES = ("purchase_orders", "purchase_order_lines")


def build_jobs() -> list[dg.UnresolvedAssetJobDefinition]:
    """Every job shares one retry policy built from settings when definitions load."""
    policy = ingest_retry_policy()
    refetch = dg.AssetSelection.assets(*(["raw_makini", t] for t in REFETCH_TABLES))
    orders = dg.AssetSelection.assets(*(["raw_makini", t] for t in ORDER_TABLES))
    return [
        dg.define_asset_job(
            "sync_all_job",
            selection=dg.AssetSelection.all(),
            description="Ingest every source, then build canonical tables and marts.",
            op_retry_policy=policy,
        ),
        dg.define_asset_job(
            "makini_sync_job",
            # Models that also need the OEE database wait for a run that has it.
            selection=RAW_MAKINI.downstream() - RAW_OEE.downstream(),
            description="Ingest Makini and build the models that depend on it alone.",
            op_retry_policy=policy,
        ),
        dg.define_asset_job(
            "makini_orders_job",
            selection=orders.downstream() - RAW_OEE.downstream(),
            description="Incrementally sync purchase orders and rebuild what depends on them.",
            op_retry_policy=policy,
        ),
        dg.define_asset_job(
            "oee_sync_job",
            selection=RAW_OEE.downstream(),
            description="Ingest the OEE database and build the OEE models.",
            op_retry_policy=policy,
        ),
        dg.define_asset_job(
            "makini_refetch_job",
            selection=refetch.downstream() - RAW_OEE.downstream(),
            description="Refetch the keys named by webhooks and rebuild what depends on them.",
            op_retry_policy=policy,
        ),
    ]
