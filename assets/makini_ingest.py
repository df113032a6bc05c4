"""The Makini ingest: raw tables of every connection (or those a run names), by the dlt source.

Runs name connections in their config, not as Dagster partitions: a partitioned asset makes
every job that contains it ask for partitions in the UI, and the full sync must be one click.
Scheduled, catch-up and refetch runs each name one connection and carry it as a run tag.
"""

# no `from __future__ import annotations`: Dagster inspects the context and config hints

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import dagster as dg

from assets.connection_loads import sync_each_connection
from assets.ingest import (
    fail_unless_models_follow,
    ingest_multi_asset,
    iso,
    models_follow,
    now,
    permanent_failure,
    retry_if_it_may_heal,
    selected_tables,
    synced_result,
)
from assets.progress import report
from assets.resources import MakiniResource, WarehouseResource
from connectivity.history import latest, record
from connectivity.status import extraction_observations, still_down
from connectivity.sync_log import SyncOutcome, append, last_success
from pipelines.makini.tables import DATASET, PIPELINE_NAME, RAW_TABLES
from settings import Connection, PermanentError

if TYPE_CHECKING:
    from pipelines.makini.source import ExtractionReport

MAKINI_INGEST = "makini_ingest"
# Webhook entities (`<entity>.updated`) and the raw tables refetched for them.
WEBHOOK_ENTITY_TABLES = {
    "purchase-orders": "purchase_orders",
    "sites": "sites",
    "assets": "assets",
}


class MakiniIngestConfig(dg.Config):
    """Which connections to sync (none listed: every configured one) and, for webhook
    refetches, the record keys per raw table (none: a normal incremental sync)."""

    connections: list[str] = []
    keys: dict[str, list[str]] = {}


def makini_run_config(connections: Sequence[str] = (), keys: dict | None = None) -> dict:
    """Run config of a Makini job limited to `connections` (and `keys`, for refetches)."""
    config = {"connections": sorted(connections), "keys": keys or {}}
    return {"ops": {MAKINI_INGEST: {"config": config}}}


def refetch_run_config(connection_id: str, keys_by_entity: dict[str, Sequence[str]]) -> dict:
    """Run config of `makini_refetch_job` refetching just these keys of one connection."""
    keys = {}
    for entity, entity_keys in keys_by_entity.items():
        if entity not in WEBHOOK_ENTITY_TABLES:
            known = sorted(WEBHOOK_ENTITY_TABLES)
            raise ValueError(f"webhook entity {entity!r} has no raw table; known: {known}")
        keys[WEBHOOK_ENTITY_TABLES[entity]] = sorted(set(entity_keys))
    return makini_run_config([connection_id], keys)


def build_makini_ingest(retry_policy: dg.RetryPolicy, owners: list[str]) -> dg.AssetsDefinition:
    """A fresh multi-asset per call (definitions and tests each build their own)."""

    @ingest_multi_asset(
        MAKINI_INGEST,
        DATASET,
        RAW_TABLES,
        "every Makini connection",
        "python",
        owners,
        retry_policy,
    )
    def makini_ingest(
        context: dg.AssetExecutionContext,
        config: MakiniIngestConfig,
        makini: MakiniResource,
        warehouse: WarehouseResource,
    ) -> Iterator:
        """Extract the selected Makini tables of the selected connections."""
        tables = selected_tables(context, DATASET, RAW_TABLES)
        connections = _selected_connections(makini, config.connections)
        started_at = now()
        try:
            with warehouse.writing(context, publish_at_end=not models_follow(context)) as writer:
                with writer.connect() as wh:
                    recorded = latest(wh)
                # A connection known to be down before this run began fails fast instead of
                # burning retries, unless a quick probe finds it back (a catch-up run may start
                # before its recovery is recorded). This run's own attempts do not count.
                known_down = {}
                if not config.keys:
                    known_down = still_down(
                        makini.base_url, connections, recorded, _run_started(context)
                    )
                syncing = [c for c in connections if c.id not in known_down]
                report(context, f"makini: {len(tables)} tables from {len(syncing)} connection(s)")
                if writer.warehouse.destination == "postgres":  # loads of concurrent runs
                    extraction = sync_each_connection(
                        writer.warehouse,
                        makini,
                        syncing,
                        tables,
                        config.keys,
                        warehouse.writer_wait_s,
                        lambda message: report(context, message),
                    )
                else:
                    extraction = _extract(writer.warehouse, makini, syncing, tables, config.keys)
                errors = {**known_down, **{k: str(e) for k, e in extraction.failures.items()}}
                retryable = {k for k, e in extraction.failures.items() if e.retryable}
                with writer.connect() as wh:
                    record(
                        wh, extraction_observations([c.id for c in syncing], extraction.failures)
                    )
                    append(
                        wh,
                        _outcomes(
                            context.run_id, started_at, connections, extraction, errors, retryable
                        ),
                    )
                    last_good = last_success(wh, "makini")
        except PermanentError as exc:
            raise permanent_failure(exc) from exc
        elapsed = (now() - started_at).total_seconds()
        report(context, _summary_line(extraction, elapsed))
        retry_if_it_may_heal(context, {k: errors[k] for k in retryable})
        for table in tables:
            key = dg.AssetKey([DATASET, table])
            yield dg.MaterializeResult(
                asset_key=key,
                metadata=_table_metadata(
                    table, extraction, connections, errors, last_good, elapsed
                ),
            )
            yield synced_result(key, errors, last_good)
        fail_unless_models_follow(context, errors)

    return makini_ingest


