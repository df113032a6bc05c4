"""Makini loads into PostgreSQL from concurrent runs: one dlt pipeline (and state) per connection,
taking over the shared `makini` state, and one load at a time per dataset."""

from __future__ import annotations

import threading
import time
from urllib.parse import parse_qs

import psycopg2
import pytest
import requests
from dlt.pipeline.state_sync import decompress_state

from assets.connection_loads import (
    connection_pipeline_name,
    load_lock,
    shared_state,
    sync_each_connection,
)
from assets.resources import MakiniResource
from pipelines.destinations import warehouse_pipeline
from pipelines.makini.pipeline import sync
from pipelines.makini.tables import DATASET, PIPELINE_NAME, RAW_TABLES
from settings import parse_connections
from settings.warehouse import WarehouseSettings
from warehouse.errors import WriterBusy

pytestmark = pytest.mark.postgres
PO = "/api/erp/purchase-orders"


@pytest.fixture
def sandbox(makini_sandbox):
    return makini_sandbox(seed=41, connections=2, purchase_orders=25)


@pytest.fixture
def location(postgres_url, isolated_env) -> WarehouseSettings:
    return WarehouseSettings(
        "postgres", postgres_url=postgres_url, state_root=isolated_env / "state"
    )


def _makini(sandbox) -> MakiniResource:
    return MakiniResource(
        base_url=sandbox.base_url, connections=sandbox.connections_json(), http_max_delay_s=0
    )


def _load(location, sandbox, connection_ids, messages=None):
    connections = parse_connections(sandbox.connections_json())
    chosen = [c for c in connections if c.id in connection_ids]
    return sync_each_connection(
        location,
        _makini(sandbox),
        chosen,
        list(RAW_TABLES),
        None,
        wait_s=30,
        on_wait=(messages if messages is not None else []).append,
    )


def _state(url: str, pipeline_name: str) -> dict:
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "select state from raw_makini._dlt_pipeline_state where pipeline_name = %s "
            "order by version desc limit 1",
            (pipeline_name,),
        )
        return decompress_state(cursor.fetchone()[0])


def _order_requests(sandbox) -> list[dict]:
    log = requests.get(f"{sandbox.base_url}/_sandbox/requests", timeout=10).json()
    return [e for e in log if e["path"] == PO]


@pytest.mark.slow
def test_each_connection_keeps_its_own_watermarks(location, sandbox, postgres_url) -> None:
    report = _load(location, sandbox, {"conn-1", "conn-2"})

    assert not report.failures
    for connection_id in ("conn-1", "conn-2"):
        state = _state(postgres_url, connection_pipeline_name(connection_id))
        watermarks = state["sources"]["makini"]["watermarks"]
        assert set(watermarks["purchase_orders"]) == {connection_id}


@pytest.mark.slow
def test_first_own_load_continues_from_the_shared_state(location, sandbox, postgres_url) -> None:
    with warehouse_pipeline(PIPELINE_NAME, DATASET, location) as pipeline:
        sync(pipeline, sandbox.base_url, parse_connections(sandbox.connections_json()))
    shared = shared_state(location)["sources"]["makini"]["watermarks"]["purchase_orders"]
    requests.delete(f"{sandbox.base_url}/_sandbox/requests", timeout=10)

    _load(location, sandbox, {"conn-1"})

    (first,) = [r for r in _order_requests(sandbox) if r["connection_id"] == "conn-1"]
    since = parse_qs(first["query"])["filter[updatedAt:gteq]"]
    assert since, "the first load through its own pipeline fetched everything again"
    own = _state(postgres_url, connection_pipeline_name("conn-1"))
    assert own["sources"]["makini"]["watermarks"]["purchase_orders"] == {"conn-1": shared["conn-1"]}


@pytest.mark.slow
def test_a_load_waits_for_the_one_in_progress(location, sandbox, postgres_url) -> None:
    messages: list[str] = []
    finished: list[float] = []

    def load() -> None:
        _load(location, sandbox, {"conn-2"}, messages)
        finished.append(time.monotonic())

    with load_lock(location, DATASET, 5, messages.append):
        loader = threading.Thread(target=load)
        loader.start()
        time.sleep(3)
        released = time.monotonic()
        assert not finished
    loader.join(timeout=60)

    assert finished and finished[0] >= released
    assert messages == [f"waiting for another load into {DATASET} to finish"]
    with psycopg2.connect(postgres_url) as connection, connection.cursor() as cursor:
        cursor.execute("select count(*) from raw_makini.purchase_orders")
        assert cursor.fetchone()[0] == 25


def test_a_load_gives_up_naming_the_wait_setting(location) -> None:
    holder = load_lock(location, DATASET, 5, lambda _: None)
    waiter = load_lock(location, DATASET, 0.5, lambda _: None)
    with holder, pytest.raises(WriterBusy) as busy, waiter:
        pass
    assert "PLANTSYNC_WRITER_WAIT_S=0.5s" in str(busy.value)


def test_no_connection_to_load_still_creates_the_tables(location, sandbox, postgres_url) -> None:
    _load(location, sandbox, set())

    with psycopg2.connect(postgres_url) as connection, connection.cursor() as cursor:
        cursor.execute("select count(*) from raw_makini.purchase_orders")
        assert cursor.fetchone()[0] == 0


def test_pipeline_names_are_safe_folder_names() -> None:
    assert connection_pipeline_name("conn-1") == "makini__conn-1"
    odd = connection_pipeline_name("plant a/b")
    assert odd.startswith("makini__") and "/" not in odd and " " not in odd
