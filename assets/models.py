"""The SQL models as Dagster assets, built the way dagster-dbt builds a dbt project.

One multi-asset holds an asset per model and seed and a check per YAML test; a run builds the
selected models in one step, in dependency order, on one warehouse connection, and reports each
model's materialization (row count, schema, column lineage) and each check as it goes (the
build runs in a thread ahead of Dagster's handling of those results, `assets.run_ahead`). A failing
blocking check (error severity on a `canonical` model) skips the models downstream of it in the
step, as `dbt build` does. Asset keys are warehouse names (`["canonical", "purchase_orders"]`),
so a raw table a model reads is the ingest asset of that name.

Incremental models merge what changed, and their checks test the rows the step merged (its
config asks for every row, or for a rebuild from scratch). At its end the step publishes the
DuckDB warehouse for analysts (once per run: the ingest steps before it leave that to it),
writes the plant report from what it published, then fails the run if anything failed: a model,
a blocking check, or a source this run could not sync (the models were built from what did
load).
"""

# no `from __future__ import annotations`: Dagster inspects the context type hints at runtime
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from assets.ingest import MODELS_STEP
from assets.progress import report
from assets.report import REPORT_KEY, chart_engine, drawn_chart, report_spec, write_report
from assets.resources import WAREHOUSE_WRITER_POOL, WarehouseResource
from assets.run_ahead import run_ahead
from connectivity.sync_log import failures_of_run
from report import ChartFigures, mart_figures
from warehouse import Project, load_project
from warehouse.connections import Warehouse
from warehouse.data_tests import DataTest, TestResult, model_tests, run_test, run_tests_together
from warehouse.errors import ModelRunError
from warehouse.lineage import Lineage, infer_schema, schema_from_warehouse
from warehouse.materialize import ModelResult, build_model, drop_batch

BLOCKING_SCHEMAS = frozenset({"canonical"})
LINEAGE_CACHE = "lineage.json"  # in the warehouse's sync folder
PREVIEW_ROWS = 20


class ModelsConfig(dg.Config):
    """How the models step builds: incrementally with checks on the new rows (the default), or
    from scratch and checking everything."""

    full_refresh: bool = False  # rebuild incremental models from scratch (implies full_checks)
    full_checks: bool = False  # check every row of incremental models, not just the new ones


def asset_key(table: str) -> dg.AssetKey:
    """`canonical.purchase_orders` -> AssetKey(["canonical", "purchase_orders"])."""
    return dg.AssetKey(table.split("."))


def fqn_of(key: dg.AssetKey) -> str:
    return ".".join(key.path)


def build_model_assets(
    project_dir: str | Path, *, target: str, owners: list[str], with_report: bool = False
) -> dg.AssetsDefinition:
    """The models multi-asset; `target` sets the `kinds` badge; `with_report` adds the plant
    report (which reads the project's own marts), written after the marts are published. Reads
    model files only (no database, no secrets): the warehouse comes from the `warehouse`
    resource at run time."""
    project = load_project(project_dir)
    tests = {fqn: model_tests(project.models[fqn]) for fqn in project.order}
    specs = [_model_spec(project, fqn, target, owners) for fqn in project.order]
    if with_report:
        specs.append(report_spec(owners))
    check_specs = [_check_spec(project, t) for fqn in project.order for t in tests[fqn]]

    @dg.multi_asset(
        name=MODELS_STEP,
        specs=specs,
        check_specs=check_specs,
        can_subset=True,
        pool=WAREHOUSE_WRITER_POOL,
    )
    def models(
        context: dg.AssetExecutionContext, config: ModelsConfig, warehouse: WarehouseResource
    ) -> Iterator:
        """Build the selected models in dependency order and run their checks."""
        selected = {fqn_of(key) for key in context.selected_asset_keys if key != REPORT_KEY}
        checks = {(fqn_of(k.asset_key), k.name) for k in context.selected_asset_check_keys}
        outcome = StepOutcome()
        with chart_engine(selected):
            with warehouse.writing(context, publish_at_end=False) as writer:
                with writer.connect() as wh:
                    lineage = LineageMetadata(project, writer.warehouse.sync_dir / LINEAGE_CACHE)
                    build = Build(project, wh, config, selected, tests, checks, lineage)
                    for item in run_ahead(_build(build, outcome), name="models-build"):
                        if isinstance(item, Progress):
                            report(context, item.message)
                        elif isinstance(item, Charted):
                            yield item.materialization()
                        else:
                            yield item
                    lineage.save()
                    sources_failed = failures_of_run(wh, context.run_id)
                seconds = writer.publish()
            if seconds is not None:
                report(context, f"published {writer.warehouse.duckdb_path} in {seconds:.2f}s")
            if REPORT_KEY in context.selected_asset_keys:
                # what analysts read (on DuckDB the published file), failed checks included
                with warehouse.reader() as published:
                    written = write_report(published, project, outcome.checked)
                report(context, f"plant report: {written.metadata['path'].path}")
                yield written
        if outcome.problems or sources_failed:
            raise dg.Failure(
                description=_failure_line(outcome, sources_failed),
                metadata={
                    "failed_sources": [f"{f.source}:{f.scope}" for f in sources_failed],
                    "retryable": bool(sources_failed)
                    and all(f.retryable for f in sources_failed)
                    and not outcome.problems,
                },
                allow_retries=False,
            )

    return models


