"""Ingest assets: one Dagster asset per raw table, filled by the dlt pipelines."""

import time
from collections.abc import Sequence

import dagster as dg

from assets.connectivity import record_extraction_outcomes, still_down
from assets.partitions import MAKINI_CONNECTION_PARTITIONS
from assets.progress import report
from assets.resources import MakiniResource, OeeDatabaseResource, WarehouseResource
from pipelines.makini.errors import AuthError
from pipelines.makini.pipeline import DATASET, PIPELINE_NAME, ConnectionsFailed, sync
from pipelines.makini.source import RAW_TABLES, ExtractionReport
from pipelines.oee.pipeline import run_oee
from pipelines.oee.settings import DATASET_NAME as OEE_DATASET
from pipelines.oee.settings import OEE_TABLES
from pipelines.oee.settings import PIPELINE_NAME as OEE_PIPELINE_NAME

MAKINI_INGEST = "makini_ingest"
WAREHOUSE_POOL = "warehouse_writer"
# Webhook entities (`<entity>.updated`) and the raw tables refetched for them.
WEBHOOK_ENTITY_TABLES = {
    "purchase-orders": "purchase_orders",
    "sites": "sites",
    "assets": "assets",
}


class MakiniIngestConfig(dg.Config):
    """Webhook refetches: raw table -> the record keys to fetch (empty: a normal sync)."""

    keys: dict[str, list[str]] = {}


def makini_table_key(table: str) -> dg.AssetKey:
    return dg.AssetKey([DATASET, table])


def oee_table_key(table: str) -> dg.AssetKey:
    return dg.AssetKey([OEE_DATASET, table])


def _raw_specs(dataset: str, tables, origin: str, kind: str) -> list[dg.AssetSpec]:
    """One asset per raw table; keys, groups and schemas are the warehouse's names."""
    return [
        dg.AssetSpec(
            dg.AssetKey([dataset, table]),
            description=f"Raw `{table}` of {origin}, merged on its key.",
            kinds={"dlt", kind},
            group_name=dataset,
            skippable=True,
        )
        for table in tables
    ]


def build_makini_ingest() -> dg.AssetsDefinition:
    """A fresh multi-asset per call (definitions and tests each build their own)."""
    specs = _raw_specs(DATASET, RAW_TABLES, "every Makini connection", "python")

    @dg.multi_asset(
        specs=specs,
        name=MAKINI_INGEST,
        can_subset=True,
        pool=WAREHOUSE_POOL,
        # One partition per connection; a run may cover a range of them (all, for a full sync).
        partitions_def=MAKINI_CONNECTION_PARTITIONS,
        backfill_policy=dg.BackfillPolicy.single_run(),
    )
    def makini_ingest(
        context: dg.AssetExecutionContext,
        config: MakiniIngestConfig,
        makini: MakiniResource,
        warehouse: WarehouseResource,
    ):
        """Extract the selected Makini tables for the connections of the run's partitions."""
        tables = [key.path[-1] for key in context.selected_asset_keys]
        connections = _selected_connections(makini, context.partition_keys)
        # A connection known to be down before this run began fails fast instead of burning
        # retries, unless a quick probe finds it back (a catch-up run may start before its
        # recovery is recorded). Failures of this run's own earlier attempts do not count.
        run_started = context.instance.get_run_record_by_id(context.run_id).create_timestamp
        known_down = {} if config.keys else still_down(makini, warehouse, connections, run_started)
        connections = [c for c in connections if c.id not in known_down]
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
        record_extraction_outcomes(warehouse, connections, extraction)
        for table in tables:
            yield dg.MaterializeResult(
                asset_key=makini_table_key(table),
                metadata=_table_metadata(table, extraction, connections, elapsed),
            )
        report(context, _summary_line(extraction, elapsed))
        problems = list(known_down.values()) + [str(e) for e in extraction.failures.values()]
        if problems:
            # Rejected tokens and known outages do not heal by retrying now.
            retryable = failure is not None and not all(
                isinstance(e, AuthError) for e in extraction.failures.values()
            )
            raise dg.Failure(
                description="; ".join(problems),
                metadata={
                    "failed_connections": sorted([*known_down, *extraction.failures]),
                    "retryable": retryable,
                },
                allow_retries=retryable,
            )

    return makini_ingest


