"""The dated periods of a recognition: reading the status on a date, and rewriting a stretch of time.

A recognition's periods are half-open date ranges [start, end) that never overlap (the database's
exclusion constraint) and together say its status on every date from its application on. A decision
sets a status over a stretch ([effective_from, effective_until) or open-ended); `overlay()` works
out the new periods and `replace()` writes the difference, deleting before inserting so that the
constraint holds after every statement. An upheld objection undoes a decision from its start
(art. 7:11 Awb): `restore()` puts back the periods as they were before it.

Two time axes. Valid time: the date a status holds (`during`). Recorded time: since when, and until
when, the register said so (`recorded_from` on the current rows; the database copies every changed or
deleted row into `recognition_period_history` with its `recorded_until`). So there are two questions:

* `status_on(session, recognition_id, day)`: what holds on `day`, as we know it now;
* `as_recorded(session, recognition_id, day, at)`: what the register said about `day` at moment `at`
  (the current rows recorded by then, and the superseded rows whose recorded interval holds `at`).

Recorded time is the service clock's (the one decisions are dated by): `stamp()` puts it in the
transaction once, with the decision or objection that makes the change, for the database's triggers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import replace as _replace
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import Range
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.db import TZDateTime, utcnow
from erkenning.recognition.models import (
    RecognitionPeriod,
    RecognitionPeriodHistory,
    RecognitionStatus,
)

_T = RecognitionPeriod.__table__  # type: ignore[attr-defined]  # __table__ is untyped
_H = RecognitionPeriodHistory.__table__  # type: ignore[attr-defined]  # __table__ is untyped

# Transaction-local settings the triggers on recognition_period read (see the migration that made them).
RECORDED_AT = "erkenning.recorded_at"
CHANGE_DECISION = "erkenning.change_decision_id"
CHANGE_OBJECTION = "erkenning.change_objection_id"


@dataclass(frozen=True)
class Segment:
    """One period: `status` from `start` up to (not including) `end`; `end` None is open-ended."""

    start: date
    end: date | None
    status: RecognitionStatus
    decision_id: UUID | None = None
    id: UUID | None = None  # the stored row, for segments read from the database
    objection_id: UUID | None = None  # the upheld objection that restored it

    @property
    def content(self) -> tuple[date, date | None, RecognitionStatus, UUID | None, UUID | None]:
        return self.start, self.end, self.status, self.decision_id, self.objection_id

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


@dataclass(frozen=True)
class Recorded:
    """A period with its recorded time: the register said it from `recorded_from` until `recorded_until`
    (None: it still does), and what superseded it (a decision, an upheld objection, or neither: an import
    or a correction outside the service)."""

    segment: Segment
    recorded_from: datetime
    recorded_until: datetime | None = None
    superseded_by_decision_id: UUID | None = None
    superseded_by_objection_id: UUID | None = None

    def known_at(self, at: datetime) -> bool:
        """Whether the register said this at moment `at`."""
        return self.recorded_from <= at and (self.recorded_until is None or at < self.recorded_until)

    def known_just_before(self, at: datetime) -> bool:
        """Whether the register said this in the instant before `at` (what a change recorded at `at` found)."""
        return self.recorded_from < at and (self.recorded_until is None or at <= self.recorded_until)


def covering(segments: Iterable[Segment], day: date) -> Segment | None:
    return next((s for s in segments if s.covers(day)), None)


def known_at(records: Iterable[Recorded], at: datetime, *, just_before: bool = False) -> list[Segment]:
    """The periods the register held at moment `at` (or in the instant before it), in date order."""
    held = [r.segment for r in records if (r.known_just_before(at) if just_before else r.known_at(at))]
    return sorted(held, key=lambda s: s.start)


def run_around(segments: Sequence[Segment], day: date) -> StatusOn | None:
    """The status on `day` as the register answers it: `since`/`until` bound the unbroken run of periods
    of that status around `day` (adjacent periods of one status are one run); the decision is the period's."""
    ordered = sorted(segments, key=lambda s: s.start)
    found = next((i for i, s in enumerate(ordered) if s.covers(day)), None)
    if found is None:
        return None
    first = last = found
    while (
        first > 0
        and ordered[first - 1].end == ordered[first].start
        and ordered[first - 1].status is ordered[found].status
    ):
        first -= 1
    while (
        last + 1 < len(ordered)
        and ordered[last].end == ordered[last + 1].start
        and ordered[last + 1].status is ordered[found].status
    ):
        last += 1
    seg = ordered[found]
    return StatusOn(seg.status, ordered[first].start, ordered[last].end, seg.decision_id)


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


