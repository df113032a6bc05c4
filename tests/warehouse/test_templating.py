"""Jinja in models: ref, source, var, loops, macros, config, is_incremental and this."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.warehouse.example_project import create_raw, write_project
from warehouse import load_project, run
from warehouse.compile import compile_model
from warehouse.connections import Warehouse
from warehouse.errors import ProjectError

SPEND_BY_STATUS = """
{% set statuses = ['open', 'closed', 'draft'] %}
with orders as (
    select * from {{ ref('canonical', 'purchase_orders') }}
)
select
    connection_id,
    {% for status in statuses %}
    {{ count_where("status = '" ~ status ~ "'") }} as {{ status }}_orders{{ "," if not loop.last }}
    {% endfor %}
from orders
{% if var('only_connection', none) %}where connection_id = '{{ var('only_connection') }}'{% endif %}
group by connection_id
"""
MACROS = """
{% macro count_where(condition) -%}
    cast(sum(case when {{ condition }} then 1 else 0 end) as integer)
{%- endmacro %}
"""


def _project(tmp_path: Path, files: dict[str, str | None]) -> Path:
    return write_project(tmp_path, {"macros/counts.sql": MACROS, **files})


def test_ref_loops_macros_and_vars_render_to_sql(tmp_path: Path, duck: Warehouse) -> None:
    project = load_project(_project(tmp_path, {"marts/status_counts.sql": SPEND_BY_STATUS}))
    model = project.models["marts.status_counts"]
    assert model.template is not None and "{%" not in model.sql
    assert model.depends_on == ("canonical.purchase_orders",)  # from the rendered SQL
    run(project, duck)
    rows = duck.query("select * from marts.status_counts order by connection_id")
    assert rows.columns == ["connection_id", "open_orders", "closed_orders", "draft_orders"]
    assert list(rows) == [("c1", 1, 1, 0), ("c2", 0, 0, 1)]


def test_vars_come_from_the_project_file_and_are_overridden(tmp_path: Path) -> None:
    project_dir = _project(
        tmp_path,
        {
            "marts/status_counts.sql": SPEND_BY_STATUS,
            "plantsync_project.yml": "name: example\nvars:\n  only_connection: c1\n",
        },
    )
    assert (
        "where connection_id = 'c1'" in load_project(project_dir).models["marts.status_counts"].sql
    )
    overridden = load_project(project_dir, vars={"only_connection": "c2"})
    assert "where connection_id = 'c2'" in overridden.models["marts.status_counts"].sql


def test_source_resolves_declared_sources(tmp_path: Path) -> None:
    sql = "select key from {{ source('raw_makini', 'purchase_orders') }}"
    project = load_project(write_project(tmp_path, {"staging/keys.sql": sql}))
    assert project.models["staging.keys"].depends_on == ("raw_makini.purchase_orders",)


def test_plain_sql_is_not_rendered(project_dir: Path) -> None:
    model = load_project(project_dir).models["marts.po_spend"]
    assert model.template is None
    assert model.sql == (project_dir / "marts" / "po_spend.sql").read_text()


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "select 1 as a\nfrom {{ ref('nope') }}",
            r"marts/bad\.sql:2: ref\('nope'\): no model or seed",
        ),
        (
            "select 1 as a\nfrom {{ ref('purchase_orders') }}",
            r"bad\.sql:2: ref\('purchase_orders'\) is ambiguous \(canonical\.purchase_orders, "
            r"staging\.purchase_orders\)",
        ),
        ("select\n{{ var('missing') }} as a", r"bad\.sql:2: var\('missing'\) is not set"),
        ("select\n\n{{ undefined_thing }} as a", r"bad\.sql:3: .*'undefined_thing' is undefined"),
        ("select {% for x in y %} 1", r"bad\.sql:1: Jinja syntax error: Unexpected end"),
        ("{{ source('raw_makini', 'vendors') }}", r"bad\.sql:1: source\('raw_makini', 'vendors'\)"),
        ("{{ config(schema='x') }} select 1 as a", r"config\(schema=...\) is not supported"),
    ],
)
def test_template_errors_name_file_and_line(tmp_path: Path, sql: str, message: str) -> None:
    with pytest.raises(ProjectError, match=message):
        load_project(_project(tmp_path, {"marts/bad.sql": sql}))


def test_error_inside_a_macro_names_the_macro_line_too(tmp_path: Path) -> None:
    macros = "{% macro broken() %}\n  {{ ref('missing') }}\n{% endmacro %}\n"
    project_dir = write_project(
        tmp_path, {"macros/broken.sql": macros, "marts/bad.sql": "select 1 as a\n{{ broken() }}"}
    )
    with pytest.raises(
        ProjectError,
        match=r"marts/bad\.sql:2 \(in macro .*macros/broken\.sql:2\): ref\('missing'\)",
    ):
        load_project(project_dir)


def test_a_macro_may_call_one_from_a_file_loaded_after_its_own(tmp_path: Path) -> None:
    # macro files load in name order: a_open.sql before counts.sql, whose macro it calls
    project_dir = _project(
        tmp_path,
        {
            "macros/a_open.sql": (
                "{% macro open_count() -%}{{ count_where(\"status = 'open'\") }}{%- endmacro %}"
            ),
            "marts/open_orders.sql": (
                "select {{ open_count() }} as open_orders "
                "from {{ ref('canonical', 'purchase_orders') }}"
            ),
        },
    )
    sql = load_project(project_dir).models["marts.open_orders"].sql
    assert "select cast(sum(case when status = 'open' then 1 else 0 end) as integer)" in sql


def test_config_in_the_model_sets_its_materialization(tmp_path: Path) -> None:
    sql = "{{ config(materialized='table', tags=['finance']) }}\nselect 1 as a"
    model = load_project(_project(tmp_path, {"marts/one.sql": sql})).models["marts.one"]
    assert (model.materialized, model.tags) == ("table", ("finance",))


INCREMENTAL_LINES = """
{{ config(materialized='incremental', unique_key='po_line_id') }}
select
    connection_id || ':' || po_key || ':' || line_key as po_line_id,
    line_net