@dataclass(frozen=True)
class Progress:
    """A progress line of the build, said by the step's own thread (`report`)."""

    message: str


@dataclass(frozen=True)
class Charted:
    """A mart's materialization with its chart still to draw: the step's thread draws it,
    waiting on the chart renderer, while the build goes on with the next models."""

    fqn: str
    metadata: dict
    figures: ChartFigures

    def materialization(self) -> dg.MaterializeResult:
        chart = drawn_chart(self.fqn, self.figures)
        return dg.MaterializeResult(
            asset_key=asset_key(self.fqn), metadata={**self.metadata, **chart}
        )


@dataclass
class StepOutcome:
    """What went wrong in the step: failed builds and blocking checks, and what they skipped."""

    problems: list[str] = field(default_factory=list)
    blocked: dict[str, str] = field(default_factory=dict)  # model -> the failure it carries
    skipped: list[str] = field(default_factory=list)
    # Models whose sources were never loaded (a first sync failed): nothing to build from yet.
    unbuilt: list[str] = field(default_factory=list)
    waiting: set[str] = field(default_factory=set)  # the reasons that make a model unbuilt
    checked: dict[tuple[str, str], int] = field(default_factory=dict)  # check -> failing rows


@dataclass
class Build:
    """One step's build: what to build and check, where, and the batches of new rows that the
    checks of incremental models test (dropped when the step's checks are done)."""

    project: Project
    wh: Warehouse
    config: ModelsConfig
    selected: set[str]
    tests: dict[str, list[DataTest]]
    checks: set[tuple[str, str]]
    lineage: "LineageMetadata"
    batches: dict[str, str] = field(default_factory=dict)  # model -> table of its new rows

    def test(self, test: DataTest) -> DataTest:
        """`test` on the new rows when its model was merged incrementally, else on all rows."""
        batch = self.batches.get(test.model)
        if batch is None:
            return test
        return test.on_batch(batch, self.project.models[test.model].unique_key)


def _build(build: Build, outcome: StepOutcome) -> Iterator:
    """Build in order; run each test once its model and the table it refers to are built."""
    project, wh = build.project, build.wh
    tests, selected = build.tests, build.selected
    pending = [t for fqn in project.order for t in tests[fqn] if (fqn, t.name) in build.checks]
    built: set[str] = set()
    try:
        for fqn in project.order:
            if fqn not in selected:
                continue
            reason = _reason_to_skip(project, wh, fqn, outcome)
            if reason:
                yield Progress(f"{fqn}: skipped, {reason}")
                continue
            try:
                result = build_model(
                    project,
                    wh,
                    fqn,
                    full_refresh=build.config.full_refresh,
                    # a full refresh merges nothing, so it keeps no batch either
                    keep_batch=not build.config.full_checks,
                )
            except ModelRunError as exc:
                outcome.problems.append(str(exc))
                outcome.blocked[fqn] = f"model {fqn} failed"
                yield Progress(f"{fqn}: FAILED {exc}")
                continue
            if result.batch:
                build.batches[fqn] = result.batch
            built.add(fqn)
            metadata = _materialized_metadata(project, wh, result, build.lineage)
            figures = mart_figures(wh, fqn)
            if figures is None:
                yield dg.MaterializeResult(asset_key=asset_key(fqn), metadata=metadata)
            else:
                yield Charted(fqn, metadata, figures)
            ready = [t for t in pending if _ready(t, built, selected)]
            pending = [t for t in pending if t not in ready]
            yield from _check(project, wh, [build.test(t) for t in ready], outcome)
    finally:
        for fqn in build.batches:
            drop_batch(wh, fqn)


