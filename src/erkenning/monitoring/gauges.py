"""Gauges filled when `/metrics` is scraped: cheap counts read from partial indexes, never a full scan."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning import clock, outbox
from erkenning.monitoring import metrics
from erkenning.runtime import Runtime
from erkenning.workflows.models import Deadline, DeadlineKind, DeadlineStatus, Investigation, InvestigationStatus


async def overdue_deadlines(session: AsyncSession, now: datetime) -> dict[str, int]:
    """Open deadlines past due, by kind, leaving out cases on hold (their deadlines move when they resume).

    Served by the partial index `ix_deadline_open_due` (open deadlines only).
    """
    on_hold = sa.exists().where(
        col(Investigation.id) == Deadline.investigation_id, Investigation.status == InvestigationStatus.ON_HOLD
    )
    stmt = (
        sa.select(Deadline.kind, sa.func.count())
        .where(Deadline.status == DeadlineStatus.OPEN, col(Deadline.due_at) <= now, ~on_hold)
        .group_by(Deadline.kind)
    )
    counts = {kind.value: 0 for kind in DeadlineKind}
    for kind, n in (await session.exec(stmt)).all():  # type: ignore[call-overload]
        counts[DeadlineKind(kind).value] = int(n)
    return counts


async def collect(runtime: Runtime) -> None:
    """Set the scrape-time gauges; a service that is down leaves a sign, never a failed scrape."""
    try:
        async with runtime.session_factory() as session:
            backlog = await outbox.backlog(session)
            overdue = await overdue_deadlines(session, clock.now())
    except Exception:  # the database being down must not hide the other metrics
        metrics.SCRAPE_DATABASE_OK.set(0)
    else:
        metrics.SCRAPE_DATABASE_OK.set(1)
        metrics.OUTBOX_PENDING.set(backlog.pending)
        metrics.OUTBOX_DEAD.set(backlog.dead)
        metrics.OUTBOX_OLDEST_AGE.set(backlog.oldest_pending_age_s)
        for kind, n in overdue.items():
            metrics.DEADLINES_OVERDUE.labels(kind).set(n)
    try:
        metrics.QUEUE_DEPTH.set(await runtime.queue.depth())
    except Exception:
        metrics.QUEUE_DEPTH.set(-1)