from {{ ref('staging', 'purchase_order_lines') }}
{% if is_incremental() %}
where connection_id || ':' || po_key || ':' || line_key
    not in (select po_line_id from {{ this }})
{% endif %}
"""


def test_is_incremental_and_this(tmp_path: Path, duck: Warehouse) -> None:
    project = load_project(_project(tmp_path, {"marts/new_lines.sql": INCREMENTAL_LINES}))
    model = project.models["marts.new_lines"]
    # its own table read through {{ this }} is not a dependency (nor a cycle)
    assert model.depends_on == ("staging.purchase_order_lines",)
    assert "marts.new_lines" not in model.sql
    assert "from marts.new_lines" in compile_model(project, model.fqn, "duckdb", incremental=True)
    run(project, duck, "+marts.new_lines")
    # a changed line is not picked up (the filter skips known keys); a new one is
    create_raw(duck, lines=[("c1", "1", "10", "2", "70.00"), ("c1", "9", "10", "1", "5.00")])
    [result] = run(project, duck, "marts.new_lines")
    assert result.action == "merged"
    lines = dict(duck.query("select po_line_id, line_net from marts.new_lines"))
    assert {k: float(v) for k, v in lines.items()} == {
        "c1:1:10": 60.0,
        "c1:1:20": 40.0,
        "c1:2:10": 50.5,
        "c1:9:10": 5.0,
    }
    [refreshed] = run(project, duck, "marts.new_lines", full_refresh=True)
    assert (refreshed.action, refreshed.rows) == ("replaced", 2)


def test_reading_its_own_table_outside_is_incremental_is_an_error(tmp_path: Path) -> None:
    sql = "{{ config(materialized='incremental', unique_key='a') }}\nselect a from {{ this }}"
    with pytest.raises(ProjectError, match=r"loop\.sql \(rendered\): model reads its own table"):
        load_project(_project(tmp_path, {"marts/loop.sql": sql}))


def test_doc_blocks_fill_descriptions(tmp_path: Path) -> None:
    project_dir = write_project(
        tmp_path,
        {
            "marts/docs.md": "{% docs spend %}\nSpend by status.\n{% enddocs %}\n",
            "marts/_marts.yml": (
                "models:\n  - name: po_spend\n    description: '{{ doc(\"spend\") }}'\n"
            ),
        },
    )
    assert load_project(project_dir).models["marts.po_spend"].description == "Spend by status."
    (project_dir / "marts" / "docs.md").unlink()
    with pytest.raises(
        ProjectError, match=r"marts\.po_spend: doc\('spend'\): no \{% docs spend %\}"
    ):
        load_project(project_dir)
