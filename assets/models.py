"""Dagster assets for the SQL models: one asset per model or seed, one check per YAML test.

Asset keys are warehouse names (`["canonical", "purchase_orders"]`), so a table a model reads is
its upstream asset: `raw_makini`/`raw_oee` tables are the ingest assets defined elsewhere.
Checks on `canonical` models are blocking: a failing error-severity test stops the models
downstream in the same run. Building these definitions reads the model files only (no database,
no secrets); the warehouse comes at run time from the `warehouse` resource, whose `connect()`
returns a `warehouse.connections.Warehouse`.
"""

# no `from __future__ import annotations`: Dagster inspects the context type hints at runtime
from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from warehouse import Project, load_project
from warehouse.connections import Warehouse
from warehouse.data_tests import DataTest, TestResult, model_tests, run_test
from warehouse.lineage import model_lineage, schema_from_warehouse
from warehouse.materialize import ModelResult, build_model

BLOCKING_SCHEMAS = frozenset({"canonical"})
PREVIEW_ROWS = 20


def asset_key(table: str) -> dg.AssetKey:
    """`canonical.purchase_orders` -> AssetKey(["canonical", "purchase_orders"])."""
    return dg.AssetKey(table.split("."))


def build_model_assets(
    project_dir: str | Path = "models",
    *,
    target: str | None = None,
    pool: str | None = "warehouse",
) -> tuple[list[dg.AssetsDefinition], list[dg.AssetChecksDefinition]]:
    """One asset per model and seed, and one multi-check per model with YAML tests.

    `target` only sets the `kinds` badge (default: PLANTSYNC_DESTINATION); `pool` is the
    concurrency pool every warehouse writer shares (DuckDB has one writer).
    """
    if target is None:
        from plantsync.settings import destination

        target = destination()
    project = load_project(project_dir)
    assets = [_model_asset(project, fqn, target, pool) for fqn in project.order]
    checks = [
        _model_checks(project, fqn, tests, pool)
        for fqn in project.order
        if (tests := model_tests(project.models[fqn]))
    ]
    return assets, checks


def _static_column_schema(project: Project, fqn: str) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(c.name, c.type or "unknown", description=c.description or None)
            for c in project.models[fqn].columns
        ]
    )


def _model_asset(project: Project, fqn: str, target: str, pool: str | None) -> dg.AssetsDefinition:
    model = project.models[fqn]
    metadata = {"dagster/table_name": fqn, "materialized": model.materialized}
    if model.columns:
        metadata["dagster/column_schema"] = _static_column_schema(project, fqn)

    @dg.asset(
        key=asset_key(fqn),
        deps=[asset_key(d) for d in model.depends_on],
        description=model.description or f"{'Seed' if model.is_seed else 'Model'} {fqn}.",
        kinds={"sql", target} if not model.is_seed else {"csv", target},
        group_name=model.schema,
        metadata=metadata,
        required_resource_keys={"warehouse"},
        pool=pool,
    )
    def _asset(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        warehouse = context.resources.warehouse.connect()
        try:
            result = build_model(project, warehouse, fqn)
            context.log.info(result.line())
            return dg.MaterializeResult(metadata=_materialized_metadata(project, warehouse, result))
        finally:
            warehouse.close()

    return _asset


def _materialized_metadata(project: Project, warehouse: Warehouse, result: ModelResult) -> dict:
    """Row count, typed column schema with YAML descriptions, and column lineage."""
    fqn = result.model
    model = project.models[fqn]
    descriptions = {c.name: c.description for c in model.columns}
    columns = warehouse.columns(fqn)
    rows = result.rows
    if rows is None:  # views are not counted while building; Dagster wants the figure
        rows = int(warehouse.query(f"select count(*) from {fqn}")[0][0])
    known = schema_from_warehouse(warehouse, list(model.depends_on))
    lineage = model_lineage(project, fqn, known)
    return {
        "dagster/row_count": rows,
        "dagster/column_schema": dg.TableSchema(
            columns=[
                dg.TableColumn(name, type_, description=descriptions.get(name) or None)
                for name, type_ in columns
            ]
        ),
        "dagster/column_lineage": dg.TableColumnLineage(
            deps_by_column={
                column: [
                    dg.TableColumnDep(
                        asset_key=asset_key(up.rsplit(".", 1)[0]), column_name=up.rsplit(".", 1)[1]
                    )
                    for up in upstream
                ]
                for column, upstream in lineage.items()
                if upstream
            }
        ),
        "action": result.action,
        "seconds": round(result.seconds, 3),
    }


def _check_spec(project: Project, test: DataTest) -> dg.AssetCheckSpec:
    model = project.models[test.model]
    return dg.AssetCheckSpec(
        test.name,
        asset=asset_key(test.model),
        description=test.description,
        blocking=model.schema in BLOCKING_SCHEMAS and test.severity == "error",
        # the parent table of a relationships test must be built before the check runs
        additional_deps=[asset_key(test.references)] if test.references else [],
    )


def _model_checks(
    project: Project, fqn: str, tests: list[DataTest], pool: str | None
) -> dg.AssetChecksDefinition:
    by_name = {t.name: t for t in tests}

    @dg.multi_asset_check(
        name=f"{fqn.replace('.', '__')}__tests",
        specs=[_check_spec(project, t) for t in tests],
        can_subset=True,
        required_resource_keys={"warehouse"},
        pool=pool,
    )
    def _checks(context: dg.AssetCheckExecutionContext) -> Iterator[dg.AssetCheckResult]:
        warehouse = context.resources.warehouse.connect()
        try:
            for key in context.selected_asset_check_keys:
                yield _check_result(run_test(warehouse, by_name[key.name]), key)
        finally:
            warehouse.close()

    return _checks


def _check_result(result: TestResult, key: dg.AssetCheckKey) -> dg.AssetCheckResult:
    severity = (
        dg.AssetCheckSeverity.WARN
        if result.test.severity == "warn"
        else dg.AssetCheckSeverity.ERROR
    )
    metadata: dict = {"failing_rows": result.failures, "rule": result.test.description}
    if result.rows:
        header = "| " + " | ".join(result.columns) + " |\n|" + "---|" * len(result.columns) + "\n"
        body = "".join(
            "| " + " | ".join("NULL" if v is None else str(v) for v in row) + " |\n"
            for row in result.rows[:PREVIEW_ROWS]
        )
        metadata["preview"] = dg.MetadataValue.md(header + body)
    return dg.AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=result.passed,
        severity=severity,
        metadata=metadata,
    )
