"""Deadlines on cases: scheduled in working or calendar days, swept by the worker.

The sweep only marks what is due and writes an outbox event for it (`deadline.remind`,
`deadline.passed`), in one transaction; the events' handlers do the work, each exactly once in
effect. Both queries run on partial indexes of open, not-yet-handled deadlines, so a sweep costs
by what is due, not by how many deadlines exist. Deadlines of a case on hold are skipped; resuming
the case moves them by the time it was on hold.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import calendar, clock, outbox
from erkenning.core.runtime import Runtime
from erkenning.workflows.models import Deadline, DeadlineKind, DeadlineStatus, Investigation, InvestigationStatus

REMIND = "deadline.remind"
PASSED = "deadline.passed"


def end_of_day(day: date) -> datetime:
    """The last moment of a Dutch calendar day (a term runs to the end of its last day)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=clock.AMSTERDAM) - timedelta(seconds=1)


def morning_of(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=clock.AMSTERDAM)


async def get(session: AsyncSession, case_id: UUID, kind: DeadlineKind) -> Deadline | None:
    return (
        await session.exec(select(Deadline).where(Deadline.investigation_id == case_id, Deadline.kind == kind))
    ).first()


async def schedule(
    session: AsyncSession, case_id: UUID, kind: DeadlineKind, due_at: datetime, remind_at: datetime | None
) -> Deadline:
    """Set (or reset) the case's deadline of this kind."""
    deadline = await get(session, case_id, kind)
    if deadline is None:
        deadline = Deadline(investigation_id=case_id, kind=kind, due_at=due_at)
    deadline.due_at, deadline.remind_at = due_at, remind_at
    deadline.status, deadline.reminded_at, deadline.passed_at, deadline.closed_at = (
        DeadlineStatus.OPEN, None, None, None,
    )
    session.add(deadline)
    return deadline


async def schedule_working_days(session: AsyncSession, case_id: UUID, kind: DeadlineKind, days: int) -> Deadline:
    """Due at the end of the n-th working day from today; a reminder in the morning halfway."""
    today = clock.today()
    due = calendar.add_working_days(today, days)
    remind = morning_of(calendar.add_working_days(today, max(days // 2, 1))) if days > 1 else None
    return await schedule(session, case_id, kind, end_of_day(due), remind)


async def close(session: AsyncSession, case_id: UUID, kind: DeadlineKind, *, met: bool = True) -> Deadline | None:
    deadline = await get(session, case_id, kind)
    if deadline is not None and deadline.status is DeadlineStatus.OPEN:
        deadline.status = DeadlineStatus.MET if met else DeadlineStatus.CANCELLED
        deadline.closed_at = clock.now()
        session.add(deadline)
    return deadline


async def shift_open(session: AsyncSession, case_id: UUID, held: timedelta) -> int:
    """Move every open deadline of a case by `delta` (time spent on hold)."""
    delta = sa.literal(held, type_=sa.Interval())
    result = await session.exec(
        sa.update(Deadline)
        .where(col(Deadline.investigation_id) == case_id, col(Deadline.status) == DeadlineStatus.OPEN)
        .values(
            due_at=Deadline.due_at + delta,
            remind_at=sa.case(
                (col(Deadline.reminded_at).is_(None), Deadline.remind_at + delta), else_=Deadline.remind_at
            ),
        )
    )
    return int(result.rowcount or 0)


async def sweep(runtime: Runtime, *, batch: int = 500) -> tuple[int, int]:
    """Mark due reminders and passed deadlines, one outbox event each; returns (reminders, passed)."""
    reminded = passed = 0
    while True:
        async with runtime.transaction() as session:
            now = clock.now()
            # "Not on hold" as the absence of an on-hold case (every deadline has its case): read through
            # the status index of the few cases on hold, not by a join with every case.
            not_on_hold = ~sa.exists().where(
                col(Investigation.id) == Deadline.investigation_id,
                col(Investigation.status) == InvestigationStatus.ON_HOLD,
            )
            due_reminders = (
                await session.exec(
                    select(Deadline)
                    .where(col(Deadline.status) == DeadlineStatus.OPEN, col(Deadline.reminded_at).is_(None))
                    .where(col(Deadline.remind_at) <= now, not_on_hold)
                    .order_by(col(Deadline.remind_at))
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for deadline in due_reminders:
                deadline.reminded_at = now
                session.add(deadline)
                outbox.add(session, REMIND, deadline_id=deadline.id)
            due_passed = (
                await session.exec(
                    select(Deadline)
                    .where(col(Deadline.status) == DeadlineStatus.OPEN, col(Deadline.passed_at).is_(None))
                    .where(col(Deadline.due_at) <= now, not_on_hold)
                    .order_by(col(Deadline.due_at))
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for deadline in due_passed:
                deadline.passed_at = now
                if deadline.reminded_at is None:
                    deadline.reminded_at = now  # too late to remind: the deadline itself is here
                session.add(deadline)
                outbox.add(session, PASSED, deadline_id=deadline.id)
        reminded += len(due_reminders)
        passed += len(due_passed)
        if len(due_reminders) < batch and len(due_passed) < batch:
            return reminded, passed
