"""The same project on Snowflake (fakesnow) and PostgreSQL gives DuckDB's rows and test results."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.compare import compare_targets, normalize
from tests.warehouse.example_project import PURCHASE_ORDERS, create_raw
from warehouse import load_project
from warehouse.connections import Warehouse, connect

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # fakesnow's arrow-copy notice


@pytest.fixture
def fake_snowflake() -> Iterator[Warehouse]:
    import fakesnow

    with fakesnow.patch():
        warehouse = connect("snowflake", snowflake={"database": "plantsync", "schema": "public"})
        yield warehouse
        warehouse.close()


@pytest.fixture
def postgres(postgres_url: str) -> Iterator[Warehouse]:
    warehouse = connect("postgres", postgres_url=postgres_url)
    yield warehouse
    warehouse.close()


@pytest.mark.slow
@pytest.mark.postgres
def test_every_model_matches_duckdb_on_snowflake_and_postgres(
    project_dir: Path, duck: Warehouse, fake_snowflake: Warehouse, postgres: Warehouse
) -> None:
    project = load_project(project_dir)
    assert compare_targets(project, create_raw, duck, [fake_snowflake, postgres]) == []
    # second run: incremental MERGE / delete+insert, view and table replacement on each target
    assert compare_targets(project, create_raw, duck, [fake_snowflake, postgres]) == []


def test_failing_tests_agree_across_targets(
    project_dir: Path, duck: Warehouse, fake_snowflake: Warehouse
) -> None:
    def dirty_raw(warehouse: Warehouse) -> None:
        create_raw(warehouse, orders=[*PURCHASE_ORDERS, ("c1", "1", "nope", "5", None)])

    assert compare_targets(load_project(project_dir), dirty_raw, duck, [fake_snowflake]) == []


def test_normalize_makes_driver_values_comparable() -> None:
    from datetime import UTC, datetime
    from decimal import Decimal

    assert normalize(Decimal("1.5000")) == normalize(1.5)
    assert normalize(datetime(2026, 1, 1, 10, tzinfo=UTC)) == normalize(datetime(2026, 1, 1, 10))
    assert normalize('{"b": 1, "a": 2}') == normalize({"a": 2, "b": 1})


BROKEN_ORDERS = {
    "canonical/purchase_orders.sql": (
        "select cast('x' || po_key as integer) as po_id from staging.purchase_orders"
    )
}


@pytest.mark.postgres
def test_postgres_swap_keeps_old_table_on_failure_and_rebuilds_views(
    tmp_path: Path, postgres: Warehouse
) -> None:
    from tests.warehouse.example_project import write_project
    from warehouse.errors import ModelRunError
    from warehouse.materialize import run

    create_raw(postgres)
    run(load_project(write_project(tmp_path)), postgres)
    # a rebuild of the table drops marts.po_spend (CASCADE); the run rebuilds that view
    results = run(load_project(write_project(tmp_path)), postgres, "canonical.purchase_orders")
    assert [r.model for r in results] == ["canonical.purchase_orders", "marts.po_spend"]
    assert len(postgres.query("select * from marts.po_spend")) == 3
    with pytest.raises(ModelRunError, match=r"canonical\.purchase_orders: .*invalid input syntax"):
        run(
            load_project(write_project(tmp_path, BROKEN_ORDERS)),
            postgres,
            "canonical.purchase_orders+",
        )
    assert len(postgres.query("select * from canonical.purchase_orders")) == 3
    assert len(postgres.query("select * from marts.po_spend")) == 3
    assert not postgres.table_exists("canonical.purchase_orders__plantsync_stage")


def test_snowflake_replace_keeps_old_table_on_failure(
    tmp_path: Path, fake_snowflake: Warehouse
) -> None:
    from tests.warehouse.example_project import write_project
    from warehouse.errors import ModelRunError
    from warehouse.materialize import run

    create_raw(fake_snowflake)
    run(load_project(write_project(tmp_path)), fake_snowflake)
    with pytest.raises(ModelRunError, match=r"^canonical\.purchase_orders: "):
        run(
            load_project(write_project(tmp_path, BROKEN_ORDERS)),
            fake_snowflake,
            "canonical.purchase_orders+",
        )
    assert len(fake_snowflake.query("select * from canonical.purchase_orders")) == 3
