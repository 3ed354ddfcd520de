"""Participation: enrolment, waiting list, cancellation, attendance, completion; what other modules ask.

Everything that touches a session's seats locks the session row first (`SELECT … FOR UPDATE`) and
only then its participations, so concurrent enrolments and cancellations queue up on that one row
and capacity holds.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.companies.service import CompanyService
from erkenning.core import clock, mail
from erkenning.core.audit import service as audit
from erkenning.core.auth.scope import get_scoped
from erkenning.core.caller import Caller, Role
from erkenning.core.db import utcnow
from erkenning.core.errors import Conflict, InvalidTransition, NotFound, Unprocessable, ValidationFailed
from erkenning.core.logging import get_logger
from erkenning.core.states import apply
from erkenning.training.models import (
    DONE_STATUSES,
    Course,
    CourseSession,
    Participation,
    ParticipationStatus,
    activity_date,
)
from erkenning.training.schemas import AttendanceRecord, EnrolmentCreate
from erkenning.training.services.catalogue import CatalogueService
from erkenning.training.states import E_LEARNING_ENROLMENT, TRANSITIONS

log = get_logger(__name__)
P = ParticipationStatus
SYSTEM = Caller.system("training")


class AlreadyEnrolled(Conflict):
    type = "already-enrolled"
    title = "This company is already enrolled"


class AlreadyCompleted(InvalidTransition):
    type = "already-completed"
    title = "This company already completed this e-learning"


class EnrolmentClosed(Unprocessable):
    type = "enrolment-closed"
    title = "Enrolment is closed"


@dataclass(frozen=True)
class Enrolment:
    """A participation with what it is about (for read shapes)."""

    participation: Participation
    course: Course
    session: CourseSession | None


def new_certificate_code() -> str:
    """80 random bits as 16 base32 characters: unguessable, easy to type, no look-alike padding."""
    return base64.b32encode(secrets.token_bytes(10)).decode()


class ParticipationService:
    """Deelname: enrolment, waiting list, attendance, completion."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.catalogue = CatalogueService(session)

    # ------------------------------------------------------------ reading

    async def get(self, participation_id: UUID, caller: Caller, *, for_update: bool = False) -> Participation:
        return await get_scoped(
            self.session, Participation, participation_id, caller, for_update=for_update, what="participation"
        )

    async def read(self, participation_id: UUID, caller: Caller) -> Enrolment:
        return await self.describe(await self.get(participation_id, caller))

    async def describe(self, participation: Participation) -> Enrolment:
        course = await self.session.get(Course, participation.course_id)
        assert course is not None
        row = (
            await self.session.get(CourseSession, participation.session_id)
            if participation.session_id
            else None
        )
        return Enrolment(participation, course, row)

    # ------------------------------------------------------------ enrolment

    async def enrol(
        self, caller: Caller, data: EnrolmentCreate, *, company_id: UUID | None = None
    ) -> Enrolment:
        """Enrol a company (a company caller always itself); a full session puts it on the waiting list."""
        if caller.role is Role.COMPANY:
            company_id = caller.company_id
        if company_id is None:
            raise ValidationFailed([{"field": "company_id", "message": "required"}])
        await CompanyService(self.session).get(company_id, caller)
        if data.session_id is not None:
            return await self._enrol_in_session(caller, company_id, data.session_id, data.trainer_name)
        assert data.course_id is not None
        return await self._enrol_in_e_learning(caller, company_id, data.course_id, data.trainer_name)

    async def _enrol_in_session(
        self, caller: Caller, company_id: UUID, session_id: UUID, trainer_name: str | None
    ) -> Enrolment:
        row = await self.catalogue.get_session(session_id, caller, for_update=True)
        course = await self.catalogue.get_course(row.course_id, caller)
        if not course.active:
            raise Unprocessable("The course is not active")
        if row.cancelled_at is not None:
            raise EnrolmentClosed("The session has been cancelled")
        if clock.now() >= row.enrolment_closes_at:
            closed = clock.local(row.enrolment_closes_at).isoformat()
            raise EnrolmentClosed(f"Enrolment for this session closed at {closed}")
        live = select(Participation.id).where(
            Participation.session_id == row.id,
            Participation.company_id == company_id,
            Participation.status != P.CANCELLED,
        )
        if (await self.session.exec(live)).first() is not None:
            raise AlreadyEnrolled("This company is already enrolled in (or waiting for) this session")
        taken = (await self.catalogue.seat_counts([row.id])).get(row.id)
        full = taken is not None and taken.enrolled >= row.capacity
        participation = Participation(
            course_id=course.id,
            session_id=row.id,
            company_id=company_id,
            trainer_name=trainer_name,
            status=P.WAITLISTED if full else P.ENROLLED,
            waitlisted_at=utcnow() if full else None,
            enrolled_by=caller.principal_id,
        )
        await self._insert(participation, caller)
        return Enrolment(participation, course, row)

    async def _enrol_in_e_learning(
        self, caller: Caller, company_id: UUID, course_id: UUID, trainer_name: str | None
    ) -> Enrolment:
        course = await self.catalogue.get_course(course_id, caller)
        if course.format.has_sessions:
            raise Unprocessable(
                "A workshop or webinar is joined through one of its sessions: give session_id"
            )
        if not course.active:
            raise Unprocessable("The course is not active")
        completed_on = await self.completed_on(course.id, company_id)
        ready = E_LEARNING_ENROLMENT.ready
        assert ready is not None
        if (reason := ready(course, caller, {"completed_on": completed_on})) is not None:
            raise AlreadyCompleted(reason, completed_on=completed_on.isoformat() if completed_on else None)
        participation = Participation(
            course_id=course.id,
            company_id=company_id,
            trainer_name=trainer_name,
            status=P.ENROLLED,
            enrolled_by=caller.principal_id,
        )
        await self._insert(participation, caller)
        return Enrolment(participation, course, None)

    async def completed_on(self, course_id: UUID, company_id: UUID) -> date | None:
        """The day the company completed this e-learning, if it did (the latest completion)."""
        found = await self.session.exec(
            select(sa.func.max(Participation.completed_on)).where(
                Participation.course_id == course_id, Participation.company_id == company_id,
                col(Participation.session_id).is_(None), Participation.status == P.COMPLETED,
            )
        )
        return found.first()

    async def enrol_unchecked(self, caller: Caller, course: Course, company_id: UUID) -> Participation:
        """An e-learning enrolment without the catalogue's checks (a completion of a retired course)."""
        participation = Participation(course_id=course.id, company_id=company_id, status=P.ENROLLED)
        await self._insert(participation, caller)
        return participation

    async def _insert(self, participation: Participation, caller: Caller) -> None:
        self.session.add(participation)
        try:
            async with self.session.begin_nested():
                await self.session.flush()
        except IntegrityError:
            raise AlreadyEnrolled("This company is already enrolled in this course or session") from None
        await audit.record(
            self.session,
            caller,
            f"participation.{participation.status.value}",
            participation,
            detail={
                "course_id": str(participation.course_id),
                "session_id": _str(participation.session_id),
                "company_id": str(participation.company_id),
            },
        )
        log.info(
            "participation.created", participation_id=str(participation.id), status=participation.status.value
        )

    # ------------------------------------------------------------ cancellation and the waiting list

    async def cancel(self, participation_id: UUID, caller: Caller) -> Enrolment:
        """Cancel an enrolment or leave the waiting list; a freed seat goes to the first waiting."""
        participation = await self.get(participation_id, caller)
        row = None
        if participation.session_id is not None:
            row = await self._lock_session(participation.session_id)
        participation = await self._lock(participation.id)
        before = self._move(participation, P.CANCELLED, caller, row)
        await audit.record(self.session, caller, "participation.cancelled", participation)
        if row is not None and before is P.ENROLLED:
            await self._fill_seats(row)
        await self.session.flush()
        return await self.describe(participation)

    async def _fill_seats(self, row: CourseSession) -> None:
        """Promote the first on the waiting list while seats are free (before the session starts)."""
        if row.cancelled_at is not None or row.starts_at <= clock.now():
            return
        await self.session.flush()
        taken = (await self.catalogue.seat_counts([row.id])).get(row.id)
        free = row.capacity - (taken.enrolled if taken else 0)
        if free <= 0:
            return
        waiting = (
            select(Participation)
            .where(Participation.session_id == row.id, Participation.status == P.WAITLISTED)
            .order_by(col(Participation.waitlisted_at), col(Participation.id))
            .limit(free)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        for participation in (await self.session.exec(waiting)).all():
            self._move(participation, P.ENROLLED, SYSTEM, row)
            await audit.record(self.session, SYSTEM, "participation.promoted", participation)
            mail.queue(self.session, "training_promoted", participation_id=participation.id)
            log.info("participation.promoted", participation_id=str(participation.id))

    async def cancel_session(self, session_id: UUID, caller: Caller) -> CourseSession:
        """Cancel a session: every enrolment and the waiting list are cancelled and told so."""
        row = await self.catalogue.get_session(session_id, caller, for_update=True)
        if row.cancelled_at is not None:
            return row
        if row.starts_at <= clock.now():
            raise InvalidTransition("A session that has started cannot be cancelled")
        row.cancelled_at = utcnow()
        row.updated_at = row.cancelled_at
        self.session.add(row)
        await audit.record(self.session, caller, "course_session.cancelled", row)
        live = (
            select(Participation)
            .where(
                Participation.session_id == row.id, col(Participation.status).in_([P.ENROLLED, P.WAITLISTED])
            )
            .order_by(col(Participation.id))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        for participation in (await self.session.exec(live)).all():
            self._move(participation, P.CANCELLED, caller, row)
            await audit.record(
                self.session,
                caller,
                "participation.cancelled",
                participation,
                detail={"reason": "session_cancelled"},
            )
            mail.queue(self.session, "training_session_cancelled", participation_id=participation.id)
        await self.session.flush()
        log.info("course_session.cancelled", session_id=str(row.id))
        return row

    # ------------------------------------------------------------ attendance and completion

    async def record_attendance(
        self, session_id: UUID, records: list[AttendanceRecord], caller: Caller
    ) -> list[Participation]:
        """The attendance list of one session, all or nothing; repeating a record changes nothing."""
        row = await self.catalogue.get_session(session_id, caller, for_update=True)
        if row.cancelled_at is not None:
            raise InvalidTransition("The session was cancelled")
        wanted = {r.participation_id: r.status for r in records}
        stmt = (
            select(Participation)
            .where(col(Participation.id).in_(list(wanted)), Participation.session_id == row.id)
            .order_by(col(Participation.id))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        found = {p.id: p for p in (await self.session.exec(stmt)).all()}
        missing = [i for i, r in enumerate(records) if r.participation_id not in found]
        if missing:
            raise ValidationFailed(
                [
                    {
                        "field": f"records.{i}.participation_id",
                        "message": "not a participation of this session",
                    }
                    for i in missing
                ]
            )
        for participation_id, target in wanted.items():
            participation = found[participation_id]
            if participation.status is target:
                continue
            self._move(participation, target, caller, row)
            await audit.record(self.session, caller, f"participation.{target.value}", participation)
        await self.session.flush()
        return [found[i] for i in wanted]

    async def complete(
        self, participation_id: UUID, caller: Caller, *, completed_on: date | None = None
    ) -> Enrolment:
        """Record a completion by hand (an attended session, or an e-learning the platform did not report)."""
        participation = await self.get(participation_id, caller, for_update=True)
        await self.finish(participation, caller, completed_on=completed_on or clock.today())
        return await self.describe(participation)

    async def finish(
        self,
        participation: Participation,
        caller: Caller,
        *,
        completed_on: date,
        completion_id: str | None = None,
    ) -> None:
        """Move a locked participation to completed, give it a certificate and tell the company."""
        self._move(participation, P.COMPLETED, caller, None)
        participation.completed_on = completed_on
        participation.certificate_code = new_certificate_code()
        participation.platform_completion_id = completion_id
        await self.session.flush()
        await audit.record(
            self.session,
            caller,
            "participation.completed",
            participation,
            detail={"course_id": str(participation.course_id), "completion_id": completion_id},
        )
        mail.queue(self.session, "training_certificate", participation_id=participation.id)
        log.info("participation.completed", participation_id=str(participation.id))

    # ------------------------------------------------------------ helpers

    def _move(self, participation: Participation, target: P, caller: Caller, row: CourseSession | None) -> P:
        given: dict[str, Any] = {"session_starts_at": row.starts_at} if row is not None else {}
        before = apply(TRANSITIONS, participation, target, caller, **given)
        participation.updated_at = utcnow()
        self.session.add(participation)
        return before

    async def _lock_session(self, session_id: UUID) -> CourseSession:
        row = await self.session.get(CourseSession, session_id, with_for_update=True, populate_existing=True)
        if row is None:  # pragma: no cover - a participation's session is never deleted (RESTRICT)
            raise NotFound("No such session")
        return row

    async def _lock(self, participation_id: UUID) -> Participation:
        row = await self.session.get(
            Participation, participation_id, with_for_update=True, populate_existing=True
        )
        if row is None:  # pragma: no cover - found a moment ago in the same transaction
            raise NotFound("No such participation")
        return row


def _str(value: UUID | None) -> str | None:
    return str(value) if value is not None else None


async def completed_topics(
    session: AsyncSession, company_id: UUID, topics: Iterable[str], since: date, until: date
) -> set[str]:
    """Which of `topics` this company completed between `since` and `until` (both inclusive, Amsterdam dates).

    A topic counts when the company has a participation in a course with that topic that is
    `completed` (dated by its completion) or `attended` (dated by its session's day). Voluntary:
    the answer is context for an adviser, never a condition of recognition by itself.
    """
    wanted = sorted({str(t) for t in topics})
    if not wanted:
        return set()
    day = activity_date()
    topic = sa.func.unnest(Course.topics).label("topic")
    stmt = (
        sa.select(topic)
        .select_from(Participation)
        .join(Course, col(Course.id) == Participation.course_id)
        .outerjoin(CourseSession, col(CourseSession.id) == Participation.session_id)
        .where(
            col(Participation.company_id) == company_id,
            col(Participation.status).in_(DONE_STATUSES),
            col(Course.topics).overlap(wanted),  # type: ignore[attr-defined]  # ARRAY comparator
            day >= since,
            day <= until,
        )
    )
    found = {row[0] for row in (await session.exec(stmt)).all()}  # type: ignore[call-overload]  # a Core SELECT
    return found & set(wanted)