def restore(
    current: Sequence[Segment], start: date, before: Sequence[Segment], objection_id: UUID
) -> list[Segment]:
    """The periods after undoing a decision from `start` on (art. 7:11 Awb: as if it had not been taken).

    What held before `start` stays; from `start` on, the periods are those of `before` (the layout as it
    was before the decision), written anew for the upheld objection. Where the two meet with one status
    they join, keeping the earlier start and decision, so that "since" stays the date the status really
    began: undoing a suspension of an active recognition gives back the one active period it had.
    """
    head: list[Segment] = []
    for seg in sorted(current, key=lambda s: s.start):
        if seg.start >= start:
            continue
        if seg.end is None or seg.end > start:
            seg = _replace(seg, end=start, id=None, objection_id=objection_id)
        head.append(seg)
    tail = [
        Segment(max(seg.start, start), seg.end, seg.status, seg.decision_id, objection_id=objection_id)
        for seg in sorted(before, key=lambda s: s.start)
        if seg.end is None or seg.end > start
    ]
    if head and tail and head[-1].end == tail[0].start and head[-1].status is tail[0].status:
        head[-1] = _replace(head[-1], end=tail[0].end, id=None, objection_id=objection_id)
        tail = tail[1:]
    return head + tail


def changes(old: Sequence[Segment], new: Sequence[Segment], since: date) -> list[tuple[date, Segment, Segment]]:
    """Every date from `since` on where the status changes between two layouts: (date, old, new) at the
    first day of each stretch that differs (dates without a period in either layout are left out)."""
    days = sorted({since} | {s.start for s in (*old, *new) if s.start > since})
    found = []
    for day in days:
        was, now = covering(old, day), covering(new, day)
        if was is not None and now is not None and was.status is not now.status:
            found.append((day, was, now))
    return found


# ---------------------------------------------------------------- database


def _segment(row: Any) -> Segment:
    during: Range[date] = row.during
    assert during.lower is not None  # periods are written from Segments, which always start
    return Segment(
        during.lower, during.upper, RecognitionStatus(row.status), row.decision_id, row.id, row.objection_id
    )


async def load(session: AsyncSession, recognition_id: UUID) -> list[Segment]:
    """A recognition's periods in date order (lock the recognition row first when about to change them)."""
    stmt = (
        sa.select(_T.c.id, _T.c.during, _T.c.status, _T.c.decision_id, _T.c.objection_id)
        .where(_T.c.recognition_id == recognition_id)
        .order_by(sa.func.lower(_T.c.during))
    )
    return [_segment(row) for row in (await session.exec(stmt)).all()]  # type: ignore[call-overload]  # a Core SELECT


async def records(session: AsyncSession, recognition_id: UUID) -> tuple[list[Recorded], list[Recorded]]:
    """Both timelines of a recognition: its current periods (in date order) and every superseded one
    (in the order they were superseded), each with its recorded time."""
    now = sa.select(
        _T.c.id, _T.c.during, _T.c.status, _T.c.decision_id, _T.c.objection_id, _T.c.recorded_from
    ).where(_T.c.recognition_id == recognition_id)
    then = sa.select(
        _H.c.period_id.label("id"), _H.c.during, _H.c.status, _H.c.decision_id, _H.c.objection_id,
        _H.c.recorded_from, _H.c.recorded_until, _H.c.superseded_by_decision_id, _H.c.superseded_by_objection_id,
    ).where(_H.c.recognition_id == recognition_id)
    current = [
        Recorded(_segment(row), row.recorded_from)
        for row in (await session.exec(now.order_by(sa.func.lower(_T.c.during)))).all()  # type: ignore[call-overload]  # Core
    ]
    superseded = [
        Recorded(
            _segment(row), row.recorded_from, row.recorded_until,
            row.superseded_by_decision_id, row.superseded_by_objection_id,
        )
        for row in (
            await session.exec(then.order_by(_H.c.recorded_until, sa.func.lower(_H.c.during)))  # type: ignore[call-overload]  # Core
        ).all()
    ]
    return current, superseded


