"""Writing events: `add` in the transaction of the change, the payload rule, and what a handler gets."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.orm import Session, SessionTransaction
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.db import ErkenningSession, utcnow
from erkenning.core.outbox.models import EventStatus, OutboxEvent

if TYPE_CHECKING:
    from erkenning.core.runtime import Runtime

_NEW = "outbox.new"
_ROWS = "outbox.rows"
_MARKS = "outbox.savepoint_marks"
_INSERT = sa.insert(OutboxEvent.__table__)  # type: ignore[attr-defined]  # __table__ is untyped
_SAFE_STR = re.compile(r"^[A-Za-z0-9_.:@+\-]{0,100}$")


def check_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """Ids and codes only: a job payload never carries personal data or free text."""
    clean: dict[str, Any] = {}
    for key, value in payload.items():
        if isinstance(value, UUID):
            value = str(value)
        elif isinstance(value, date | datetime):
            value = value.isoformat()
        elif isinstance(value, str):
            if not _SAFE_STR.fullmatch(value):
                raise ValueError(f"outbox payload field {key!r} must be an id or code, not free text")
        elif isinstance(value, list | tuple):
            value = [str(v) if isinstance(v, UUID) else v for v in value]
            if not all(isinstance(v, int) or (isinstance(v, str) and _SAFE_STR.fullmatch(v)) for v in value):
                raise ValueError(f"outbox payload field {key!r} must hold ids or codes")
        elif not (value is None or isinstance(value, bool | int)):
            raise ValueError(f"outbox payload field {key!r} has unsupported type {type(value).__name__}")
        clean[key] = value
    return clean


@dataclass(frozen=True, slots=True)
class NewEvent:
    """What `add` wrote: the event's id and what it holds (not an ORM object: read the row for more)."""

    id: UUID
    topic: str
    payload: dict[str, Any]
    available_at: datetime


def add(session: AsyncSession, topic: str, *, available_at: datetime | None = None, **payload: Any) -> NewEvent:
    """Write an event in the current transaction; it is enqueued once the transaction commits.

    The row is held in the session and written by one core `INSERT` (all the rows held, at once) before
    the session's next flush, savepoint or commit (`ErkenningSession.writers`), not as an ORM object:
    the ORM's construction and unit of work cost about twice the statement itself on the producer's
    path (issue 19, ADR 0014). It commits or rolls back with the transaction; a savepoint rolled back
    drops the events added inside it and keeps those added before it (written before its SAVEPOINT);
    an ORM query later in the transaction sees it (its autoflush writes it first).
    """
    now = utcnow()
    event = NewEvent(uuid4(), topic, check_payload(payload), available_at or now)
    session.info.setdefault(_ROWS, []).append({
        "id": event.id, "topic": topic, "payload": event.payload, "status": EventStatus.PENDING,
        "attempts": 0, "created_at": now, "available_at": event.available_at,
    })
    enqueue_after_commit(session, (event.id, event.available_at))
    return event


def _write_rows(session: Session) -> None:
    """The rows `add` holds, in one statement on the session's connection (see `ErkenningSession`)."""
    rows = session.info.pop(_ROWS, None)
    if rows:
        session.connection().execute(_INSERT, rows if len(rows) > 1 else rows[0])


def _drop_rows(session: Session) -> None:
    session.info.pop(_ROWS, None)


ErkenningSession.writers.append(_write_rows)
ErkenningSession.droppers.append(_drop_rows)


@sa.event.listens_for(ErkenningSession, "before_commit")
def _write_before_commit(session: Session) -> None:
    _write_rows(session)


@sa.event.listens_for(ErkenningSession, "after_soft_rollback")
def _drop_unwritten(session: Session, previous_transaction: SessionTransaction) -> None:
    # Every savepoint begins by writing the rows held, so the rows still held when a savepoint (or the
    # transaction) rolls back were all added inside it: none of them happened.
    session.info.pop(_ROWS, None)


@sa.event.listens_for(ErkenningSession, "after_transaction_end")
def _drop_unwritten_at_end(session: Session, transaction: SessionTransaction) -> None:
    # A transaction closed without commit or rollback (the session closed) wrote nothing either.
    if transaction.parent is None:
        session.info.pop(_ROWS, None)


def topic_for_sql(topic: str) -> str:
    """A topic that a set-based statement writes into `outbox_event` itself rather than through `add`
    (its events then go to `enqueue_after_commit`, or to `Queue.enqueue` by the caller once its
    transaction has committed, as the deadline sweep does); named through this call so that the
    wiring's check (tests/unit/test_wiring.py) finds it as it finds `add`'s."""
    return topic


