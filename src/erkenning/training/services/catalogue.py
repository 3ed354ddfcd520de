"""The course catalogue and the sessions of workshops and webinars (kept by advisers and admins)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import paging
from erkenning.core.audit import service as audit
from erkenning.core.auth.scope import get_scoped, scoped
from erkenning.core.caller import Caller
from erkenning.core.db import utcnow
from erkenning.core.errors import Conflict, StaleVersion, Unprocessable
from erkenning.training.models import (
    SEAT_STATUSES,
    Course,
    CourseFormat,
    CourseSession,
    Participation,
    ParticipationStatus,
    Topic,
)
from erkenning.training.schemas import CourseCreate, CourseUpdate, SessionCreate


class DuplicateCourseCode(Conflict):
    type = "duplicate-course-code"
    title = "A course with this code exists"


EMPTIABLE = frozenset({"online_url"})  # course fields that a change may empty (null)


@dataclass(frozen=True)
class CourseFilter:
    format: CourseFormat | None = None
    topic: Topic | None = None
    active: bool | None = None


@dataclass(frozen=True)
class SessionFilter:
    course_id: UUID | None = None
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    include_cancelled: bool = False


@dataclass(frozen=True)
class SeatCount:
    enrolled: int = 0
    waitlisted: int = 0


class CatalogueService:
    """Courses and their sessions."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ------------------------------------------------------------ courses

    async def get_course(self, course_id: UUID, caller: Caller, *, for_update: bool = False) -> Course:
        return await get_scoped(self.session, Course, course_id, caller, for_update=for_update, what="course")

    async def create_course(self, data: CourseCreate, caller: Caller) -> Course:
        course = Course(**{**data.model_dump(), "topics": [t.value for t in data.topics]})
        self.session.add(course)
        try:
            async with self.session.begin_nested():
                await self.session.flush()
        except IntegrityError:
            raise DuplicateCourseCode(f"Course code {data.code} is already in use") from None
        await audit.record(self.session, caller, "course.created", course, detail={"code": course.code})
        return course

    async def update_course(self, course_id: UUID, data: CourseUpdate, caller: Caller) -> Course:
        course = await self.get_course(course_id, caller, for_update=True)
        if course.version != data.version:
            raise StaleVersion(f"course is at version {course.version}, not {data.version}")
        # A field left out stays as it is; so does one given as null, unless null empties it (EMPTIABLE).
        given = data.model_dump(exclude_unset=True, exclude={"version"})
        changes = {field: value for field, value in given.items() if value is not None or field in EMPTIABLE}
        if "topics" in changes:
            changes["topics"] = [Topic(t).value for t in changes["topics"]]
        for field, value in changes.items():
            setattr(course, field, value)
        course.version += 1
        course.updated_at = utcnow()
        self.session.add(course)
        await self.session.flush()
        await audit.record(self.session, caller, "course.updated", course, detail={"fields": sorted(changes)})
        return course

    async def list_courses(
        self, caller: Caller, filters: CourseFilter, *, limit: int, offset: int
    ) -> tuple[list[Course], int]:
        stmt = scoped(select(Course), Course, caller)
        if filters.format is not None:
            stmt = stmt.where(Course.format == filters.format)
        if filters.topic is not None:
            stmt = stmt.where(col(Course.topics).contains([filters.topic.value]))
        if filters.active is not None:
            stmt = stmt.where(Course.active == filters.active)
        return await paging.fetch_page(
            self.session, stmt, col(Course.title), col(Course.id), limit=limit, offset=offset
        )

    # ------------------------------------------------------------ sessions

    async def get_session(
        self, session_id: UUID, caller: Caller, *, for_update: bool = False
    ) -> CourseSession:
        return await get_scoped(
            self.session, CourseSession, session_id, caller, for_update=for_update, what="session"
        )

    async def create_session(self, course_id: UUID, data: SessionCreate, caller: Caller) -> CourseSession:
        course = await self.get_course(course_id, caller)
        if not course.format.has_sessions:
            raise Unprocessable("An e-learning has no sessions")
        if not course.active:
            raise Unprocessable("The course is not active")
        fields = data.model_dump()
        fields["enrolment_closes_at"] = data.enrolment_closes_at or data.starts_at
        row = CourseSession(course_id=course.id, **fields)
        self.session.add(row)
        await self.session.flush()
        await audit.record(
            self.session, caller, "course_session.created", row, detail={"course_id": str(course.id)}
        )
        return row

    async def list_sessions(
        self, caller: Caller, filters: SessionFilter, *, limit: int, offset: int
    ) -> tuple[list[CourseSession], int]:
        stmt = scoped(
            select(CourseSession).join(Course, col(Course.id) == CourseSession.course_id),
            CourseSession,
            caller,
        )
        stmt = scoped(stmt, Course, caller)
        if filters.course_id is not None:
            stmt = stmt.where(CourseSession.course_id == filters.course_id)
        if filters.starts_from is not None:
            stmt = stmt.where(col(CourseSession.starts_at) >= filters.starts_from)
        if filters.starts_before is not None:
            stmt = stmt.where(col(CourseSession.starts_at) < filters.starts_before)
        if not filters.include_cancelled:
            stmt = stmt.where(col(CourseSession.cancelled_at).is_(None))
        return await paging.fetch_page(
            self.session, stmt, col(CourseSession.starts_at), col(CourseSession.id), limit=limit, offset=offset
        )

    async def seat_counts(self, session_ids: Sequence[UUID]) -> dict[UUID, SeatCount]:
        """Seats taken and waiting-list length per session."""
        if not session_ids:
            return {}
        seats = sa.func.count().filter(col(Participation.status).in_(SEAT_STATUSES))
        waiting = sa.func.count().filter(col(Participation.status) == ParticipationStatus.WAITLISTED)
        stmt = (
            select(Participation.session_id, seats, waiting)
            .where(col(Participation.session_id).in_(list(session_ids)))
            .group_by(col(Participation.session_id))
        )
        rows = (await self.session.exec(stmt)).all()
        return {sid: SeatCount(int(e), int(w)) for sid, e, w in rows if sid is not None}
