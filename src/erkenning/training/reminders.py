"""Reminders before a session: each enrolment is reminded once, however often the sweep runs."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import mail
from erkenning.core.audit import service as audit
from erkenning.core.db import utcnow
from erkenning.training.models import CourseSession, Participation, ParticipationStatus
from erkenning.training.services.participations import SYSTEM


async def queue_due_reminders(session: AsyncSession, *, days_before: int) -> list[UUID]:
    """Mark each enrolment whose session starts within `days_before` days as reminded; queue its e-mail.

    One UPDATE … WHERE reminded_at IS NULL … RETURNING: a second run finds nothing left, and a
    concurrent one waits for the row locks and then finds the rows no longer match.
    """
    now = utcnow()
    p, s = Participation.__table__, CourseSession.__table__  # type: ignore[attr-defined]  # __table__ is untyped
    stmt = (
        sa.update(p)
        .where(
            p.c.session_id == s.c.id,
            p.c.status == ParticipationStatus.ENROLLED.value,
            p.c.reminded_at.is_(None),
            s.c.cancelled_at.is_(None),
            s.c.starts_at > now,
            s.c.starts_at <= now + timedelta(days=days_before),
        )
        .values(reminded_at=now)
        .returning(p.c.id)
    )
    ids = list((await session.exec(stmt)).scalars())
    for participation_id in ids:
        mail.queue(session, "training_reminder", participation_id=participation_id)
        await audit.record(
            session, SYSTEM, "participation.reminded", object_type="participation", object_id=participation_id
        )
    return ids
