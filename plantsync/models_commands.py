"""`plantsync models compile|run|test|lineage`: the model engine from the command line.

Heavy imports (sqlglot, DuckDB, drivers) happen inside the commands so `--help` stays fast.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

import settings

if TYPE_CHECKING:
    from warehouse import Project

TARGETS = ("duckdb", "snowflake", "postgres")


def _load(project_dir: str, vars_text: str | None) -> Project:
    from warehouse import load_project

    return load_project(project_dir, vars=_parse_vars(vars_text))


def _parse_vars(text: str | None) -> dict[str, Any] | None:
    """`--vars '{currency: EUR}'` (YAML or JSON, as dbt takes it)."""
    if not text:
        return None
    import yaml

    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise click.BadParameter(f"not YAML: {exc}", param_hint="--vars") from exc
    if not isinstance(parsed, dict):
        raise click.BadParameter("expected a mapping, e.g. '{name: value}'", param_hint="--vars")
    return parsed


def _selectors(select: tuple[str, ...]) -> list[str]:
    return [token for value in select for token in value.split()]


def _engine_errors() -> tuple[type[Exception], ...]:
    from warehouse.errors import WarehouseError

    return (WarehouseError, ValueError)


project_dir_option = click.option(
    "--project-dir",
    default="models",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The model project directory.",
)
select_option = click.option(
    "--select",
    "-s",
    multiple=True,
    help="Models: name, schema.name, schema.*, +name (ancestors), name+ (descendants); "
    "several space-separated or repeated.",
)
vars_option = click.option(
    "--vars",
    "vars_text",
    metavar="YAML",
    help="Values for var() in models, overriding the project file's vars: ('{name: value}').",
)
target_option = click.option(
    "--target",
    type=click.Choice(TARGETS),
    default=None,
    help="SQL dialect / warehouse (default: PLANTSYNC_DESTINATION).",
)


@click.group()
def models() -> None:
    """The SQL model engine: compile, run, test and trace models in models/."""


@models.command()
@select_option
@target_option
@project_dir_option
@vars_option
@click.option("--out", type=click.Path(file_okay=False), help="Write <schema>/<name>.sql here.")
def compile(
    select: tuple[str, ...],
    target: str | None,
    project_dir: str,
    vars_text: str | None,
    out: str | None,
) -> None:
    """Transpile models to the target dialect; fail on anything that would not run the same."""
    from warehouse.compile import compile_model
    from warehouse.selection import select as select_models

    target = target or settings.destination()
    try:
        project = _load(project_dir, vars_text)
        fqns = select_models(project, _selectors(select))
        failures = []
        for fqn in fqns:
            try:
                sql = compile_model(project, fqn, target)
            except _engine_errors() as exc:
                failures.append(str(exc))
                click.echo(f"error: {exc}", err=True)
                continue
            if out:
                path = Path(out) / project.models[fqn].schema / f"{project.models[fqn].name}.sql"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(sql + ";\n")
            else:
                click.echo(f"-- {fqn}\n{sql};\n")
    except _engine_errors() as exc:
        raise click.ClickException(str(exc)) from exc
    if failures:
        raise click.ClickException(
            f"{len(failures)} of {len(fqns)} models do not compile for {target}"
        )
    if out:
        click.echo(f"compiled {len(fqns)} models for {target} into {out}", err=True)


@models.command()
@select_option
@target_option
@project_dir_option
@vars_option
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental models from scratch.")
def run(
    select: tuple[str, ...],
    target: str | None,
    project_dir: str,
    vars_text: str | None,
    full_refresh: bool,
) -> None:
    """Build the selected models in dependency order (views, tables, incremental merges)."""
    from plantsync.access import writing
    from warehouse.materialize import run as run_models

    started = time.perf_counter()
    try:
        project = _load(project_dir, vars_text)
        with writing("models run", target) as warehouse:
            results = run_models(
                project,
                warehouse,
                _selectors(select),
                full_refresh=full_refresh,
                on_progress=lambda result: click.echo(result.line()),
            )
    except _engine_errors() as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"built {len(results)} models in {time.perf_counter() - started:.2f}s")


@models.command()
@select_option
@target_option
@project_dir_option
@vars_option
def test(
    select: tuple[str, ...], target: str | None, project_dir: str, vars_text: str | None
) -> None:
    """Run the YAML tests; print failing rows; exit 1 if an error-severity test fails."""
    from plantsync.access import reading
    from warehouse.data_tests import project_tests, run_test
    from warehouse.errors import ModelRunError

    results, not_run = [], []
    try:
        project = _load(project_dir, vars_text)
        tests = project_tests(project, _selectors(select))
        with reading(target) as warehouse:
            missing: dict[str, bool] = {}
            for data_test in tests:
                if data_test.model not in missing:
                    missing[data_test.model] = not warehouse.table_exists(data_test.model)
                    if missing[data_test.model]:
                        count = sum(t.model == data_test.model for t in tests)
                        click.echo(
                            f"ERROR {data_test.model}: not built yet ({count} tests not run)"
                        )
                if missing[data_test.model]:
                    not_run.append(data_test)
                    continue
                try:
                    result = run_test(warehouse, data_test)
                except ModelRunError as exc:  # e.g. the model was never built: report, go on
                    not_run.append(exc)
                    click.echo(f"ERROR {exc}")
                    continue
                results.append(result)
                _echo_result(result)
    except _engine_errors() as exc:
        raise click.ClickException(str(exc)) from exc
    failed = [r for r in results if r.status == "fail"]
    warned = [r for r in results if r.status == "warn"]
    summary = f"{len(tests)} tests: {len(failed)} failed, {len(warned)} warned"
    if not_run:
        summary += f", {len(not_run)} could not run"
    if failed or not_run:
        raise click.ClickException(summary)
    click.echo(summary)


def _echo_result(result: Any) -> None:
    test = result.test
    label = {"pass": "PASS", "warn": "WARN", "fail": "FAIL"}[result.status]
    detail = "" if result.passed else f" ({result.failures} failing rows)"
    click.echo(f"{label} {test.model} {test.name}{detail}")
    if not result.passed:
        click.echo("    " + " | ".join(result.columns))
        for row in result.rows:
            click.echo("    " + " | ".join("NULL" if v is None else str(v) for v in row))


@models.command()
@select_option
@target_option
@project_dir_option
@vars_option
@click.option(
    "--offline",
    is_flag=True,
    help="Do not read raw table columns from the warehouse (select * over raw tables stays "
    "unresolved).",
)
def lineage(
    select: tuple[str, ...],
    target: str | None,
    project_dir: str,
    vars_text: str | None,
    offline: bool,
) -> None:
    """Print column lineage back to the raw sources: each output column, the source columns
    its value comes from with the transformations on the way, and the model's join, filter and
    group keys."""
    from plantsync.access import reading
    from warehouse.lineage import Lineage, infer_schema, schema_from_warehouse
    from warehouse.selection import select as select_models

    try:
        project = _load(project_dir, vars_text)
        fqns = select_models(project, _selectors(select))
        sources: dict[str, list[str]] = {}
        destination = target or settings.destination()
        missing_duckdb = destination == "duckdb" and not settings.duckdb_path().exists()
        if not offline and not missing_duckdb:  # never create an empty warehouse file here
            with reading(target) as warehouse:
                sources = schema_from_warehouse(warehouse, sorted(project.sources))
        graph = Lineage(project, infer_schema(project, sources))
        for fqn in fqns:
            _echo_lineage(graph, fqn)
    except _engine_errors() as exc:
        raise click.ClickException(str(exc)) from exc


def _echo_lineage(graph: Any, fqn: str) -> None:
    click.echo(fqn)
    columns = graph.analysis(fqn).columns
    if not columns:
        click.echo("    (columns unknown: select * over a table not in the warehouse)")
    for column in columns:
        values = graph.values(fqn, column)
        names = dict.fromkeys(f"{o.table}.{o.column}" for o in values)
        origins = ", ".join(names) or "(constant)"
        click.echo(f"    {column} <- {origins}")
        for step in dict.fromkeys(step for o in values for step in o.via):
            click.echo(f"        {step}")
    keys: dict[str, list[str]] = {}
    for key in graph.model_keys(fqn):
        via = keys.setdefault(f"{key.kind:<6} {key.table}.{key.column}", [])
        via += [str(step) for step in key.via if str(step) not in via]
    if keys:
        click.echo("    keys:")
    for key, via in keys.items():
        click.echo(f"        {key}" + (f"  ({'; '.join(via)})" if via else ""))