async def as_recorded(session: AsyncSession, recognition_id: UUID, day: date, at: datetime) -> StatusOn | None:
    """What the register said at moment `at` about `day` (as it answers: the run of that status around
    `day`); None if it had no period for that day then."""
    current, superseded = await records(session, recognition_id)
    return run_around(known_at([*current, *superseded], at), day)


async def before_change(session: AsyncSession, recognition_id: UUID, decision_id: UUID) -> list[Segment] | None:
    """The periods as recorded just before the decision changed them; None if the history does not hold
    that change (a decision that changed none of its periods, or one sent before the history was kept)."""
    current, superseded = await records(session, recognition_id)
    moments = [r.recorded_until for r in superseded if r.superseded_by_decision_id == decision_id]
    if not moments:
        return None
    return known_at([*current, *superseded], min(m for m in moments if m is not None), just_before=True)


async def stamp(
    session: AsyncSession, *, decision_id: UUID | None = None, objection_id: UUID | None = None
) -> datetime:
    """Set the transaction's recorded time (once: the first call's service clock) and name what the next
    writes of periods do (a decision, an upheld objection, or neither); returns the recorded time."""
    already = sa.func.nullif(sa.func.current_setting(RECORDED_AT, sa.true()), "")
    stmt = sa.select(
        sa.cast(
            sa.func.set_config(RECORDED_AT, sa.func.coalesce(already, utcnow().isoformat()), sa.true()),
            TZDateTime,
        ),
        sa.func.set_config(CHANGE_DECISION, str(decision_id or ""), sa.true()),
        sa.func.set_config(CHANGE_OBJECTION, str(objection_id or ""), sa.true()),
    )
    recorded: datetime = (await session.exec(stmt)).one()[0]  # type: ignore[call-overload]  # a Core SELECT
    return recorded


async def history(session: AsyncSession, recognition_ids: Sequence[UUID]) -> dict[UUID, list[Segment]]:
    """The periods of several recognitions, each in date order."""
    found: dict[UUID, list[Segment]] = {rid: [] for rid in recognition_ids}
    if not recognition_ids:
        return found
    stmt = (
        sa.select(_T.c.recognition_id, _T.c.id, _T.c.during, _T.c.status, _T.c.decision_id, _T.c.objection_id)
        .where(_T.c.recognition_id.in_(recognition_ids))
        .order_by(_T.c.recognition_id, sa.func.lower(_T.c.during))
    )
    for row in (await session.exec(stmt)).all():  # type: ignore[call-overload]  # a Core SELECT
        found[row.recognition_id].append(_segment(row))
    return found


async def replace(
    session: AsyncSession,
    recognition_id: UUID,
    old: Sequence[Segment],
    new: Sequence[Segment],
    today: date,
    *,
    decision_id: UUID | None = None,
    objection_id: UUID | None = None,
) -> bool:
    """Write the difference between two layouts of one recognition's periods; True when anything changed.

    `decision_id` / `objection_id` name what makes the change (the history says so of what it replaces).
    A period that starts after `today` is stored as not yet applied: the daily task brings
    `recognition.status` up to date on its first day.
    """
    keep = {s.content for s in new}
    had = {s.content for s in old}
    gone = [s.id for s in old if s.content not in keep]
    added = [s for s in new if s.content not in had]
    if gone or added:
        await stamp(session, decision_id=decision_id, objection_id=objection_id)
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
                    "objection_id": s.objection_id,
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
