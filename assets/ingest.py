"""Ingest assets: one Dagster asset per raw table, filled by the dlt pipelines."""

import time
from collections.abc import Sequence

import dagster as dg

from assets.progress import report
from assets.resources import MakiniResource, WarehouseResource
from pipelines.makini.errors import AuthError
from pipelines.makini.pipeline import DATASET, PIPELINE_NAME, ConnectionsFailed, sync
from pipelines.makini.source import RAW_TABLES, ExtractionReport

MAKINI_INGEST = "makini_ingest"
WAREHOUSE_POOL = "warehouse_writer"
# Webhook entities (`<entity>.updated`) and the raw tables refetched for them.
WEBHOOK_ENTITY_TABLES = {
    "purchase-orders": "purchase_orders",
    "sites": "sites",
    "assets": "assets",
}


class MakiniIngestConfig(dg.Config):
    """Run-time choices: which connections, and (for webhook refetches) which keys."""

    connection_ids: list[str] = []
    keys: dict[str, list[str]] = {}


def makini_table_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw_makini", table])


def build_makini_ingest() -> dg.AssetsDefinition:
    """A fresh multi-asset per call (definitions and tests each build their own)."""
    specs = [
        dg.AssetSpec(
            makini_table_key(table),
            description=f"Raw `{table}` of every Makini connection, merged on its key.",
            kinds={"dlt", "python"},
            group_name="raw_makini",
            skippable=True,
        )
        for table in RAW_TABLES
    ]

    @dg.multi_asset(specs=specs, name=MAKINI_INGEST, can_subset=True, pool=WAREHOUSE_POOL)
    def makini_ingest(
        context: dg.AssetExecutionContext,
        config: MakiniIngestConfig,
        makini: MakiniResource,
        warehouse: WarehouseResource,
    ):
        """Extract the selected Makini tables for every configured connection."""
        tables = [key.path[-1] for key in context.selected_asset_keys]
        connections = _selected_connections(makini, config.connection_ids)
        report(context, f"makini: {len(tables)} tables from {len(connections)} connection(s)")
        started = time.monotonic()
        failure: ConnectionsFailed | None = None
        try:
            _, extraction = sync(
                warehouse.dlt_pipeline(PIPELINE_NAME, DATASET),
                makini.base_url,
                connections,
                tables=tables,
                keys=config.keys or None,
                lookback_s=makini.lookback_s,
                per_page=makini.per_page,
                retry=makini.retry(),
            )
        except ConnectionsFailed as exc:
            failure, extraction = exc, exc.report
        elapsed = time.monotonic() - started
        for table in tables:
            yield dg.MaterializeResult(
                asset_key=makini_table_key(table),
                metadata=_table_metadata(table, extraction, connections, elapsed),
            )
        report(context, _summary_line(extraction, elapsed))
        if failure is not None:
            raise dg.Failure(
                description=str(failure),
                metadata={"failed_connections": sorted(failure.report.failures)},
                # A rejected token does not heal by retrying; outages and bad pages might.
                allow_retries=not all(
                    isinstance(e, AuthError) for e in failure.report.failures.values()
                ),
            )

    return makini_ingest


def _selected_connections(makini: MakiniResource, ids: Sequence[str]):
    connections = makini.parsed_connections()
    if not ids:
        return connections
    known = {c.id: c for c in connections}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise dg.Failure(f"unknown connection id(s) {unknown}; configured: {sorted(known)}")
    return [known[i] for i in ids]


def _table_metadata(table, extraction: ExtractionReport, connections, elapsed: float) -> dict:
    per_connection = {c.id: extraction.rows_by_connection[(c.id, table)] for c in connections}
    return {
        "rows_loaded": dg.MetadataValue.int(extraction.rows[table]),
        "rows_by_connection": dg.MetadataValue.json(per_connection),
        "failed_connections": dg.MetadataValue.json(sorted(extraction.failures)),
        "dagster/table_name": f"raw_makini.{table}",
        "seconds": round(elapsed, 3),
    }


def _summary_line(extraction: ExtractionReport, elapsed: float) -> str:
    rows = sum(extraction.rows.values())
    line = f"makini: {rows:,} rows in {elapsed:.1f}s"
    if extraction.retries:
        line += f", {len(extraction.retries)} retried request(s)"
    if extraction.failures:
        line += f", failed: {', '.join(sorted(extraction.failures))}"
    return line


def refetch_run_config(connection_id: str, keys_by_entity: dict[str, Sequence[str]]) -> dict:
    """Run config of `makini_refetch_job` that refetches just these keys of one connection."""
    keys = {}
    for entity, entity_keys in keys_by_entity.items():
        if entity not in WEBHOOK_ENTITY_TABLES:
            known = sorted(WEBHOOK_ENTITY_TABLES)
            raise ValueError(f"webhook entity {entity!r} has no raw table; known: {known}")
        keys[WEBHOOK_ENTITY_TABLES[entity]] = sorted(set(entity_keys))
    return {"ops": {MAKINI_INGEST: {"config": {"connection_ids": [connection_id], "keys": keys}}}}
