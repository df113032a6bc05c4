"""The project file, YAML files of any name, seeds' column types and SQL parse errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.warehouse.example_project import write_project
from warehouse import load_project, run
from warehouse.connections import Warehouse
from warehouse.errors import ProjectError

PROJECT_FILE = """
name: example
vars:
  currency: EUR
models:
  example:                 # dbt's project-name level is the model directory
    +tags: [plantsync]
    canonical:
      +materialized: table
      +tags: [core]
    marts:
      materialized: table  # dbt also accepts settings without the +
      finance:
        +schema: finance
        +materialized: view
"""


def test_folder_defaults_tags_and_schema(tmp_path: Path) -> None:
    project = load_project(
        write_project(
            tmp_path,
            {
                "plantsync_project.yml": PROJECT_FILE,
                "canonical/_canonical.yml": None,  # no per-model materialized: any more
                "marts/finance/spend.sql": "select * from marts.po_spend",
            },
        )
    )
    models = project.models
    assert models["canonical.purchase_order_lines"].materialized == "table"
    assert models["canonical.purchase_orders"].tags == ("plantsync", "core")
    assert models["staging.purchase_orders"].materialized == "view"  # nothing set for staging
    assert models["marts.po_spend"].materialized == "table"
    spend = models["finance.spend"]  # +schema: the folder's models land in schema finance
    assert (spend.materialized, spend.depends_on) == ("view", ("marts.po_spend",))
    assert project.vars == {"currency": "EUR"}


def test_yaml_overrides_folder_defaults(tmp_path: Path) -> None:
    project_dir = write_project(
        tmp_path,
        {"plantsync_project.yml": PROJECT_FILE, "marts/finance/spend.sql": "select 1 as a"},
    )
    project = load_project(project_dir)
    # canonical/_canonical.yml says incremental for the lines
    assert project.models["canonical.purchase_order_lines"].materialized == "incremental"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "models:\n  marts:\n    +materialised: table\n",
            r"plantsync_project\.yml:3: unknown folder",
        ),
        ("models:\n  +materialized: tabel\n", r"plantsync_project\.yml:2: materialized must be"),
        (
            "models:\n  mart:\n    +materialized: table\n",
            r"plantsync_project\.yml:3: no folder 'mart'",
        ),
        ("name: x\nprofile: dev\n", r"plantsync_project\.yml:2: unknown key 'profile'"),
    ],
)
def test_project_file_mistakes_are_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ProjectError, match=message):
        load_project(write_project(tmp_path, {"plantsync_project.yml": text}))


def test_every_yaml_file_is_read_whatever_its_name(tmp_path: Path) -> None:
    project_dir = write_project(
        tmp_path,
        {
            "canonical/_canonical.yml": None,
            "canonical/purchase_orders.yml": """
models:
  - name: purchase_orders
    materialized: table
    columns:
      - name: po_id
        tests: [not_null, unique]
""",
        },
    )
    orders = load_project(project_dir).models["canonical.purchase_orders"]
    assert orders.materialized == "table"
    assert [t.kind for t in orders.tests] == ["not_null", "unique"]


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("models:\n  - name: po_spend\n    colums: []\n", r"spend\.yml:3: unknown key 'colums'"),
        ("models:\n  - name: po_spend\n    columns:\n      - nme: x\n", r"spend\.yml:4: unknown"),
        ("modles:\n  - name: po_spend\n", r"spend\.yml:1: unknown key 'modles'"),
        ("models:\n  - name: po_spend\n  - name: po_spend\n", r"spend\.yml:3: .*already described"),
        ("models: [name: po_spend\n", r"spend\.yml:2: invalid YAML"),
    ],
)
def test_yaml_mistakes_name_file_and_line(tmp_path: Path, yaml_text: str, message: str) -> None:
    with pytest.raises(ProjectError, match=message):
        load_project(write_project(tmp_path, {"marts/spend.yml": yaml_text}))


def test_misplaced_files_are_errors_not_ignored(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"marts/rates\.csv: seeds are read from seeds/ only"):
        load_project(write_project(tmp_path, {"marts/rates.csv": "a\n1\n"}))
    with pytest.raises(ProjectError, match=r"loose\.sql: a model must be in a schema folder"):
        load_project(write_project(tmp_path, {"marts/rates.csv": None, "loose.sql": "select 1"}))


def test_nested_folders_are_models_of_their_schema(tmp_path: Path) -> None:
    project_dir = write_project(tmp_path, {"marts/po/open.sql": "select * from marts.po_spend"})
    assert "marts.open" in load_project(project_dir).models


SEED = "code,amount,ratio,active,day,at,note\n007,1250,0.5,true,2026-01-02,2026-01-02 10:00:00,x\n"


def test_seed_types_are_inferred_and_yaml_overrides(tmp_path: Path, duck: Warehouse) -> None:
    project_dir = write_project(
        tmp_path,
        {
            "seeds/prices.csv": SEED,
            "seeds/prices.yml": """
seeds:
  - name: prices
    config:
      column_types: {ratio: "decimal(4, 2)"}
""",
            "marts/price_euros.sql": "select code, amount / 100 as euros from seeds.prices",
        },
    )
    project = load_project(project_dir)
    types = {c.name: c.type for c in project.models["seeds.prices"].columns}
    assert types == {
        "code": "varchar",  # a leading zero: a code, not a number
        "amount": "bigint",
        "ratio": "decimal(4, 2)",
        "active": "boolean",
        "day": "date",
        "at": "timestamp",
        "note": "varchar",
    }
    run(project, duck, "+marts.price_euros")
    assert duck.query("select * from marts.price_euros") == [("007", 12.5)]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "select a,\n  (b from t",
            "marts/bad.sql:2:6: SQL does not parse: Expecting )\n      (b from t\n         ^^^^",
        ),
        (
            "select * from",
            "marts/bad.sql:1:10: SQL does not parse: Expected table name but got end of input",
        ),
        (
            "select a\nfrom s.t\nwhere",
            "marts/bad.sql:3:1: SQL does not parse: incomplete WHERE (this missing)\n"
            "    where\n    ^",
        ),
        ("select 'abc from s.t", "marts/bad.sql:1:8: SQL does not parse: unterminated string"),
    ],
)
def test_parse_errors_read_as_sql_errors_with_a_caret(
    tmp_path: Path, sql: str, expected: str
) -> None:
    with pytest.raises(ProjectError) as error:
        load_project(write_project(tmp_path, {"marts/bad.sql": sql}))
    message = str(error.value)
    assert expected in message
    assert "Token" not in message and "<class" not in message and "\x1b" not in message


def test_parse_error_in_a_template_points_into_the_rendered_sql(tmp_path: Path) -> None:
    sql = "{% set cols = ['a', 'b'] %}\nselect {{ cols | join(', ') }}\nfrom s.t t1 t2"
    with pytest.raises(ProjectError, match=r"bad\.sql \(rendered\):3:13: SQL does not parse"):
        load_project(write_project(tmp_path, {"marts/bad.sql": sql}))
