"""The worker side: claim an event under a row lock, run its handler, mark it done; batches; the sweep.

A handler runs in the same transaction that marks its event done, under a row lock, so a job that
runs twice (arq is at-least-once) has one effect.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Collection, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import metrics
from erkenning.core.db import utcnow
from erkenning.core.errors import DomainError, is_unavailable, waited_for_lock
from erkenning.core.logging import get_logger
from erkenning.core.outbox.events import ClaimedEvent, Event, EventContext
from erkenning.core.outbox.models import EventStatus, OutboxEvent

if TYPE_CHECKING:
    from erkenning.core.runtime import Runtime

log = get_logger(__name__)

_MAX_BACKOFF_S = 3600.0
_BATCH_LOCK_WAIT_MS = 50  # how long a batch's further event may wait for a lock before it is left to its own job



# The lean path's claim: lock the event, and mark it done, in one statement. It waits for a lock another
# transaction holds, as `SELECT ... FOR UPDATE` does, and then tests its conditions again on the row as
# that transaction left it (PostgreSQL's READ COMMITTED re-check of UPDATE): done by the other → no row;
# rolled back by it → the row, claimed here. The mark is undone with the handler's effects if anything of
# the transaction fails. RETURNING gives the new row: `attempts` less one is the count before this run.
_CLAIM_AND_MARK = sa.text("""
    UPDATE outbox_event SET status = 'done', done_at = :now, attempts = attempts + 1
    WHERE id = :id AND status = 'pending' AND available_at <= :now
    RETURNING topic, payload, created_at, available_at, enqueued_at, attempts, last_error
""").columns(*(OutboxEvent.__table__.c[name] for name in (  # type: ignore[attr-defined]  # __table__ is untyped
    "topic", "payload", "created_at", "available_at", "enqueued_at", "attempts", "last_error")))


async def claim_and_mark(session: AsyncSession, event_id: UUID) -> ClaimedEvent | None:
    """Lock the event and mark it done in the session's transaction, one round trip; None when it is
    done, dead or not yet due. The event returned is the row as this run found it (pending, its attempts
    so far), a plain record: the handler reads it; the row is already marked."""
    now = utcnow()
    conn = await session.connection()
    row = (await conn.execute(_CLAIM_AND_MARK, {"id": event_id, "now": now})).first()
    if row is None:
        return None
    topic, payload, created_at, available_at, enqueued_at, attempts, last_error = row
    return ClaimedEvent(event_id, topic, payload, attempts - 1, created_at, available_at, enqueued_at, last_error)


async def claim_due(
    session: AsyncSession, *, limit: int, besides: UUID, external: Collection[str]
) -> list[OutboxEvent]:
    """Lock up to `limit` more due events, oldest first, passing over those another transaction holds
    and those of external topics (each of those runs in a transaction of its own)."""
    stmt = (
        select(OutboxEvent)
        .where(OutboxEvent.status == EventStatus.PENDING)
        .where(col(OutboxEvent.available_at) <= utcnow())
        .where(OutboxEvent.id != besides)
        .where(col(OutboxEvent.topic).not_in(sorted(external)))
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


async def _run(session: AsyncSession, event: Event, runtime: Runtime) -> None:
    await runtime.handlers.get(event.topic).run(EventContext(session=session, event=event, runtime=runtime))


async def process(runtime: Runtime, event_id: UUID, *, batch: int = 1) -> bool:
    """Run one event's handler (the runtime's handler for its topic) exactly once in effect; True when it
    ran and succeeded now.

    The lean path (ADR 0011): one statement locks the event and marks it done, its handler runs in the
    same transaction, the commit holds both; a failure rolls both back and is counted in a transaction
    of its own.

    With `batch` > 1 the same transaction then also takes up to `batch` - 1 other due events that no one
    else holds and whose handlers stay inside the database (their own triggers then find them done).
    Each runs in a savepoint of its own, so a failing one is rolled back and recorded alone, and all
    are marked done with their effects in one commit. Events left when `outbox_batch_budget_s` has
    passed stay pending for their own trigger. When no other event is due, that is one more statement.
    """
    recent: RecentlyDone = runtime.done_events
    await recent.wait_if_running(event_id)
    if event_id in recent:
        return False
    started = time.perf_counter()
    budget_ends = time.monotonic() + runtime.settings.outbox_batch_budget_s
    done: list[tuple[UUID, str]] = []
    retries: list[_Retry] = []
    with ExitStack() as holding:
        try:
            async with runtime.transaction() as session:
                event = await claim_and_mark(session, event_id)
                if event is None:
                    return False
                more: list[OutboxEvent] = []
                if batch > 1:
                    external = runtime.handlers.external
                    more = await claim_due(session, limit=batch - 1, besides=event_id, external=external)
                    holding.enter_context(recent.running([taken.id for taken in more]))
                # Its own event outside a savepoint: should it fail, the whole transaction is rolled back
                # (its mark too) and the further events, not yet run, are left to their own triggers.
                await _run(session, event, runtime)
                done.append((event_id, event.topic))
                if more:
                    retries = await _run_batch(session, more, runtime, done, budget_ends)
                    await _mark_done(session, done[1:])
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await _record_failure(runtime, event_id, exc)  # the rollback undid the mark: counted there
            return False
        for done_id, _ in done:
            recent.add(done_id)  # before `running` ends: triggers waiting on the batch find them done
    elapsed = time.perf_counter() - started
    for done_id, topic in done:
        log.info("outbox.event_done", event_id=str(done_id), topic=topic)
        metrics.observe_task(topic, "done", elapsed / len(done))
    for retry in retries:
        await runtime.queue.enqueue([(retry.event_id, retry.available_at)], attempt=retry.attempts)
    return True


async def _run_batch(
    session: AsyncSession, events: list[OutboxEvent], runtime: Runtime, done: list[tuple[UUID, str]],
    budget_ends: float,
) -> list[_Retry]:
    """The further events of a batch, each in a savepoint: a failing one is rolled back and counted
    alone; the rest hold.

    With the job's own event's effects held, they never wait for another transaction's lock (a short
    lock_timeout): a batch that holds locks and waits could close a cycle with another one, a
    deadlock that one event per transaction cannot form. An event that would wait is left to its own
    job, with no attempt counted.
    """
    retries: list[_Retry] = []
    await (await session.connection()).execute(sa.text(f"SET LOCAL lock_timeout = {_BATCH_LOCK_WAIT_MS}"))
    for taken in events:
        if time.monotonic() > budget_ends:
            break  # the rest stay pending: the commit releases them to their own triggers
        try:
            async with session.begin_nested():
                await _run(session, taken, runtime)
            done.append((taken.id, taken.topic))
        except Exception as exc:
            # The events it added were rolled back with its savepoint, and their triggers with them
            # (`events._forget_new`).
            if waited_for_lock(exc):
                continue  # someone else holds what it needs: its own job runs it later, alone
            if is_unavailable(exc):
                raise  # the connection is gone: nothing of the batch holds
            retries.extend(await _mark_failed(session, taken.id, exc, runtime))
    # The commit may wait as usual (the audit chain's lock): back to the connection's own setting.
    await (await session.connection()).execute(sa.text("SET LOCAL lock_timeout TO DEFAULT"))
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
