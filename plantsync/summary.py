"""Execute a job in process and turn its events into the end-of-run summary."""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field

import dagster as dg

# Dagster's own console log only for warnings and errors: progress comes from `plantsync`.
QUIET_LOGGING = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def open_instance() -> dg.DagsterInstance:
    """The instance in `DAGSTER_HOME` (a temporary one when unset); use it as a context manager
    and keep it open while results are read: results refer to their instance weakly."""
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def execute_job(
    job_name: str, instance: dg.DagsterInstance, models_config: dict | None = None
) -> dg.ExecuteInProcessResult:
    """Run `job_name` of the code location on `instance` (Makini jobs: every connection);
    `models_config` configures its models step (`assets.models.ModelsConfig`)."""
    from assets.definitions import build_definitions
    from assets.ingest import MODELS_STEP

    run_config: dict = dict(QUIET_LOGGING)
    if models_config:
        run_config["ops"] = {MODELS_STEP: {"config": models_config}}
    job = build_definitions().resolve_job_def(job_name)
    # What is loaded by now (Dagster, dlt, the definitions) lives until the process ends: out of
    # the cycle collector's way, so its full collections during the run walk only the run's own
    # objects; the collector is on from here even if the caller paused it while loading.
    gc.freeze()
    gc.enable()
    return job.execute_in_process(instance=instance, run_config=run_config, raise_on_error=False)


@dataclass
class RunSummary:
    seconds: float
    tables: dict[str, dict] = field(default_factory=dict)
    checks_failed: list[str] = field(default_factory=list)
    checks_warned: list[str] = field(default_factory=list)
    checks_passed: int = 0
    failures: list[str] = field(default_factory=list)
    # True when every failure may heal by itself (an outage, not a bad token or a bad model).
    retryable: bool = False

    @classmethod
    def from_result(cls, result: dg.ExecuteInProcessResult, seconds: float) -> RunSummary:
        summary = cls(seconds=seconds)
        retryable: list[bool] = []
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
                summary.failures.append(f"{event.step_key}: {_failure_message(data)}")
                user = data.user_failure_data
                flag = user.metadata.get("retryable") if user else None
                # A failure that says nothing about itself (a crash) may heal.
                retryable.append(flag is None or bool(flag.value))
        summary.retryable = bool(retryable) and all(retryable)
        return summary

    def render(self) -> str:
        lines = ["", f"{'table':44} {'loaded':>10} {'rows':>10}"]
        for name, metadata in sorted(self.tables.items()):
            # raw tables: rows loaded; incremental models: rows merged
            loaded = metadata.get("rows_loaded", metadata.get("merged_rows"))
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
        """The cause, for the last line: the failing steps' own messages."""
        if self.failures:
            return "; ".join(f.split(": ", 1)[1] for f in self.failures)
        failed = ", ".join(self.checks_failed)
        return f"checks failed: {failed}" if failed else "run failed (see the log above)"


def _failure_message(data) -> str:
    """What the step said when it failed: a `dg.Failure`'s description, else the error that
    caused the step to fail (not Dagster's wrapper around it), on one line."""
    if data.user_failure_data is not None and data.user_failure_data.description:
        return " ".join(data.user_failure_data.description.split())
    error = data.error
    while error is not None and error.cause is not None and "DagsterExecution" in error.cls_name:
        error = error.cause
    if error is None:
        return "failed"
    return f"{error.cls_name}: {' '.join(error.message.split(': ', 1)[-1].split())}"


def _n(value) -> str:
    return "-" if value is None else f"{value:,}"
