"""The dated periods of a recognition: reading the status on a date, and rewriting a stretch of time.

A recognition's periods are half-open date ranges [start, end) that never overlap (the database's
exclusion constraint) and together say its status on every date from its application on. A decision
sets a status over a stretch ([effective_from, effective_until) or open-ended); `overlay()` works
out the new periods and `replace()` writes the difference, deleting before inserting so that the
constraint holds after every statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import replace as _replace
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import Range
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.recognition.models import RecognitionPeriod, RecognitionStatus

_T = RecognitionPeriod.__table__  # type: ignore[attr-defined]  # __table__ is untyped


@dataclass(frozen=True)
class Segment:
    """One period: `status` from `start` up to (not including) `end`; `end` None is open-ended."""

    start: date
    end: date | None
    status: RecognitionStatus
    decision_id: UUID | None = None
    id: UUID | None = None  # the stored row, for segments read from the database

    @property
    def content(self) -> tuple[date, date | None, RecognitionStatus, UUID | None]:
        return self.start, self.end, self.status, self.decision_id

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)

    def overlaps(self, start: date, end: date | None) -> bool:
        return (end is None or self.start < end) and (self.end is None or start < self.end)


@dataclass(frozen=True)
class StatusOn:
    """The status of a recognition on one date, and the period it comes from."""

    status: RecognitionStatus
    since: date
    until: date | None
    decision_id: UUID | None


def covering(segments: Iterable[Segment], day: date) -> Segment | None:
    return next((s for s in segments if s.covers(day)), None)


def overlapped(segments: Iterable[Segment], start: date, end: date | None) -> list[Segment]:
    return [s for s in segments if s.overlaps(start, end)]


def overlay(
    segments: Sequence[Segment],
    start: date,
    end: date | None,
    status: RecognitionStatus,
    decision_id: UUID | None,
) -> list[Segment]:
    """The periods after setting `status` over [start, end) by decision `decision_id`.

    What the stretch covers is cut away; a period running on past `end` resumes there, as a change
    this decision makes (a suspension until E is followed by the earlier status from E). The new
    period joins a neighbour of the same status, which keeps its start and its decision, so that
    "since" stays the date the status really began.
    """
    if end is not None and end <= start:
        raise ValueError("a period ends after it starts")
    result: list[Segment] = []
    for seg in segments:
        if not seg.overlaps(start, end):
            result.append(seg)
            continue
        if seg.start < start:
            result.append(_replace(seg, end=start, id=None))
        if end is not None and (seg.end is None or seg.end > end):
            result.append(Segment(end, seg.end, seg.status, decision_id))
    new = Segment(start, end, status, decision_id)
    result.append(new)
    result.sort(key=lambda s: s.start)
    i = result.index(new)
    if i > 0 and result[i - 1].end == new.start and result[i - 1].status == status:
        result[i - 1 : i + 1] = [_replace(result[i - 1], end=new.end, id=None)]
        i -= 1
    if i + 1 < len(result) and result[i].end == result[i + 1].start and result[i + 1].status == status:
        result[i : i + 2] = [_replace(result[i], end=result[i + 1].end, id=None)]
    return result


# ---------------------------------------------------------------- database


def _segment(row: Any) -> Segment:
    during: Range[date] = row.during
    assert during.lower is not None  # periods are written from Segments, which always start
    return Segment(during.lower, during.upper, RecognitionStatus(row.status), row.decision_id, row.id)


async def load(session: AsyncSession, recognition_id: UUID) -> list[Segment]:
    """A recognition's periods in date order (lock the recognition row first when about to change them)."""
    stmt = (
        sa.select(_T.c.id, _T.c.during, _T.c.status, _T.c.decision_id)
        .where(_T.c.recognition_id == recognition_id)
        .order_by(sa.func.lower(_T.c.during))
    )
    return [_segment(row) for row in (await session.exec(stmt)).all()]  # type: ignore[call-overload]  # a Core SELECT


async def history(session: AsyncSession, recognition_ids: Sequence[UUID]) -> dict[UUID, list[Segment]]:
    """The periods of several recognitions, each in date order."""
    found: dict[UUID, list[Segment]] = {rid: [] for rid in recognition_ids}
    if not recognition_ids:
        return found
    stmt = (
        sa.select(_T.c.recognition_id, _T.c.id, _T.c.during, _T.c.status, _T.c.decision_id)
        .where(_T.c.recognition_id.in_(recognition_ids))
        .order_by(_T.c.recognition_id, sa.func.lower(_T.c.during))
    )
    for row in (await session.exec(stmt)).all():  # type: ignore[call-overload]  # a Core SELECT
        found[row.recognition_id].append(_segment(row))
    return found


async def replace(
    session: AsyncSession, recognition_id: UUID, old: Sequence[Segment], new: Sequence[Segment], today: date
) -> bool:
    """Write the difference between two layouts of one recognition's periods; True when anything changed.

    A period that starts after `today` is stored as not yet applied: the daily task brings
    `recognition.status` up to date on its first day.
    """
    keep = {s.content for s in new}
    had = {s.content for s in old}
    gone = [s.id for s in old if s.content not in keep]
    added = [s for s in new if s.content not in had]
    if gone:
        await session.exec(sa.delete(_T).where(_T.c.id.in_(gone)))
    if added:
        await session.exec(
            sa.insert(_T),
            params=[
                {
                    "id": uuid4(),
                    "recognition_id": recognition_id,
                    "status": s.status.value,
                    "during": RecognitionPeriod.range(s.start, s.end),
                    "decision_id": s.decision_id,
                    "applied": s.start <= today,
                }
                for s in added
            ],
        )
    return bool(gone or added)


def status_on_query(recognition_ids: Sequence[UUID], on: date) -> sa.Select[Any]:
    """Periods covering `on`: one GiST index probe per recognition (the exclusion constraint's index)."""
    return sa.select(_T.c.recognition_id, _T.c.status, _T.c.during, _T.c.decision_id).where(
        _T.c.recognition_id.in_(recognition_ids), _T.c.during.contains(sa.cast(on, sa.Date))
    )


def _status_on(row: Any) -> StatusOn:
    return StatusOn(RecognitionStatus(row.status), row.during.lower, row.during.upper, row.decision_id)


async def status_on(session: AsyncSession, recognition_id: UUID, on: date) -> StatusOn | None:
    """The status of one recognition on a date; None before its application (no period covers it)."""
    stmt = status_on_query([recognition_id], on)
    row = (await session.exec(stmt)).first()  # type: ignore[call-overload]  # a Core SELECT
    return _status_on(row) if row is not None else None


async def statuses_on(
    session: AsyncSession, recognition_ids: Sequence[UUID], on: date
) -> dict[UUID, StatusOn]:
    """The status of several recognitions on one date (those without a period on it are left out)."""
    if not recognition_ids:
        return {}
    stmt = status_on_query(recognition_ids, on)
    rows = (await session.exec(stmt)).all()  # type: ignore[call-overload]  # a Core SELECT
    return {row.recognition_id: _status_on(row) for row in rows}
