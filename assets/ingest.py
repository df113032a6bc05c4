"""What every ingest step shares: one asset per raw table, a `synced` check on each, and the
rules for failing.

One failing part never stales the rest. A source or Makini connection that fails is recorded in
`canonical.sync_log` (and the status history), its raw rows stay as of its last good sync, the
`synced` check of each table it feeds fails naming it, and the step still reports its tables:
the models build from what did load, and the model step fails the run at its end, naming what
failed. A failure that may heal (an outage) is first retried by the step's retry policy; one that
cannot (a rejected token, a missing database) is not. A warehouse that can never work fails the
step at once.
"""

# no `from __future__ import annotations`: Dagster inspects the context hints

from collections.abc import Sequence
from datetime import UTC, datetime

import dagster as dg

from assets.resources import WAREHOUSE_WRITER_POOL

SYNCED_CHECK = "synced"
# The step that builds the models; an ingest step followed by it in the same run leaves
# publishing the DuckDB file to it, so analysts see whole runs.
MODELS_STEP = "models"


def ingest_multi_asset(
    name: str,
    dataset: str,
    tables: Sequence[str],
    origin: str,
    kind: str,
    owners: list[str],
    retry_policy: dg.RetryPolicy,
):
    """The decorator of an ingest step: an asset and a `synced` check per raw table of
    `dataset`, subsettable, in the warehouse writer pool, retried by `retry_policy`."""

    specs = raw_specs(dataset, tables, origin, kind, owners)
    return dg.multi_asset(
        specs=specs,
        check_specs=synced_checks(specs, origin),
        name=name,
        can_subset=True,
        pool=WAREHOUSE_WRITER_POOL,
        retry_policy=retry_policy,
    )


def selected_tables(
    context: dg.AssetExecutionContext, dataset: str, tables: Sequence[str]
) -> list[str]:
    """The raw tables this run selected, in their load order."""
    return [t for t in tables if dg.AssetKey([dataset, t]) in context.selected_asset_keys]


def raw_specs(
    dataset: str, tables: Sequence[str], origin: str, kind: str, owners: list[str]
) -> list[dg.AssetSpec]:
    """One asset per raw table; keys, groups and schemas are the warehouse's names."""
    return [
        dg.AssetSpec(
            dg.AssetKey([dataset, table]),
            description=f"Raw `{table}` of {origin}, merged on its key.",
            kinds={"dlt", kind},
            group_name=dataset,
            owners=owners,
            metadata={"dagster/table_name": f"{dataset}.{table}"},
            skippable=True,
        )
        for table in tables
    ]


def synced_checks(specs: list[dg.AssetSpec], what: str) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            SYNCED_CHECK,
            asset=spec.key,
            description=f"This run loaded the table from {what}; fails naming what did not.",
        )
        for spec in specs
    ]


def synced_result(
    key: dg.AssetKey, errors: dict[str, str], last_good: dict[str, datetime]
) -> dg.AssetCheckResult:
    """`errors`: what failed (connection or source -> why); `last_good`: when each last
    synced, so the check says since when its rows are stale."""
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=SYNCED_CHECK,
        passed=not errors,
        metadata={
            "failed": dg.MetadataValue.json(errors),
            "last_good_sync": dg.MetadataValue.json(
                {scope: iso(last_good.get(scope)) for scope in sorted(errors)}
            ),
        },
    )


def retries_left(context: dg.AssetExecutionContext) -> int:
    policy = context.get_step_execution_context().op_retry_policy
    return max(0, policy.max_retries - context.retry_number) if policy else 0


def models_follow(context: dg.AssetExecutionContext) -> bool:
    """Whether this run builds models after this step (which then publishes)."""
    plan = context.get_step_execution_context().execution_plan
    return MODELS_STEP in plan.step_keys_to_execute


def retry_if_it_may_heal(context: dg.AssetExecutionContext, errors: dict[str, str]) -> None:
    """Hand failures that may heal (an outage) to the step's retry policy while it has retries
    left; what loaded stays loaded, and the next attempt is incremental."""
    if errors and retries_left(context):
        raise dg.Failure(
            description="; ".join(errors[k] for k in sorted(errors)),
            metadata={"failed": sorted(errors), "retryable": True},
            allow_retries=True,
        )


def fail_unless_models_follow(context: dg.AssetExecutionContext, errors: dict[str, str]) -> None:
    """Fail the step for what did not sync, when no model step will (otherwise that step fails
    the run at its end, after building from what did)."""
    if errors and not models_follow(context):
        raise dg.Failure(
            description="; ".join(errors[k] for k in sorted(errors)),
            metadata={"failed": sorted(errors), "retryable": False},
            allow_retries=False,
        )


def permanent_failure(exc: Exception) -> dg.Failure:
    """A step failure that no retry can heal, its cause as the message."""
    return dg.Failure(description=str(exc), allow_retries=False)


def now() -> datetime:
    """Naive UTC, as the warehouse's log tables keep time."""
    return datetime.now(UTC).replace(tzinfo=None)


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")
