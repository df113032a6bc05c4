"""The thin warehouse layer behaves the same on DuckDB, PostgreSQL and Snowflake (fakesnow)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from warehouse.connections import Warehouse, WarehouseConnectionError, connect

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # fakesnow's arrow-copy notice


@pytest.fixture(params=["duckdb", "postgres", "snowflake"])
def warehouse(request: pytest.FixtureRequest, duckdb_path: Path) -> Iterator[Warehouse]:
    if request.param == "duckdb":
        opened = connect("duckdb", duckdb_path=duckdb_path)
    elif request.param == "postgres":
        opened = connect("postgres", postgres_url=request.getfixturevalue("postgres_url"))
    else:
        import fakesnow

        patcher = fakesnow.patch()
        patcher.__enter__()
        request.addfinalizer(lambda: patcher.__exit__(None, None, None))
        opened = connect("snowflake", snowflake={"database": "plantsync", "schema": "public"})
    yield opened
    opened.close()


def test_tables_views_and_columns(warehouse: Warehouse) -> None:
    warehouse.create_schema("canonical")
    warehouse.execute("create table canonical.orders as select 1 as id, 'x' as name")
    warehouse.execute(
        "create or replace view canonical.order_names as select name from canonical.orders"
    )
    assert warehouse.relation_type("canonical.orders") == "table"
    assert warehouse.relation_type("canonical.order_names") == "view"
    assert not warehouse.table_exists("canonical.nothing")
    assert warehouse.relations(["canonical", "marts"]) == {
        "canonical.orders": "table",
        "canonical.order_names": "view",
    }
    assert warehouse.relations([]) == {}
    assert [name for name, _ in warehouse.columns("canonical.orders")] == ["id", "name"]
    rows = warehouse.query("select id, name from canonical.orders")
    assert (list(rows), rows.columns) == ([(1, "x")], ["id", "name"])


def test_transaction_rolls_back(warehouse: Warehouse) -> None:
    warehouse.create_schema("canonical")
    warehouse.execute("create table canonical.t as select 1 as id")
    with pytest.raises(RuntimeError), warehouse.transaction():
        warehouse.execute("insert into canonical.t values (2)")
        raise RuntimeError("boom")
    assert warehouse.query("select count(*) from canonical.t")[0][0] == 1


def test_unknown_destination_and_missing_settings() -> None:
    with pytest.raises(ValueError, match="'oracle' is not one of"):
        connect("oracle")
    with pytest.raises(ValueError, match="postgres_url"):
        connect("postgres")


def test_unreachable_database_names_the_destination() -> None:
    with pytest.raises(WarehouseConnectionError, match="cannot connect to postgres"):
        connect("postgres", postgres_url="postgresql://nobody@127.0.0.1:1/none")
