"""Execute a job in process and turn its events into the end-of-run summary."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import dagster as dg

from plantsync import settings

INGEST_STEPS = frozenset({"makini_ingest", "oee_ingest"})
# Dagster's own console log only for warnings and errors: progress comes from `plantsync`.
QUIET_LOGGING = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def open_instance() -> dg.DagsterInstance:
    """The instance in `DAGSTER_HOME` (a temporary one when unset); use it as a context manager
    and keep it open while results are read: results refer to their instance weakly."""
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def execute_job(job_name: str, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """Run `job_name` of the code location on `instance`, covering every Makini connection."""
    from assets.definitions import build_definitions
    from assets.partitions import all_connections_tags

    job = build_definitions().resolve_job_def(job_name)
    tags = {}
    if job.partitions_def is not None:  # Makini ingest: every configured connection, one run
        tags = all_connections_tags(instance, [c.id for c in settings.makini_connections()])
    return job.execute_in_process(
        instance=instance, run_config=QUIET_LOGGING, tags=tags, raise_on_error=False
    )


@dataclass
class RunSummary:
    seconds: float
    tables: dict[str, dict] = field(default_factory=dict)
    checks_failed: list[str] = field(default_factory=list)
    checks_warned: list[str] = field(default_factory=list)
    checks_passed: int = 0
    failures: list[str] = field(default_factory=list)
    # True when an ingest step failed in a way a later run may not (an outage, not a bad token).
    retryable: bool = False

    @classmethod
    def from_result(cls, result: dg.ExecuteInProcessResult, seconds: float) -> RunSummary:
        summary = cls(seconds=seconds)
        for event in result.all_events:
            if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
                materialization = event.event_specific_data.materialization
                metadata = {k: v.value for k, v in materialization.metadata.items()}
                summary.tables[materialization.asset_key.to_user_string()] = metadata
            elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
                evaluation = event.event_specific_data
                name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                if evaluation.passed:
                    summary.checks_passed += 1
                elif evaluation.severity == dg.AssetCheckSeverity.WARN:
                    summary.checks_warned.append(name)
                else:
                    summary.checks_failed.append(name)
            elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
                data = event.event_specific_data
                message = data.error.message.strip().splitlines()[0] if data.error else "failed"
                summary.failures.append(f"{event.step_key}: {message}")
                if event.step_key in INGEST_STEPS:
                    user = data.user_failure_data
                    retryable = user.metadata.get("retryable") if user else None
                    summary.retryable |= retryable is None or bool(retryable.value)
        return summary

    def render(self) -> str:
        lines = ["", f"{'table':44} {'loaded':>10} {'rows':>10}"]
        for name, metadata in sorted(self.tables.items()):
            loaded = metadata.get("rows_loaded")
            rows = metadata.get("dagster/row_count")
            lines.append(f"{name:44} {_n(loaded):>10} {_n(rows):>10}")
        lines.append(
            f"checks: {self.checks_passed} passed, {len(self.checks_warned)} warned, "
            f"{len(self.checks_failed)} failed"
        )
        lines += [f"  warned: {name}" for name in self.checks_warned]
        lines += [f"  FAILED: {name}" for name in self.checks_failed]
        lines += [f"  step failed: {failure}" for failure in self.failures]
        lines.append(f"done in {self.seconds:.1f}s")
        return "\n".join(lines)

    def failure_line(self) -> str:
        parts = self.failures + [f"check {name} failed" for name in self.checks_failed]
        return "run failed: " + ("; ".join(parts) if parts else "see the log above")


def _n(value) -> str:
    return "-" if value is None else f"{value:,}"
