"""The durable webhook inbox: accepted events, committed before they are acknowledged.

SQLite in WAL mode by default, PostgreSQL when the URL says so (`PLANTSYNC_WEBHOOK_INBOX_URL`).
An event's life: *pending* (stored) -> *in flight* (claimed by a refetch run: `run_id` holds the
sensor's run key) -> *processed* (`processed_at` set, `run_id` the Dagster run id), or back to
pending when its run failed (`mark_failed`).

Duplicates: a delivery whose raw body equals one still pending for the same connection is the
same event (Makini retrying, or a replay) and gets no second row. The dedupe key is cleared when
the event is claimed, so the same body arriving *later* (the record changed again) is stored
and refetched again instead of being swallowed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

METADATA = sa.MetaData()
EVENTS = sa.Table(
    "webhook_events",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("connection_id", sa.String(200), nullable=False),
    sa.Column("event", sa.String(100), nullable=False),
    sa.Column("keys", sa.Text, nullable=False),  # JSON list of string keys
    sa.Column("body_sha256", sa.String(64), nullable=False),
    # body_sha256 while pending and unclaimed, NULL afterwards (NULLs never collide).
    sa.Column("dedupe_key", sa.String(64), nullable=True),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("run_id", sa.String(200), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.UniqueConstraint("connection_id", "dedupe_key", name="uq_webhook_events_dedupe"),
    sa.Index("ix_webhook_events_open", "processed_at", "run_id"),
)
MAX_ERROR_CHARS = 2000


@dataclass(frozen=True)
class NewEvent:
    """An accepted delivery, about to be stored."""

    connection_id: str
    event: str
    keys: Sequence[str]
    body_sha256: str


@dataclass(frozen=True)
class AddResult:
    id: int
    duplicate: bool


@dataclass(frozen=True)
class StoredEvent:
    id: int
    connection_id: str
    event: str
    keys: list[str]
    body_sha256: str
    received_at: datetime
    claimed_at: datetime | None
    processed_at: datetime | None
    run_id: str | None
    attempts: int
    last_error: str | None

    @property
    def entity(self) -> str:
        return self.event.rpartition(".")[0]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for name in ("received_at", "claimed_at", "processed_at"):
            if out[name] is not None:
                out[name] = out[name].isoformat().replace("+00:00", "Z")
        return out


def body_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands timestamps back naive; they were written in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (sensor, CLI) run beside the receiver's writes. synchronous=FULL fsyncs
    # the WAL on every commit: an acknowledged event survives power loss and OS crashes, not only
    # a killed process (NORMAL would). Group commit in the receiver pays one fsync per batch.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class Inbox:
    """Stored webhook events on SQLite (WAL) or PostgreSQL. Safe to share between threads."""

    def __init__(self, url: str) -> None:
        try:
            parsed = sa.make_url(url)
        except sa.exc.ArgumentError:
            raise ValueError(f"inbox URL {url!r} is not a SQLAlchemy database URL") from None
        self.url = parsed.render_as_string(hide_password=True)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(parsed)
        dialect = self.engine.dialect.name
        if dialect == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        elif dialect != "postgresql":
            raise ValueError(f"inbox URL {self.url!r} must be sqlite:// or postgresql://")
        METADATA.create_all(self.engine)
        # add_many is the receiver's hot path: one multi-row statement on the DB-API cursor per
        # batch. Each statement releases the GIL, and the writer thread may then wait for the
        # event loop to hand it back: few statements per batch keep those waits rare.
        self._mark = "?" if dialect == "sqlite" else "%s"
        self._is_sqlite = dialect == "sqlite"

    def close(self) -> None:
        self.engine.dispose()

    def add(self, connection_id: str, event: str, keys: Sequence[str], sha256: str) -> AddResult:
        """Store one event; committed before this returns."""
        return self.add_many([NewEvent(connection_id, event, keys, sha256)])[0]

    def add_many(self, events: Sequence[NewEvent]) -> list[AddResult]:
        """Store events in one transaction (group commit); committed before this returns."""
        now = datetime.now(UTC)
        # SQLAlchemy's SQLite DateTime reads back this text form; psycopg2 adapts datetimes.
        received_at = now.strftime("%Y-%m-%d %H:%M:%S.%f") if self._is_sqlite else now
        rows = [
            (
                e.connection_id,
                e.event,
                orjson.dumps(list(e.keys)).decode(),
                e.body_sha256,
                e.body_sha256,
                received_at,
            )
            for e in events
        ]
        if not rows:
            return []
        values = "(" + ", ".join([self._mark] * 6) + ", 0)"
        insert = (
            "insert into webhook_events (connection_id, event, keys, body_sha256, dedupe_key,"
            " received_at, attempts) values "
            + ", ".join([values] * len(rows))
            + " on conflict (connection_id, dedupe_key) do nothing"
            " returning id, connection_id, dedupe_key"
        )
        lookup = (
            f"select id from webhook_events where connection_id = {self._mark}"
            f" and dedupe_key = {self._mark}"
        )
        with self.engine.begin() as conn:
            cursor = conn.connection.cursor()
            try:
                cursor.execute(insert, [v for row in rows for v in row])
                # RETURNING order is unspecified: match rows back by their dedupe key.
                new_ids = {(c, k): i for i, c, k in cursor.fetchall()}
                results: list[AddResult] = []
                for e in events:
                    key = (e.connection_id, e.body_sha256)
                    new_id = new_ids.pop(key, None)
                    if new_id is not None:
                        results.append(AddResult(new_id, False))
                        continue
                    # Stored earlier, or earlier in this batch.
                    cursor.execute(lookup, key)
                    results.append(AddResult(cursor.fetchone()[0], True))
            finally:
                cursor.close()
        return results

    def pending(self, limit: int = 1000) -> list[StoredEvent]:
        """Events neither processed nor claimed by a run, oldest first."""
        query = (
            sa.select(EVENTS)
            .where(EVENTS.c.processed_at.is_(None), EVENTS.c.run_id.is_(None))
            .order_by(EVENTS.c.id)
            .limit(limit)
        )
        return self._fetch(query)

    def claim(self, ids: Iterable[int], run_key: str) -> None:
        """Mark events as in flight for the run with `run_key`; they stop being pending."""
        self._update(
            ids,
            run_id=run_key,
            claimed_at=datetime.now(UTC),
            dedupe_key=None,
            attempts=EVENTS.c.attempts + 1,
        )

    def in_flight(self) -> dict[str, list[StoredEvent]]:
        """Claimed, unprocessed events by the run key that claimed them."""
        query = (
            sa.select(EVENTS)
            .where(EVENTS.c.processed_at.is_(None), EVENTS.c.run_id.is_not(None))
            .order_by(EVENTS.c.id)
        )
        groups: dict[str, list[StoredEvent]] = {}
        for event in self._fetch(query):
            groups.setdefault(event.run_id or "", []).append(event)
        return groups

    def mark_processed(self, ids: Iterable[int], run_id: str) -> None:
        self._update(ids, processed_at=datetime.now(UTC), run_id=run_id, last_error=None)

    def mark_failed(self, ids: Iterable[int], error: str) -> None:
        """Put events back to pending (retried later), keeping why they failed."""
        self._update(ids, run_id=None, claimed_at=None, last_error=error[:MAX_ERROR_CHARS])

    def mark_skipped(self, ids: Iterable[int], reason: str) -> None:
        """Close events that no run can serve (e.g. an entity without a raw table), with why."""
        self._update(
            ids, processed_at=datetime.now(UTC), run_id=None, last_error=reason[:MAX_ERROR_CHARS]
        )

    def list_events(self, pending_only: bool = False) -> list[StoredEvent]:
        query = sa.select(EVENTS).order_by(EVENTS.c.id)
        if pending_only:
            query = query.where(EVENTS.c.processed_at.is_(None))
        return self._fetch(query)

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(EVENTS)).scalar_one()

    def _update(self, ids: Iterable[int], **values: Any) -> None:
        id_list = list(ids)
        if not id_list:
            return
        with self.engine.begin() as conn:
            conn.execute(sa.update(EVENTS).where(EVENTS.c.id.in_(id_list)).values(**values))

    def _fetch(self, query: sa.Select) -> list[StoredEvent]:
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            StoredEvent(
                id=row["id"],
                connection_id=row["connection_id"],
                event=row["event"],
                keys=orjson.loads(row["keys"]),
                body_sha256=row["body_sha256"],
                received_at=_utc(row["received_at"]),
                claimed_at=_utc(row["claimed_at"]),
                processed_at=_utc(row["processed_at"]),
                run_id=row["run_id"],
                attempts=row["attempts"],
                last_error=row["last_error"],
            )
            for row in rows
        ]
