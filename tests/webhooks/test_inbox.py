"""The durable inbox on SQLite (WAL) and PostgreSQL: dedupe, lifecycle, durability settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from webhooks.inbox import AddResult, Inbox, NewEvent, body_sha256


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def inbox_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'inbox' / 'webhooks.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def inbox(inbox_url: str) -> Iterator[Inbox]:
    box = Inbox(inbox_url)
    yield box
    box.close()


def event(n: int, connection_id: str = "conn-a", entity: str = "purchase-orders") -> NewEvent:
    body = f'{{"event":"{entity}.updated","body":["K{n}"]}}'.encode()
    return NewEvent(connection_id, f"{entity}.updated", [f"K{n}"], body_sha256(body))


def test_add_is_committed_before_it_returns(inbox: Inbox, inbox_url: str) -> None:
    result = inbox.add("conn-a", "sites.inserted", ["S1", "S2"], "ab" * 32)
    other = Inbox(inbox_url)  # its own engine and connections: sees only committed rows
    try:
        [stored] = other.list_events()
    finally:
        other.close()
    assert result == AddResult(stored.id, duplicate=False)
    assert (stored.connection_id, stored.event, stored.keys) == (
        "conn-a",
        "sites.inserted",
        ["S1", "S2"],
    )
    assert stored.entity == "sites"
    assert stored.received_at.tzinfo is not None
    assert (stored.processed_at, stored.run_id, stored.attempts) == (None, None, 0)


def test_same_body_same_connection_is_a_duplicate(inbox: Inbox) -> None:
    first = inbox.add_many([event(1)])[0]
    again = inbox.add_many([event(1)])[0]
    assert again == AddResult(first.id, duplicate=True)
    assert inbox.count() == 1


def test_same_body_other_connection_is_new(inbox: Inbox) -> None:
    a, b = inbox.add_many([event(1, "conn-a"), event(1, "conn-b")])
    assert not a.duplicate and not b.duplicate and a.id != b.id


def test_duplicates_inside_one_batch(inbox: Inbox) -> None:
    results = inbox.add_many([event(1), event(2), event(1), event(3), event(2)])
    ids = [r.id for r in results]
    assert [r.duplicate for r in results] == [False, False, True, False, True]
    assert ids[0] == ids[2] and ids[1] == ids[4] and len(set(ids)) == 3
    assert inbox.count() == 3


def test_batch_results_keep_request_order(inbox: Inbox) -> None:
    events = [event(n, f"conn-{n % 3}") for n in range(300)]
    results = inbox.add_many(events)
    stored = {e.id: e for e in inbox.list_events()}
    for sent, result in zip(events, results, strict=True):
        assert stored[result.id].body_sha256 == sent.body_sha256
        assert stored[result.id].connection_id == sent.connection_id


def test_lifecycle_claim_process(inbox: Inbox) -> None:
    ids = [r.id for r in inbox.add_many([event(1), event(2), event(3)])]
    assert [e.id for e in inbox.pending()] == ids
    assert [e.id for e in inbox.pending(limit=2)] == ids[:2]
    inbox.claim(ids[:2], "run-key-1")
    assert [e.id for e in inbox.pending()] == ids[2:]
    assert {k: [e.id for e in v] for k, v in inbox.in_flight().items()} == {"run-key-1": ids[:2]}
    inbox.mark_processed(ids[:2], "dagster-run-1")
    assert inbox.in_flight() == {}
    done = [e for e in inbox.list_events() if e.processed_at is not None]
    assert [(e.id, e.run_id, e.attempts) for e in done] == [
        (ids[0], "dagster-run-1", 1),
        (ids[1], "dagster-run-1", 1),
    ]
    assert [e.id for e in inbox.list_events(pending_only=True)] == ids[2:]


def test_failed_events_are_pending_again(inbox: Inbox) -> None:
    [result] = inbox.add_many([event(1)])
    inbox.claim([result.id], "run-key-1")
    inbox.mark_failed([result.id], "run abc failed: " + "x" * 5000)
    [again] = inbox.pending()
    assert again.id == result.id
    assert again.attempts == 1 and again.run_id is None
    assert again.last_error.startswith("run abc failed") and len(again.last_error) == 2000


def test_same_body_after_claim_is_stored_again(inbox: Inbox) -> None:
    # The record changed again while (or after) its refetch ran: that change must not be lost.
    first = inbox.add_many([event(1)])[0]
    inbox.claim([first.id], "run-key-1")
    second = inbox.add_many([event(1)])[0]
    assert not second.duplicate and second.id != first.id
    assert inbox.add_many([event(1)])[0] == AddResult(second.id, duplicate=True)


def test_events_survive_reopening(inbox_url: str) -> None:
    box = Inbox(inbox_url)
    box.add_many([event(1), event(2)])
    box.close()
    reopened = Inbox(inbox_url)
    try:
        assert reopened.count() == 2
        assert reopened.add_many([event(2)])[0].duplicate
    finally:
        reopened.close()


def test_sqlite_runs_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    box = Inbox(f"sqlite:///{tmp_path / 'inbox.db'}")
    try:
        with box.engine.connect() as conn:
            assert conn.exec_driver_sql("pragma journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("pragma synchronous").scalar() == 2  # FULL
    finally:
        box.close()


def test_dedupe_is_a_database_constraint(inbox: Inbox) -> None:
    inbox.add_many([event(1)])
    with pytest.raises(sa.exc.IntegrityError), inbox.engine.begin() as conn:
        conn.exec_driver_sql(
            "insert into webhook_events (connection_id, event, keys, body_sha256, dedupe_key,"
            " received_at, attempts) select connection_id, event, keys, body_sha256,"
            " dedupe_key, received_at, 0 from webhook_events"
        )


@pytest.mark.parametrize("url", ["not a url", "mysql+pymysql://root@127.0.0.1/x"])
def test_bad_urls_are_named(url: str) -> None:
    with pytest.raises(ValueError, match="inbox URL"):
        Inbox(url)
