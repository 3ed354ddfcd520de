"""Transactional outbox: add an event in the transaction of the change, enqueue after commit, claim in a task.

PostgreSQL holds the truth (the `outbox_event` row); Redis only carries a trigger whose job id is
the event id. A handler runs in the same transaction that marks its event done, under a row lock,
so a job that runs twice (arq is at-least-once) has one effect.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from arq.connections import ArqRedis
from redis.exceptions import RedisError
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import metrics
from erkenning.core.db import ErkenningSession, enum_field, json_field, timestamp_field, utcnow
from erkenning.core.errors import DomainError, NotFound, is_unavailable, waited_for_lock
from erkenning.core.logging import get_logger

if TYPE_CHECKING:
    from erkenning.core.runtime import Runtime

log = get_logger(__name__)

_NEW = "outbox.new"
TASK_NAME = "process_event"
_SAFE_STR = re.compile(r"^[A-Za-z0-9_.:@+\-]{0,100}$")
_MAX_BACKOFF_S = 3600.0
_BATCH_LOCK_WAIT_MS = 50  # how long a batch's further event may wait for a lock before it is left to its own job


class EventStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    DEAD = "dead"


class OutboxEvent(SQLModel, table=True):
    """Work that must happen after a change commits (a notification, a workflow step)."""

    __tablename__ = "outbox_event"
    __table_args__ = (
        # The sweep costs by what is due, not by what exists.
        sa.Index(
            "ix_outbox_event_pending_due",
            "available_at",
            postgresql_where=sa.text("status = 'pending'"),
        ),
        sa.Index("ix_outbox_event_dead", "created_at", postgresql_where=sa.text("status = 'dead'")),
    )

    id: UUID = Field(primary_key=True)
    topic: str = Field(max_length=100, index=True)
    payload: dict[str, Any] = json_field()
    status: EventStatus = enum_field(EventStatus, default=EventStatus.PENDING)
    attempts: int = Field(default=0)
    created_at: datetime = timestamp_field(default_now=True)
    available_at: datetime = timestamp_field(default_now=True)
    enqueued_at: datetime | None = timestamp_field(nullable=True)
    done_at: datetime | None = timestamp_field(nullable=True)
    last_error: str | None = Field(default=None, max_length=300)


def _check_payload(payload: dict[str, Any]) -> dict[str, Any]:
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
    event = OutboxEvent(id=uuid4(), topic=topic, payload=_check_payload(payload), available_at=available_at or now)
    session.add(event)
    session.info.setdefault(_NEW, []).append((event.id, event.available_at))
    return event


@sa.event.listens_for(ErkenningSession, "after_rollback")
def _forget_new(session: Session) -> None:
    # Events of a rolled-back transaction were never written: nothing to enqueue.
    session.info.pop(_NEW, None)


def take_new(session: AsyncSession) -> list[tuple[UUID, datetime]]:
    """The events this session added, once (called after commit)."""
    return session.info.pop(_NEW, None) or []


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


Handler = Callable[[EventContext], Awaitable[None]]
HANDLERS: dict[str, Handler] = {}
# Topics whose handler reaches outside the database (sends an e-mail, calls a webhook). A batch takes
# none of them besides its own job's event: should its commit be lost, at most that one effect repeats.
EXTERNAL: set[str] = set()


def handler(topic: str, *, external: bool = False) -> Callable[[Handler], Handler]:
    """Register the function that carries out events of one topic (one per topic); `external` when it
    has an effect outside the database that a rolled-back transaction cannot take back."""

    def register(fn: Handler) -> Handler:
        if topic in HANDLERS and HANDLERS[topic] is not fn:
            raise RuntimeError(f"outbox topic {topic!r} already has a handler")
        HANDLERS[topic] = fn
        if external:
            EXTERNAL.add(topic)
        return fn

    return register


# ---------------------------------------------------------------- the queue (Redis side)


class Queue:
    """Puts triggers on the arq queue; never raises: a failed enqueue is caught up by the sweep."""

    def __init__(self, redis: ArqRedis, queue_name: str, timeout_s: float) -> None:
        self.redis = redis
        self.queue_name = queue_name
        self.timeout_s = timeout_s
        self._closed_until = 0.0  # circuit breaker: skip Redis for a moment after it failed

    async def enqueue(self, events: list[tuple[UUID, datetime]], *, attempt: int = 0) -> int:
        if not events or time.monotonic() < self._closed_until:
            return 0
        done = 0
        now = utcnow()
        try:
            for event_id, available_at in events:
                job_id = str(event_id) if attempt == 0 else f"{event_id}:{attempt}"
                defer = available_at if available_at > now else None
                await asyncio.wait_for(
                    self.redis.enqueue_job(
                        TASK_NAME, str(event_id), _job_id=job_id, _queue_name=self.queue_name, _defer_until=defer
                    ),
                    self.timeout_s,
                )
                done += 1
        except (RedisError, OSError, TimeoutError) as exc:
            self._closed_until = time.monotonic() + 5.0
            log.warning("outbox.enqueue_failed", error=type(exc).__name__, waiting=len(events) - done)
        return done

    async def depth(self) -> int:
        return int(await asyncio.wait_for(self.redis.zcard(self.queue_name), self.timeout_s))

    async def ping(self) -> bool:
        return bool(await asyncio.wait_for(self.redis.ping(), self.timeout_s))


# ---------------------------------------------------------------- worker side


async def claim(session: AsyncSession, event_id: UUID) -> OutboxEvent | None:
    """Lock the event; None when it is done, dead or not yet due (someone else's or nothing to do)."""
    event = await session.get(OutboxEvent, event_id, with_for_update=True, populate_existing=True)
    if event is None or event.status is not EventStatus.PENDING or event.available_at > utcnow():
        return None
    return event


async def claim_due(session: AsyncSession, *, limit: int, besides: UUID) -> list[OutboxEvent]:
    """Lock up to `limit` more due events, oldest first, passing over those another transaction holds
    and those of external topics (each of those runs in a transaction of its own)."""
    stmt = (
        select(OutboxEvent)
        .where(OutboxEvent.status == EventStatus.PENDING)
        .where(col(OutboxEvent.available_at) <= utcnow())
        .where(OutboxEvent.id != besides)
        .where(col(OutboxEvent.topic).not_in(sorted(EXTERNAL)))
        .order_by(col(OutboxEvent.available_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return list((await session.exec(stmt)).all())


class RecentlyDone:
    """What this process knows of events without asking the database.

    `add` records an event committed as done (its later triggers need no query); `running` marks
    events a batch of this process holds, so a trigger for one of them waits for that batch instead
    of queueing on the row lock with a connection of its own.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._ids: OrderedDict[UUID, None] = OrderedDict()
        self._size = size
        self._running: dict[UUID, asyncio.Event] = {}

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._ids

    def add(self, event_id: UUID) -> None:
        self._ids[event_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)

    async def wait_if_running(self, event_id: UUID) -> None:
        ended = self._running.get(event_id)
        if ended is not None:
            await ended.wait()

    @contextmanager
    def running(self, event_ids: list[UUID]) -> Iterator[None]:
        ended = asyncio.Event()
        for event_id in event_ids:
            self._running.setdefault(event_id, ended)
        try:
            yield
        finally:
            for event_id in event_ids:
                if self._running.get(event_id) is ended:
                    del self._running[event_id]
            ended.set()


def _backoff(attempts: int, base_s: float) -> timedelta:
    return timedelta(seconds=min(base_s * 2 ** (attempts - 1), _MAX_BACKOFF_S))


def _error_text(exc: BaseException) -> str:
    # A DomainError message is ours and safe; anything else may quote data, so keep only its type.
    if isinstance(exc, DomainError):
        return f"{type(exc).__name__}: {exc.detail}"[:300]
    return type(exc).__name__


@dataclass(frozen=True)
class _Retry:
    event_id: UUID
    available_at: datetime
    attempts: int


async def _run(session: AsyncSession, event: OutboxEvent, runtime: Runtime) -> None:
    fn = HANDLERS.get(event.topic)
    if fn is None:
        raise LookupError(f"no handler for topic {event.topic}")
    await fn(EventContext(session=session, event=event, runtime=runtime))


async def process(runtime: Runtime, event_id: UUID, *, batch: int = 1) -> bool:
    """Run one event's handler exactly once in effect; True when it ran and succeeded now.

    With `batch` > 1 the same transaction also takes up to `batch` - 1 other due events that no one
    else holds and whose handlers stay inside the database (their own triggers then find them done).
    Each runs in a savepoint of its own, so a failing one is rolled back and recorded alone, and all
    are marked done with their effects in one commit. Events left when `outbox_batch_budget_s` has
    passed stay pending for their own trigger.
    """
    recent: RecentlyDone = runtime.done_events
    await recent.wait_if_running(event_id)
    if event_id in recent:
        return False
    started = time.perf_counter()
    done: list[tuple[UUID, str]] = []
    retries: list[_Retry] = []
    with ExitStack() as holding:
        try:
            async with runtime.transaction() as session:
                event = await claim(session, event_id)
                if event is None:
                    return False
                if batch <= 1:
                    await _run(session, event, runtime)
                    done.append((event.id, event.topic))
                else:
                    events = [event, *await claim_due(session, limit=batch - 1, besides=event_id)]
                    holding.enter_context(recent.running([taken.id for taken in events[1:]]))
                    retries = await _run_batch(session, events, runtime, done)
                await _mark_done(session, done)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await _record_failure(runtime, event_id, exc)
            return False
        for done_id, _ in done:
            recent.add(done_id)  # before `running` ends: triggers waiting on the batch find them done
    elapsed = time.perf_counter() - started
    for done_id, topic in done:
        log.info("outbox.event_done", event_id=str(done_id), topic=topic)
        metrics.observe_task(topic, "done", elapsed / len(done))
    for retry in retries:
        await runtime.queue.enqueue([(retry.event_id, retry.available_at)], attempt=retry.attempts)
    return any(done_id == event_id for done_id, _ in done)


async def _run_batch(
    session: AsyncSession, events: list[OutboxEvent], runtime: Runtime, done: list[tuple[UUID, str]]
) -> list[_Retry]:
    """Each event in a savepoint: a failing one is rolled back and counted alone; the rest hold.

    Once the first event's effects are held, the others never wait for another transaction's lock
    (a short lock_timeout): a batch that holds locks and waits could close a cycle with another
    one, a deadlock that one event per transaction cannot form. An event that would wait is left
    to its own job, with no attempt counted.
    """
    retries: list[_Retry] = []
    budget_ends = time.monotonic() + runtime.settings.outbox_batch_budget_s
    waits_briefly = False
    for taken in events:
        if taken is not events[0]:
            if time.monotonic() > budget_ends:
                break  # the rest stay pending: the commit releases them to their own triggers
            if not waits_briefly:
                await session.exec(sa.text(f"SET LOCAL lock_timeout = {_BATCH_LOCK_WAIT_MS}"))
                waits_briefly = True
        added = len(session.info.get(_NEW, ()))
        try:
            async with session.begin_nested():
                await _run(session, taken, runtime)
            done.append((taken.id, taken.topic))
        except Exception as exc:
            del session.info.get(_NEW, [])[added:]  # events it added were rolled back with it
            if taken is not events[0] and waited_for_lock(exc):
                continue  # someone else holds what it needs: its own job runs it later, alone
            if is_unavailable(exc):
                raise  # the connection is gone: nothing of the batch holds
            retries.extend(await _mark_failed(session, taken.id, exc, runtime))
    if waits_briefly:
        # The commit may wait as usual (the audit chain's lock): back to the connection's own setting.
        await session.exec(sa.text("SET LOCAL lock_timeout TO DEFAULT"))
    return retries


async def _mark_done(session: AsyncSession, done: list[tuple[UUID, str]]) -> None:
    if done:
        await session.exec(
            sa.update(OutboxEvent)
            .where(col(OutboxEvent.id).in_([event_id for event_id, _ in done]))
            .values(status=EventStatus.DONE, done_at=utcnow(), attempts=OutboxEvent.attempts + 1)
        )


async def _mark_failed(session: AsyncSession, event_id: UUID, exc: BaseException, runtime: Runtime) -> list[_Retry]:
    """Count a failed attempt of a locked event: retry later with backoff, or dead after the last."""
    settings = runtime.settings
    event = await session.get(OutboxEvent, event_id, populate_existing=True)
    if event is None or event.status is not EventStatus.PENDING:
        return []
    event.attempts += 1
    event.last_error = _error_text(exc)
    outcome = "dead" if event.attempts >= settings.outbox_max_attempts else "failed"
    metrics.observe_task(event.topic, outcome)
    if outcome == "dead":
        event.status = EventStatus.DEAD
        log.error("outbox.event_dead", event_id=str(event_id), topic=event.topic, error=event.last_error)
        session.add(event)
        return []
    event.available_at = utcnow() + _backoff(event.attempts, settings.outbox_retry_base_s)
    event.enqueued_at = utcnow()
    log.warning(
        "outbox.event_failed", event_id=str(event_id), topic=event.topic, attempts=event.attempts,
        error=event.last_error, exc_info=not isinstance(exc, DomainError),
    )
    session.add(event)
    return [_Retry(event.id, event.available_at, event.attempts)]


async def _record_failure(runtime: Runtime, event_id: UUID, exc: BaseException) -> None:
    async with runtime.transaction() as session:
        if await session.get(OutboxEvent, event_id, with_for_update=True, populate_existing=True) is None:
            return
        retries = await _mark_failed(session, event_id, exc, runtime)
    for retry in retries:
        await runtime.queue.enqueue([(retry.event_id, retry.available_at)], attempt=retry.attempts)


async def sweep(runtime: Runtime, *, batch: int = 1000) -> int:
    """Re-enqueue every pending event that is due and was not picked up in time; returns how many."""
    grace = timedelta(seconds=runtime.settings.outbox_pickup_grace_s)
    total = 0
    while True:
        async with runtime.session_factory() as session:
            cutoff = utcnow() - grace
            stmt = (
                select(OutboxEvent.id, OutboxEvent.available_at)
                .where(OutboxEvent.status == EventStatus.PENDING)
                .where(col(OutboxEvent.available_at) <= cutoff)
                .where(sa.or_(col(OutboxEvent.enqueued_at).is_(None), col(OutboxEvent.enqueued_at) <= cutoff))
                .order_by(col(OutboxEvent.available_at))
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
            rows = list((await session.exec(stmt)).all())
            if not rows:
                await session.rollback()
                return total
            await session.exec(
                sa.update(OutboxEvent)
                .where(col(OutboxEvent.id).in_([r[0] for r in rows]))
                .values(enqueued_at=utcnow())
            )
            await session.commit()
        enqueued = await runtime.queue.enqueue([(r[0], r[1]) for r in rows])
        total += enqueued
        if enqueued < len(rows) or len(rows) < batch:
            if total:
                log.info("outbox.swept", enqueued=total)
            return total


# ---------------------------------------------------------------- admin side


async def list_events(
    session: AsyncSession, *, status: EventStatus | None = None, topic: str | None = None, limit: int = 100
) -> list[OutboxEvent]:
    stmt = select(OutboxEvent).order_by(col(OutboxEvent.created_at).desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(OutboxEvent.status == status)
    if topic:
        stmt = stmt.where(OutboxEvent.topic == topic)
    return list((await session.exec(stmt)).all())


async def retry_dead(session: AsyncSession, event_id: UUID) -> OutboxEvent:
    """Give a dead event a fresh set of attempts."""
    event = await session.get(OutboxEvent, event_id, with_for_update=True)
    if event is None:
        raise NotFound("No such event")
    if event.status is EventStatus.DEAD:
        event.status = EventStatus.PENDING
        event.attempts = 0
        event.available_at = utcnow()
        event.enqueued_at = None
        session.add(event)
        session.info.setdefault(_NEW, []).append((event.id, event.available_at))
    return event


@dataclass(frozen=True)
class Backlog:
    pending: int
    dead: int
    oldest_pending_age_s: float


async def backlog(session: AsyncSession) -> Backlog:
    """Counts served by the partial indexes (done events are not scanned)."""
    pending = select(sa.func.count()).where(OutboxEvent.status == EventStatus.PENDING)
    dead = select(sa.func.count()).where(OutboxEvent.status == EventStatus.DEAD)
    oldest = select(sa.func.min(OutboxEvent.available_at)).where(OutboxEvent.status == EventStatus.PENDING)
    n_pending = (await session.exec(pending)).one()
    n_dead = (await session.exec(dead)).one()
    first = (await session.exec(oldest)).one()
    age = (utcnow() - first).total_seconds() if first else 0.0
    return Backlog(pending=int(n_pending), dead=int(n_dead), oldest_pending_age_s=max(age, 0.0))


async def purge_done(session: AsyncSession, *, older_than: timedelta) -> int:
    """Delete events done longer ago than the given age (their effects are recorded elsewhere)."""
    result = await session.exec(
        sa.delete(OutboxEvent)
        .where(OutboxEvent.status == EventStatus.DONE)
        .where(col(OutboxEvent.done_at) < utcnow() - older_than)
    )
    return int(result.rowcount or 0)