def enqueue_after_commit(session: AsyncSession, *events: tuple[UUID, datetime]) -> None:
    """Note events (id, available_at) this transaction makes due, for `take_new` once it commits: those
    `add` writes, and those a set-based statement inserts into `outbox_event` itself."""
    session.info.setdefault(_NEW, []).extend(events)


@sa.event.listens_for(ErkenningSession, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    # Where the notes stood when a savepoint began: its rollback forgets those noted after.
    if transaction.nested:
        session.info.setdefault(_MARKS, {})[transaction] = len(session.info.get(_NEW, ()))


@sa.event.listens_for(ErkenningSession, "after_soft_rollback")
def _forget_new(session: Session, previous_transaction: SessionTransaction) -> None:
    # Events of a rolled-back transaction were never written: nothing to enqueue; a rolled-back
    # savepoint takes only the events noted inside it. (This listened to `after_rollback`, which
    # SQLAlchemy also fires for a savepoint: a batch's failing event made the triggers of the events
    # before it in the job's transaction be forgotten, left to the sweep.)
    mark = session.info.get(_MARKS, {}).pop(previous_transaction, None)
    if mark is not None:
        del session.info.get(_NEW, [])[mark:]
    elif previous_transaction.parent is None:
        session.info.pop(_NEW, None)


@sa.event.listens_for(ErkenningSession, "after_transaction_end")
def _end_savepoints(session: Session, transaction: SessionTransaction) -> None:
    # The marks of released savepoints, once their transaction ends (SQLAlchemy ends a savepoint before
    # it fires `after_soft_rollback`, so a mark cannot go when its savepoint ends).
    if transaction.parent is None:
        session.info.pop(_MARKS, None)


def take_new(session: AsyncSession) -> list[tuple[UUID, datetime]]:
    """The events this session added, once (called after commit)."""
    return session.info.pop(_NEW, None) or []


# ---------------------------------------------------------------- handlers


class Event(Protocol):
    """What a handler reads of its event: a `ClaimedEvent`, or an `OutboxEvent` row (the batch's further
    events, and tests that run a handler on an event they read)."""

    @property
    def id(self) -> UUID: ...

    @property
    def topic(self) -> str: ...

    @property
    def payload(self) -> dict[str, Any]: ...

    @property
    def attempts(self) -> int: ...

    @property
    def status(self) -> EventStatus: ...


@dataclass(frozen=True, slots=True)
class ClaimedEvent:
    """An event as the claim found it (pending, `attempts` the runs before this one), read from the claim's
    `RETURNING`: a plain record, not an ORM object. Building an `OutboxEvent` per event (SQLModel's
    validation and SQLAlchemy's instrumentation) cost about 0.2 ms of CPU, an eighth of the worker's
    own work per event (issue 19); the row is already marked, so nothing would be written through it."""

    id: UUID
    topic: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    available_at: datetime
    enqueued_at: datetime | None
    last_error: str | None
    status: EventStatus = EventStatus.PENDING  # as the claim found it; the row itself is marked done


@dataclass
class EventContext:
    """What a handler gets: the session of the claiming transaction, the event and the runtime."""

    session: AsyncSession
    event: Event
    runtime: Runtime

    @property
    def payload(self) -> dict[str, Any]:
        return self.event.payload


HandlerFn = Callable[[EventContext], Awaitable[None]]


@dataclass(frozen=True)
class Handler:
    """The function that carries out events of one topic; `external` when it has an effect outside the
    database that a rolled-back transaction cannot take back (it sends an e-mail, calls a webhook)."""

    topic: str
    run: HandlerFn
    external: bool = False


class Handlers:
    """One handler per topic: built where the worker is built, held by the runtime that runs events."""

    def __init__(self, handlers: Iterable[Handler] = ()) -> None:
        self._by_topic: dict[str, Handler] = {}
        for spec in handlers:
            if spec.topic in self._by_topic:
                raise ValueError(f"outbox topic {spec.topic!r} has two handlers")
            self._by_topic[spec.topic] = spec
        # A batch takes none of these besides its own job's event: should its commit be lost, at most
        # that one effect repeats.
        self.external = frozenset(topic for topic, spec in self._by_topic.items() if spec.external)

    def __contains__(self, topic: object) -> bool:
        return topic in self._by_topic

    def __iter__(self) -> Iterator[Handler]:
        return iter(self._by_topic.values())

    def __len__(self) -> int:
        return len(self._by_topic)

    def get(self, topic: str) -> Handler:
        spec = self._by_topic.get(topic)
        if spec is None:
            raise LookupError(f"no handler for topic {topic}")
        return spec

    def with_(self, *more: Handler) -> Handlers:
        """These and `more` (a test's or the benchmark's own topics)."""
        return Handlers([*self, *more])