def _reason_to_skip(project: Project, wh: Warehouse, fqn: str, outcome: StepOutcome) -> str:
    """Why `fqn` cannot be built in this step (recorded in `outcome`), or ''."""
    model = project.models[fqn]
    upstream_failure = next(
        (outcome.blocked[d] for d in model.depends_on if d in outcome.blocked), None
    )
    if upstream_failure:
        outcome.blocked[fqn] = upstream_failure
        waiting = upstream_failure in outcome.waiting
        (outcome.unbuilt if waiting else outcome.skipped).append(fqn)
        return f"{upstream_failure} upstream"
    unloaded = [d for d in model.depends_on if d in project.sources and not wh.table_exists(d)]
    if unloaded:
        reason = f"source {unloaded[0]} never loaded"
        outcome.blocked[fqn] = reason
        outcome.waiting.add(reason)
        outcome.unbuilt.append(fqn)
        return reason
    return ""


def _ready(test: DataTest, built: set[str], selected: set[str]) -> bool:
    """A test runs after its model, and after the table it refers to when this step builds
    that table too (a relationships test)."""
    refers = test.references
    return test.model in built and (refers is None or refers in built or refers not in selected)


def _check(
    project: Project, wh: Warehouse, tests: list[DataTest], outcome: StepOutcome
) -> Iterator:
    try:
        results = run_tests_together(wh, tests)
    except ModelRunError:
        results = []
        for test in tests:  # one by one, so that the error names the test that cannot run
            try:
                results.append(run_test(wh, test))
            except ModelRunError as exc:
                outcome.problems.append(str(exc))
    for result in results:
        test = result.test
        outcome.checked[(test.model, test.name)] = result.failures
        yield _check_result(result)
        if not result.passed and _is_blocking(project, test):
            outcome.problems.append(f"check {test.model}:{test.name} failed")
            outcome.blocked[test.model] = f"check {test.model}:{test.name} failed"


def _failure_line(outcome: StepOutcome, sources_failed) -> str:
    parts = [f.error or f"{f.source} {f.scope} failed" for f in sources_failed]
    parts += outcome.problems
    if outcome.skipped:
        parts.append(f"{len(outcome.skipped)} model(s) downstream skipped")
    if outcome.unbuilt:
        parts.append(f"{len(outcome.unbuilt)} model(s) wait for a first load of their sources")
    if sources_failed:
        parts.append("the models were built from what did load")
    return "; ".join(parts)


def _is_blocking(project: Project, test: DataTest) -> bool:
    return project.models[test.model].schema in BLOCKING_SCHEMAS and test.severity == "error"


def _static_column_schema(project: Project, fqn: str) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(c.name, c.type or "unknown", description=c.description or None)
            for c in project.models[fqn].columns
        ]
    )


def _model_spec(project: Project, fqn: str, target: str, owners: list[str]) -> dg.AssetSpec:
    model = project.models[fqn]
    metadata = {"dagster/table_name": fqn, "materialized": model.materialized}
    if model.columns:
        metadata["dagster/column_schema"] = _static_column_schema(project, fqn)
    return dg.AssetSpec(
        asset_key(fqn),
        deps=[asset_key(d) for d in model.depends_on],
        description=model.description or f"{'Seed' if model.is_seed else 'Model'} {fqn}.",
        kinds={"csv" if model.is_seed else "sql", target},
        group_name=model.schema,
        metadata=metadata,
        owners=owners,
        skippable=True,
    )


def _materialized_metadata(
    project: Project, warehouse: Warehouse, result: ModelResult, lineage: "LineageMetadata"
) -> dict:
    """Row count, typed column schema with YAML descriptions and column lineage (one model up for
    Dagster's lineage view, back to the raw sources with keys in a table); the marts the report
    pictures add their chart (`Charted`)."""
    fqn = result.model
    model = project.models[fqn]
    descriptions = {c.name: c.description for c in model.columns}
    rows = result.rows
    if rows is None:  # views are not counted while building; Dagster wants the figure
        rows = int(warehouse.query(f"select count(*) from {fqn}")[0][0])
    metadata = {
        "dagster/row_count": rows,
        "dagster/column_schema": dg.TableSchema(
            columns=[
                dg.TableColumn(name, type_, description=descriptions.get(name) or None)
                for name, type_ in warehouse.columns(fqn)
            ]
        ),
        "action": result.action,
        "seconds": round(result.seconds, 3),
        **({"merged_rows": result.batch_rows} if result.batch_rows is not None else {}),
    }
    if not model.is_seed:
        metadata.update(lineage.of(warehouse, fqn))
    return metadata


