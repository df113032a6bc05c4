"""The OEE ingest: the plant database's tables, by the dlt `sql_database` source."""

# no `from __future__ import annotations`: Dagster inspects the context hints

from collections.abc import Iterator

import dagster as dg

from assets.ingest import (
    fail_unless_models_follow,
    ingest_multi_asset,
    models_follow,
    now,
    permanent_failure,
    retry_if_it_may_heal,
    selected_tables,
    synced_result,
)
from assets.progress import report
from assets.resources import OeeDatabaseResource, WarehouseResource
from connectivity.sync_log import OEE_SCOPE, SyncOutcome, append, last_success
from pipelines.makini.tables import DATASET as MAKINI_DATASET
from pipelines.makini.tables import PIPELINE_NAME as MAKINI_PIPELINE
from pipelines.makini.tables import RAW_TABLES as MAKINI_TABLES
from pipelines.oee.settings import DATASET_NAME, OEE_TABLES, PIPELINE_NAME
from settings import PermanentError
from settings.warehouse import WarehouseSettings

OEE_INGEST = "oee_ingest"


def build_oee_ingest(retry_policy: dg.RetryPolicy, owners: list[str]) -> dg.AssetsDefinition:
    """A fresh multi-asset per call over the plant OEE database."""

    @ingest_multi_asset(
        OEE_INGEST, DATASET_NAME, OEE_TABLES, "the plant OEE database", "sql", owners, retry_policy
    )
    def oee_ingest(
        context: dg.AssetExecutionContext,
        oee_db: OeeDatabaseResource,
        warehouse: WarehouseResource,
    ) -> Iterator:
        """Extract the selected tables of the plant OEE database."""
        tables = selected_tables(context, DATASET_NAME, OEE_TABLES)
        report(context, f"oee: {len(tables)} tables from {oee_db.safe_url()}")
        started_at = now()
        try:
            with warehouse.writing(context, publish_at_end=not models_follow(context)) as writer:
                rows, problem = _extract(writer.warehouse, oee_db.url, tables)
                ensure_makini_tables(writer.warehouse)
                error = None
                if problem is not None:
                    error = f"PLANTSYNC_OEE_DB_URL={oee_db.safe_url()}: {problem.reason}"
                outcome = SyncOutcome(
                    source="oee",
                    scope=OEE_SCOPE,
                    run_id=context.run_id,
                    started_at=started_at,
                    finished_at=now(),
                    succeeded=problem is None,
                    rows_loaded=sum(rows.get(t, 0) for t in tables),
                    retryable=bool(problem and not problem.permanent),
                    error=error,
                )
                with writer.connect() as wh:
                    append(wh, [outcome])
                    last_good = last_success(wh, "oee")
        except PermanentError as exc:
            raise permanent_failure(exc) from exc
        elapsed = (now() - started_at).total_seconds()
        errors = {OEE_SCOPE: error} if error else {}
        retry_if_it_may_heal(context, errors if outcome.retryable else {})
        for table in tables:
            key = dg.AssetKey([DATASET_NAME, table])
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={
                    "rows_loaded": dg.MetadataValue.int(rows.get(table, 0)),
                    "failed": dg.MetadataValue.json(errors),
                    "seconds": round(elapsed, 3),
                },
            )
            yield synced_result(key, errors, last_good)
        failed = f", failed: {error}" if error else ""
        report(context, f"oee: {outcome.rows_loaded:,} rows in {elapsed:.1f}s{failed}")
        fail_unless_models_follow(context, errors)

    return oee_ingest


def _extract(location: WarehouseSettings, url: str, tables: list[str]):
    """Rows loaded per table, and what went wrong reading the plant database (or None)."""
    from pipelines.destinations import failed_writing, warehouse_pipeline
    from pipelines.oee.errors import describe
    from pipelines.oee.pipeline import run_oee

    with warehouse_pipeline(PIPELINE_NAME, DATASET_NAME, location) as pipeline:
        try:
            run_oee(url, pipeline, tables=tables)
        except Exception as exc:
            if failed_writing(exc):
                raise  # the warehouse's problem, not the plant database's
            return {}, describe(exc)
        return dict(pipeline.last_trace.last_normalize_info.row_counts), None


def ensure_makini_tables(location: WarehouseSettings) -> None:
    """Create the raw Makini tables, empty, where Makini was never synced: OEE models read
    Makini asset downtime, and an OEE-only plant must still build them."""
    from pipelines.destinations import warehouse_pipeline
    from pipelines.makini.pipeline import sync
    from warehouse.connections import connect_settings

    with connect_settings(location) as wh:
        if all(wh.table_exists(f"{MAKINI_DATASET}.{table}") for table in MAKINI_TABLES):
            return
    with warehouse_pipeline(MAKINI_PIPELINE, MAKINI_DATASET, location) as pipeline:
        sync(pipeline, "", [])
