"""What operators see and do: list events, give a dead one new attempts, the backlog, purge done ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.db import utcnow
from erkenning.core.errors import NotFound
from erkenning.core.outbox.events import enqueue_after_commit
from erkenning.core.outbox.models import EventStatus, OutboxEvent


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
        enqueue_after_commit(session, (event.id, event.available_at))
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
        .where(col(OutboxEvent.status) == EventStatus.DONE)
        .where(col(OutboxEvent.done_at) < utcnow() - older_than)
    )
    return int(result.rowcount or 0)