class LineageMetadata:
    """Each model's lineage metadata: column inputs one table up (Dagster's lineage view) and a
    table back to the raw sources with keys.

    Lineage depends only on the models' SQL and the raw tables' columns, and tracing it costs
    more than an incremental build, so it is computed once per such state, model by model as the
    step needs it, and kept in the warehouse's sync folder (`cache`), keyed by a digest of both.
    """

    def __init__(self, project: Project, cache: Path) -> None:
        self.project = project
        self.cache = cache
        self._graph: Lineage | None = None
        self._raw: dict[str, list[str]] | None = None
        self._entries: dict[str, dict] = {}
        self._digest = ""
        self._dirty = False

    def of(self, warehouse: Warehouse, fqn: str) -> dict:
        """`dagster/column_lineage` and `lineage_to_sources` for model `fqn`."""
        if self._raw is None:
            self._load(warehouse)
        entry = self._entries.get(fqn)
        if entry is None:
            if self._graph is None:
                self._graph = Lineage(self.project, infer_schema(self.project, self._raw))
            entry = _lineage_entry(self._graph, fqn)
            self._entries[fqn] = entry
            self._dirty = True
        return {
            "dagster/column_lineage": dg.TableColumnLineage(
                deps_by_column={
                    column: [
                        dg.TableColumnDep(asset_key=asset_key(table), column_name=name)
                        for table, name in inputs
                    ]
                    for column, inputs in entry["inputs"].items()
                }
            ),
            "lineage_to_sources": dg.MetadataValue.md(entry["sources"]),
        }

    def save(self) -> None:
        """Keep what this step traced for the next (atomically: a torn file is never read)."""
        if not self._dirty:
            return
        self.cache.parent.mkdir(parents=True, exist_ok=True)
        partial = self.cache.with_suffix(".partial")
        partial.write_text(json.dumps({"digest": self._digest, "models": self._entries}))
        partial.replace(self.cache)

    def _load(self, warehouse: Warehouse) -> None:
        self._raw = schema_from_warehouse(warehouse, sorted(self.project.sources))
        state = {"models": {f: m.sql for f, m in self.project.models.items()}, "raw": self._raw}
        self._digest = hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()
        try:
            kept = json.loads(self.cache.read_text())
        except (OSError, ValueError):
            return
        if isinstance(kept, dict) and kept.get("digest") == self._digest:
            self._entries = kept.get("models") or {}


def _lineage_entry(graph: Lineage, fqn: str) -> dict:
    """Each column's inputs one table up, and the markdown table of its raw source columns and
    the join, filter and group keys that decide its rows."""
    analysis = graph.analysis(fqn)
    inputs = {}
    for column in analysis.columns:
        found = sorted({(table, name) for table, name, _ in analysis.direct(column)})
        if found:
            inputs[column] = found
    lines = ["| column | from source columns | keys (join / filter / group) |", "|---|---|---|"]
    for column, origins in graph.columns(fqn).items():
        values = sorted({f"{o.table}.{o.column}" for o in origins if o.kind == "value"})
        keys = sorted({f"{o.kind}: {o.table}.{o.column}" for o in origins if o.kind != "value"})
        lines.append(f"| {column} | {', '.join(values) or '(constant)'} | {', '.join(keys)} |")
    return {"inputs": inputs, "sources": "\n".join(lines)}


def _check_spec(project: Project, test: DataTest) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        test.name,
        asset=asset_key(test.model),
        description=test.description,
        blocking=_is_blocking(project, test),
        # the parent table of a relationships test must be built before the check runs
        additional_deps=[asset_key(test.references)] if test.references else [],
    )


def _check_result(result: TestResult) -> dg.AssetCheckResult:
    severity = (
        dg.AssetCheckSeverity.WARN
        if result.test.severity == "warn"
        else dg.AssetCheckSeverity.ERROR
    )
    metadata: dict = {
        "failing_rows": result.failures,
        "rule": result.test.description,
        "checked": "the rows this run merged" if result.test.rows else "every row",
    }
    if result.rows:
        header = "| " + " | ".join(result.columns) + " |\n|" + "---|" * len(result.columns) + "\n"
        body = "".join(
            "| " + " | ".join("NULL" if v is None else str(v) for v in row) + " |\n"
            for row in result.rows[:PREVIEW_ROWS]
        )
        metadata["preview"] = dg.MetadataValue.md(header + body)
    return dg.AssetCheckResult(
        asset_key=asset_key(result.test.model),
        check_name=result.test.name,
        passed=result.passed,
        severity=severity,
        metadata=metadata,
    )
