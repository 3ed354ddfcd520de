"""Deadlines on cases: scheduled in working or calendar days, swept by the worker.

The sweep only marks what is due and writes an outbox event for it (`deadline.remind`,
`deadline.passed`), in one transaction; the events' handlers do the work, each exactly once in
effect. It is set-based: one statement a round finds, locks, marks and writes the events (see
`_SWEEP`); both of its reads run on partial indexes of open, not-yet-handled deadlines, so a sweep
costs by what is due, not by how many deadlines exist. Deadlines of a case on hold are skipped; resuming
the case moves them by the time it was on hold.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import calendar, clock, outbox
from erkenning.core.runtime import Runtime
from erkenning.workflows.models import Deadline, DeadlineKind, DeadlineStatus, InvestigationStatus

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


# One statement per round, set-based: the due reminders and the passed deadlines (each read through its
# partial index, oldest first, at most `batch` of each; deadlines of a case on hold are skipped), locked
# where they are read (skipping rows another transaction holds; a row changed since the statement
# began is checked again once locked, PostgreSQL's re-check of `FOR UPDATE` under READ COMMITTED),
# marked, and one outbox event written for each reminder and each passed deadline. A passed deadline
# not yet reminded is marked reminded too (too late to remind: the deadline itself is here) and gets
# its reminder as well if that was due; what is due is read from the locked row.
# Locking in the reads themselves matters: an earlier form picked candidates first and locked
# `WHERE id IN (candidates) AND <due again>`; with the statistics of a table where little is due, the
# planner ran that as a scan of every due deadline joined in a loop against the candidates, about
# 2.4 s a round at 10,000 due (issue 19).
_SWEEP = sa.text("""
    WITH remind AS (
        SELECT d.id, d.remind_at, d.reminded_at, d.due_at, d.passed_at FROM deadline d
        WHERE d.status = :open AND d.reminded_at IS NULL AND d.remind_at <= :now
          AND NOT EXISTS (SELECT 1 FROM investigation i WHERE i.id = d.investigation_id AND i.status = :on_hold)
        ORDER BY d.remind_at LIMIT :batch
        FOR UPDATE OF d SKIP LOCKED
    ), pass AS (
        SELECT d.id, d.remind_at, d.reminded_at, d.due_at, d.passed_at FROM deadline d
        WHERE d.status = :open AND d.passed_at IS NULL AND d.due_at <= :now
          AND NOT EXISTS (SELECT 1 FROM investigation i WHERE i.id = d.investigation_id AND i.status = :on_hold)
        ORDER BY d.due_at LIMIT :batch
        FOR UPDATE OF d SKIP LOCKED
    ), due AS (
        SELECT DISTINCT ON (c.id) c.id,
               coalesce(c.reminded_at IS NULL AND c.remind_at <= :now, false) AS remind,
               coalesce(c.passed_at IS NULL AND c.due_at <= :now, false) AS pass
        FROM (SELECT * FROM remind UNION ALL SELECT * FROM pass) c
    ), marked AS (
        UPDATE deadline d
        SET reminded_at = coalesce(d.reminded_at, :now),
            passed_at = CASE WHEN due.pass THEN :now ELSE d.passed_at END
        FROM due WHERE d.id = due.id
        RETURNING d.id, due.remind, due.pass
    )
    INSERT INTO outbox_event (id, topic, payload, status, attempts, created_at, available_at)
    SELECT gen_random_uuid(), t.topic, jsonb_build_object('deadline_id', m.id::text), :pending, 0, :now, :now
    FROM marked m CROSS JOIN LATERAL (VALUES (:remind, m.remind), (:passed, m.pass)) AS t (topic, yes)
    WHERE t.yes
    RETURNING id, topic
""")


async def sweep(runtime: Runtime, *, batch: int = 2000) -> tuple[int, int]:
    """Mark due reminders and passed deadlines, one outbox event each; returns (reminders, passed).

    Set-based: one statement a round (`_SWEEP`), in a transaction of its own. A round takes up to
    `batch` of each kind: each round reads its partial indexes from the start, past the entries of the
    rows earlier rounds marked, so many small rounds cost more than a few large ones (for 10,000 due,
    the database's CPU time was 1.0–1.4× that of one statement for all with rounds of 2,000, 1.2–2.0×
    with rounds of 500: docs/operations/performance.md), while a round's locks stay short.

    Once a round has committed, its events' triggers go to the queue while the next round runs (at
    most one round's on their way): putting thousands of triggers on the queue costs a good part of
    what the statements do, and waiting for it would add that to the sweep. As for every event, a
    trigger that never reaches Redis is put there again by the outbox sweep (`outbox.sweep`): the
    event is committed before its trigger is sent."""
    reminded = passed = 0
    queued: asyncio.Task[int] | None = None  # the last committed round's triggers, on their way
    try:
        while True:
            async with runtime.transaction() as session:
                now = clock.now()  # every event of the round is available from now (`available_at`)
                rows = (
                    await (await session.connection()).execute(_SWEEP, {
                        "now": now, "batch": batch, "open": DeadlineStatus.OPEN.value,
                        "remind": outbox.topic_for_sql(REMIND), "passed": outbox.topic_for_sql(PASSED),
                        "on_hold": InvestigationStatus.ON_HOLD.value, "pending": outbox.EventStatus.PENDING.value,
                    })
                ).all()
            if queued is not None:
                await queued
            queued = asyncio.create_task(runtime.queue.enqueue([(row.id, now) for row in rows]))
            round_reminded = sum(1 for row in rows if row.topic == REMIND)
            round_passed = len(rows) - round_reminded
            reminded += round_reminded
            passed += round_passed
            if round_reminded < batch and round_passed < batch:
                return reminded, passed
    finally:
        if queued is not None:
            await queued  # the caller gets back a sweep whose triggers are on the queue (or left to the outbox sweep)