def _extract(
    location, makini: MakiniResource, connections: list[Connection], tables, keys
) -> "ExtractionReport":
    """Load what every healthy connection has; failures are in the report."""
    from pipelines.destinations import warehouse_pipeline
    from pipelines.makini.pipeline import ConnectionsFailed, sync

    with warehouse_pipeline(PIPELINE_NAME, DATASET, location) as pipeline:
        try:
            _, extraction = sync(
                pipeline,
                makini.base_url,
                connections,
                tables=tables,
                keys=keys or None,
                lookback_s=makini.lookback_s,
                per_page=makini.per_page,
                retry=makini.retry(),
            )
        except ConnectionsFailed as exc:
            extraction = exc.report
    return extraction


def _run_started(context: dg.AssetExecutionContext) -> datetime:
    """When this run was created (naive UTC): statuses recorded before it are old news."""
    created = context.instance.get_run_record_by_id(context.run_id).create_timestamp
    return created.astimezone(UTC).replace(tzinfo=None)


def _selected_connections(makini: MakiniResource, ids: Sequence[str]) -> list[Connection]:
    try:
        known = {c.id: c for c in makini.parsed_connections()}
    except PermanentError as exc:
        raise permanent_failure(exc) from exc
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise dg.Failure(
            f"connection(s) {unknown} are not in MAKINI_CONNECTIONS (configured: {sorted(known)})",
            allow_retries=False,
        )
    return [known[i] for i in ids] if ids else list(known.values())


def _outcomes(
    run_id: str,
    started_at: datetime,
    connections: list[Connection],
    extraction: "ExtractionReport",
    errors: dict[str, str],
    retryable: set[str],
) -> list[SyncOutcome]:
    finished_at = now()
    return [
        SyncOutcome(
            source="makini",
            scope=c.id,
            run_id=run_id,
            started_at=started_at,
            finished_at=finished_at,
            succeeded=c.id not in errors,
            rows_loaded=sum(
                n for (conn, _), n in extraction.rows_by_connection.items() if conn == c.id
            ),
            retryable=c.id in retryable,
            error=errors.get(c.id),
        )
        for c in connections
    ]


def _table_metadata(
    table: str,
    extraction: "ExtractionReport",
    connections: list[Connection],
    errors: dict[str, str],
    last_good: dict[str, datetime],
    elapsed: float,
) -> dict:
    per_connection = {c.id: extraction.rows_by_connection[(c.id, table)] for c in connections}
    return {
        "rows_loaded": dg.MetadataValue.int(extraction.rows[table]),
        "rows_by_connection": dg.MetadataValue.json(per_connection),
        "failed_connections": dg.MetadataValue.json(sorted(errors)),
        "last_good_sync": dg.MetadataValue.json(
            {conn: iso(last_good.get(conn)) for conn in sorted(errors)}
        ),
        "new_fields": dg.MetadataValue.json(sorted(extraction.unknown_fields.get(table, ()))),
        "seconds": round(elapsed, 3),
    }


def _summary_line(extraction: "ExtractionReport", elapsed: float) -> str:
    rows = sum(extraction.rows.values())
    line = f"makini: {rows:,} rows in {elapsed:.1f}s"
    if extraction.retries:
        line += f", {len(extraction.retries)} retried request(s)"
    if extraction.failures:
        line += f", failed: {', '.join(sorted(extraction.failures))}"
    for table, fields in sorted(extraction.unknown_fields.items()):
        line += f", new fields on {table}: {', '.join(sorted(fields))}"
    return line