def build_oee_ingest() -> dg.AssetsDefinition:
    """A fresh multi-asset per call over the plant OEE database."""
    specs = _raw_specs(OEE_DATASET, OEE_TABLES, "the plant OEE database", "sql")

    @dg.multi_asset(specs=specs, name="oee_ingest", can_subset=True, pool=WAREHOUSE_POOL)
    def oee_ingest(
        context: dg.AssetExecutionContext,
        oee_db: OeeDatabaseResource,
        warehouse: WarehouseResource,
    ):
        """Extract the selected tables of the plant OEE database."""
        tables = [key.path[-1] for key in context.selected_asset_keys]
        report(context, f"oee: {len(tables)} tables from {oee_db.safe_url()}")
        started = time.monotonic()
        pipeline = warehouse.dlt_pipeline(OEE_PIPELINE_NAME, OEE_DATASET)
        run_oee(oee_db.url, pipeline, tables=tables)
        rows = pipeline.last_trace.last_normalize_info.row_counts
        elapsed = time.monotonic() - started
        for table in tables:
            yield dg.MaterializeResult(
                asset_key=oee_table_key(table),
                metadata={
                    "rows_loaded": dg.MetadataValue.int(rows.get(table, 0)),
                    "dagster/table_name": f"{OEE_DATASET}.{table}",
                    "seconds": round(elapsed, 3),
                },
            )
        total = sum(rows.get(t, 0) for t in tables)
        report(context, f"oee: {total:,} rows in {elapsed:.1f}s")
        ensure_makini_tables(warehouse)

    return oee_ingest


def ensure_makini_tables(warehouse: WarehouseResource) -> None:
    """Create the raw Makini tables, empty, where Makini was never synced: OEE models read
    Makini asset downtime, and an OEE-only plant must still build them."""
    with warehouse.connect() as wh:
        if all(wh.table_exists(f"{DATASET}.{table}") for table in RAW_TABLES):
            return
    sync(warehouse.dlt_pipeline(PIPELINE_NAME, DATASET), "", [])


def _selected_connections(makini: MakiniResource, ids: Sequence[str]):
    known = {c.id: c for c in makini.parsed_connections()}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise dg.Failure(
            f"partition(s) {unknown} name no connection in MAKINI_CONNECTIONS "
            f"(configured: {sorted(known)})",
            allow_retries=False,
        )
    return [known[i] for i in ids]


def _table_metadata(table, extraction: ExtractionReport, connections, elapsed: float) -> dict:
    per_connection = {c.id: extraction.rows_by_connection[(c.id, table)] for c in connections}
    return {
        "rows_loaded": dg.MetadataValue.int(extraction.rows[table]),
        "rows_by_connection": dg.MetadataValue.json(per_connection),
        "failed_connections": dg.MetadataValue.json(sorted(extraction.failures)),
        "new_fields": dg.MetadataValue.json(sorted(extraction.unknown_fields.get(table, ()))),
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
    for table, fields in sorted(extraction.unknown_fields.items()):
        line += f", new fields on {table}: {', '.join(sorted(fields))}"
    return line


def refetch_run_config(keys_by_entity: dict[str, Sequence[str]]) -> dict:
    """Run config of `makini_refetch_job` that refetches just these keys (of the connection
    that is the run's partition)."""
    keys = {}
    for entity, entity_keys in keys_by_entity.items():
        if entity not in WEBHOOK_ENTITY_TABLES:
            known = sorted(WEBHOOK_ENTITY_TABLES)
            raise ValueError(f"webhook entity {entity!r} has no raw table; known: {known}")
        keys[WEBHOOK_ENTITY_TABLES[entity]] = sorted(set(entity_keys))
    return {"ops": {MAKINI_INGEST: {"config": {"keys": keys}}}}
