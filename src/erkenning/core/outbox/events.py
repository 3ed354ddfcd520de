"""Writing events: `add` in the transaction of the change, the payload rule, and what a handler gets."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.db import ErkenningSession, utcnow
from erkenning.core.outbox.models import OutboxEvent

if TYPE_CHECKING:
    from erkenning.core.runtime import Runtime

_NEW = "outbox.new"
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


def add(session: AsyncSession, topic: str, *, available_at: datetime | None = None, **payload: Any) -> OutboxEvent:
    """Write an event in the current transaction; it is enqueued once the transaction commits."""
    now = utcnow()
    event = OutboxEvent(id=uuid4(), topic=topic, payload=check_payload(payload), available_at=available_at or now)
    session.add(event)
    enqueue_after_commit(session, (event.id, event.available_at))
    return event


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


@sa.event.listens_for(ErkenningSession, "after_rollback")
def _forget_new(session: Session) -> None:
    # Events of a rolled-back transaction were never written: nothing to enqueue.
    session.info.pop(_NEW, None)


def take_new(session: AsyncSession) -> list[tuple[UUID, datetime]]:
    """The events this session added, once (called after commit)."""
    return session.info.pop(_NEW, None) or []


def added_so_far(session: AsyncSession) -> int:
    """How many events this transaction has added: a mark for `forget_added_since`."""
    return len(session.info.get(_NEW, ()))


def forget_added_since(session: AsyncSession, mark: int) -> None:
    """The events added after `mark` were rolled back with their savepoint: nothing to enqueue."""
    del session.info.get(_NEW, [])[mark:]


# ---------------------------------------------------------------- handlers


@dataclass
class EventContext:
    """What a handler gets: the session of the claiming transaction, the event and the runtime."""

    session: AsyncSession
    event: OutboxEvent
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
