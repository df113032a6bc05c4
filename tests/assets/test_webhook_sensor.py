"""`makini_webhook_sensor` over several ticks on a persistent instance.

Runs are executed by a stub `makini_refetch_job` that records its config (the real refetch is
tested end to end elsewhere); the sensor finds them on the instance by tag, as in production.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from assets.makini_ingest import refetch_run_config
from assets.tags import CONNECTION_TAG
from assets.webhook_sensor import (
    EVENT_IDS_TAG,
    ORPHANED_AFTER_S,
    RUN_KEY_TAG,
    build_webhook_sensor,
)
from webhooks.inbox import Inbox, body_sha256

RECORDED: list[dict] = []


def stub_refetch_job(fail: bool = False) -> dg.JobDefinition:
    @dg.op(name="makini_ingest", config_schema=dg.Permissive())
    def refetch(context) -> None:  # no annotation: the future import makes it a string
        RECORDED.append(dict(context.op_config))
        if fail:
            raise RuntimeError("Makini answered 503")

    @dg.job(name="makini_refetch_job")
    def job() -> None:
        refetch()

    return job


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.local_temp() as instance:
        yield instance


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    monkeypatch.setenv("PLANTSYNC_WEBHOOK_INBOX_URL", url)
    RECORDED.clear()
    box = Inbox(url)
    yield box
    box.close()


def deliver(inbox: Inbox, connection_id: str, event: str, keys: list[str]) -> int:
    body = json.dumps({"event": event, "body": keys}).encode()
    return inbox.add(connection_id, event, keys, body_sha256(body)).id


def tick(instance: dg.DagsterInstance, cursor: str | None = None) -> dg.SensorResult:
    context = dg.build_sensor_context(instance=instance, cursor=cursor)
    return build_webhook_sensor(stub_refetch_job())(context)


def execute(instance: dg.DagsterInstance, request: dg.RunRequest, fail: bool = False) -> str:
    result = stub_refetch_job(fail).execute_in_process(
        run_config=request.run_config, instance=instance, tags=request.tags, raise_on_error=False
    )
    return result.run_id


def test_nothing_pending_requests_no_run(instance: dg.DagsterInstance, inbox: Inbox) -> None:
    result = tick(instance)
    assert result.run_requests == []
    assert result.skip_reason is not None
    assert json.loads(result.cursor) == {"in_flight": {}}


def test_one_run_per_connection_and_entity(instance: dg.DagsterInstance, inbox: Inbox) -> None:
    po_1 = deliver(inbox, "conn-a", "purchase-orders.updated", ["PO-2", "PO-1"])
    po_2 = deliver(inbox, "conn-a", "purchase-orders.inserted", ["PO-3", "PO-2"])
    site = deliver(inbox, "conn-a", "sites.updated", ["S-1"])
    other = deliver(inbox, "conn-b", "purchase-orders.updated", ["PO-1"])

    result = tick(instance)

    by_ids = {r.tags[EVENT_IDS_TAG]: r for r in result.run_requests}
    assert set(by_ids) == {f"{po_1},{po_2}", str(site), str(other)}
    expected = {
        f"{po_1},{po_2}": ("conn-a", {"purchase-orders": ["PO-1", "PO-2", "PO-3"]}),
        str(site): ("conn-a", {"sites": ["S-1"]}),
        str(other): ("conn-b", {"purchase-orders": ["PO-1"]}),
    }
    for ids, request in by_ids.items():
        connection_id, keys = expected[ids]
        assert request.job_name == "makini_refetch_job"
        assert request.tags[CONNECTION_TAG] == connection_id
        assert request.run_config == refetch_run_config(connection_id, keys)
        assert request.tags[RUN_KEY_TAG] == request.run_key
    assert inbox.pending() == []  # claimed: the next tick will not request them again
    assert set(json.loads(result.cursor)["in_flight"]) == {r.run_key for r in result.run_requests}


def test_stub_job_receives_the_keys(instance: dg.DagsterInstance, inbox: Inbox) -> None:
    deliver(inbox, "conn-a", "purchase-orders.updated", ["PO-9", "PO-1"])
    [request] = tick(instance).run_requests
    execute(instance, request)
    assert [request.run_config["ops"]["makini_ingest"]["config"]] == RECORDED


def test_run_in_progress_is_left_alone(instance: dg.DagsterInstance, inbox: Inbox) -> None:
    deliver(inbox, "conn-a", "sites.updated", ["S-1"])
    first = tick(instance)
    second = tick(instance, first.cursor)  # the run has not started yet
    assert second.run_requests == []
    assert json.loads(second.cursor) == json.loads(first.cursor)
    assert inbox.pending() == [] and len(inbox.in_flight()) == 1


def test_run_succeeded_marks_events_processed(instance: dg.DagsterInstance, inbox: Inbox) -> None:
    ids = [
        deliver(inbox, "conn-a", "purchase-orders.updated", ["PO-1"]),
        deliver(inbox, "conn-a", "purchase-orders.updated", ["PO-2"]),
    ]
    first = tick(instance)
    run_id = execute(instance, first.run_requests[0])

    second = tick(instance, first.cursor)

    assert second.run_requests == []
    assert json.loads(second.cursor) == {"in_flight": {}}
    stored = inbox.list_events()
    assert [(e.id, e.run_id) for e in stored] == [(i, run_id) for i in ids]
    assert all(e.processed_at is not None for e in stored)


def test_run_failed_is_requested_again(instance: dg.DagsterInstance, inbox: Inbox) -> None:
    event_id = deliver(inbox, "conn-a", "assets.updated", ["A-1"])
    first = tick(instance)
    failed_run = execute(instance, first.run_requests[0], fail=True)

    second = tick(instance, first.cursor)

    [retry] = second.run_requests
    assert retry.run_key != first.run_requests[0].run_key
    assert retry.tags[EVENT_IDS_TAG] == str(event_id)
    assert retry.run_config == first.run_requests[0].run_config
    [event] = inbox.list_events()
    assert event.attempts == 2 and event.processed_at is None
    assert event.last_error == f"run {failed_run} failure"

    run_id = execute(instance, retry)
    third = tick(instance, second.cursor)
    assert third.run_requests == []
    assert inbox.list_events()[0].run_id == run_id


def test_claim_without_a_run_is_released(instance: dg.DagsterInstance, inbox: Inbox) -> None:
    deliver(inbox, "conn-a", "sites.updated", ["S-1"])
    first = tick(instance)
    state = json.loads(first.cursor)
    state["in_flight"] = {k: v - ORPHANED_AFTER_S - 1 for k, v in state["in_flight"].items()}

    second = tick(instance, json.dumps(state))  # the first tick's run never reached the instance

    [again] = second.run_requests
    assert again.run_key != first.run_requests[0].run_key
    assert "never launched" in inbox.list_events()[0].last_error


def test_new_delivery_during_a_run_gets_its_own_run(
    instance: dg.DagsterInstance, inbox: Inbox
) -> None:
    deliver(inbox, "conn-a", "purchase-orders.updated", ["PO-1"])
    first = tick(instance)
    deliver(inbox, "conn-a", "purchase-orders.updated", ["PO-1"])  # changed again meanwhile
    second = tick(instance, first.cursor)
    assert len(second.run_requests) == 1
    assert second.run_requests[0].run_key != first.run_requests[0].run_key


def test_entity_without_a_refetch_is_closed_with_a_reason(
    instance: dg.DagsterInstance, inbox: Inbox
) -> None:
    deliver(inbox, "conn-a", "work-orders.updated", ["WO-1"])
    result = tick(instance)
    assert result.run_requests == []
    [event] = inbox.list_events()
    assert event.processed_at is not None and event.run_id is None
    assert event.last_error.startswith("not refetched: ")
