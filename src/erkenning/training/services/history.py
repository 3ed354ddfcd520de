"""Course history: a company's own participations, the advisers' filtered list, and its CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.companies.models import Company
from erkenning.core import clock, paging
from erkenning.core.auth.scope import scoped
from erkenning.core.caller import Caller
from erkenning.training.models import (
    Course,
    CourseFormat,
    CourseSession,
    Participation,
    ParticipationStatus,
    Topic,
    activity_date,
)
from erkenning.training.services.participations import Enrolment


@dataclass(frozen=True)
class ParticipationFilter:
    """Filters that combine; `since`/`until` (inclusive) apply to the participation's `activity_date`."""

    company_id: UUID | None = None
    course_id: UUID | None = None
    session_id: UUID | None = None
    topic: Topic | None = None
    format: CourseFormat | None = None
    status: ParticipationStatus | None = None
    since: date | None = None
    until: date | None = None

    def codes(self) -> dict[str, str]:
        """The filter as ids and codes (for the audit trail)."""
        return {k: str(v) for k, v in asdict(self).items() if v is not None}


def _filtered(stmt: Any, filters: ParticipationFilter, caller: Caller) -> Any:
    stmt = scoped(stmt, Participation, caller)
    if filters.company_id is not None:
        stmt = stmt.where(Participation.company_id == filters.company_id)
    if filters.course_id is not None:
        stmt = stmt.where(Participation.course_id == filters.course_id)
    if filters.session_id is not None:
        stmt = stmt.where(Participation.session_id == filters.session_id)
    if filters.topic is not None:
        stmt = stmt.where(col(Course.topics).contains([filters.topic.value]))
    if filters.format is not None:
        stmt = stmt.where(Course.format == filters.format)
    if filters.status is not None:
        stmt = stmt.where(Participation.status == filters.status)
    if filters.since is not None:
        stmt = stmt.where(activity_date() >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(activity_date() <= filters.until)
    return stmt


def _joined(stmt: Any) -> Any:
    return stmt.join(Course, col(Course.id) == Participation.course_id).outerjoin(
        CourseSession, col(CourseSession.id) == Participation.session_id
    )


_NEWEST_FIRST = (activity_date().desc(), col(Participation.created_at).desc(), col(Participation.id))


async def list_participations(
    session: AsyncSession, caller: Caller, filters: ParticipationFilter, *, limit: int, offset: int
) -> tuple[list[Enrolment], int]:
    """Participations the caller may see (a company: its own), newest first, with the total."""
    base = _filtered(_joined(select(Participation, Course, CourseSession)), filters, caller)
    rows, total = await paging.fetch_page(session, base, *_NEWEST_FIRST, limit=limit, offset=offset)
    return [Enrolment(p, c, s) for p, c, s in rows], total


@dataclass(frozen=True)
class ParticipationCount:
    format: CourseFormat
    topic: str
    status: ParticipationStatus
    participations: int
    companies: int


async def participation_counts(session: AsyncSession, since: date, until: date) -> list[ParticipationCount]:
    """For monitoring: participations and distinct companies per format, topic and status in a period.

    The period (inclusive) applies to each participation's date (see `activity_date`); a course with
    two topics counts under each of them.
    """
    topic = sa.func.unnest(Course.topics).label("topic")
    rows = (
        _joined(
            sa.select(col(Course.format), topic, col(Participation.status), col(Participation.company_id)).select_from(
                Participation
            )
        )
        .where(activity_date() >= since, activity_date() <= until)
        .subquery()
    )
    stmt = (
        sa.select(
            rows.c.format,
            rows.c.topic,
            rows.c.status,
            sa.func.count(),
            sa.func.count(rows.c.company_id.distinct()),
        )
        .group_by(rows.c.format, rows.c.topic, rows.c.status)
        .order_by(rows.c.format, rows.c.topic, rows.c.status)
    )
    result = await session.exec(stmt)  # type: ignore[call-overload]  # a Core SELECT
    return [
        ParticipationCount(CourseFormat(f), t, ParticipationStatus(s), int(n), int(c))
        for f, t, s, n, c in result.all()
    ]


# ------------------------------------------------------------------ CSV export

# Only what is not personal: no workplace trainer's name, no certificate code.
EXPORT_COLUMNS: dict[str, Any] = {
    "participation_id": Participation.id,
    "company_id": Participation.company_id,
    "company_sbb_id": Company.sbb_id,
    "company_kvk_number": Company.kvk_number,
    "company_name": Company.name,
    "course_code": Course.code,
    "course_title": Course.title,
    "format": Course.format,
    "topics": Course.topics,
    "session_id": Participation.session_id,
    "session_starts_at": CourseSession.starts_at,
    "status": Participation.status,
    "enrolled_at": Participation.created_at,
    "completed_on": Participation.completed_on,
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_statement(caller: Caller, filters: ParticipationFilter) -> Any:
    stmt = _joined(sa.select(*EXPORT_COLUMNS.values()).select_from(Participation)).join(
        Company, col(Company.id) == Participation.company_id
    )
    return _filtered(stmt, filters, caller).order_by(*_NEWEST_FIRST)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return clock.local(value).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    text = str(value.value if hasattr(value, "value") else value)
    # A spreadsheet would run a cell starting like a formula: keep it text.
    return "'" + text if text.startswith(_FORMULA_START) else text


async def stream_csv(engine: AsyncEngine, stmt: Any, *, batch: int = 500) -> AsyncIterator[str]:
    """The export, streamed from a server-side cursor on its own connection (the request's is closed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    yield _drain(buffer)
    async with engine.connect() as conn:
        result = await conn.stream(stmt.execution_options(yield_per=batch))
        async for rows in result.partitions(batch):
            writer.writerows([_cell(v) for v in row] for row in rows)
            yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
