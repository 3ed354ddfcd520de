"""Recognitions: applications, what holds on a date (and what the register said when), and the
reassessment worklist.

For other domains:

* `status_on(session, recognition_id, on)` — the status of one recognition on a date (one GiST
  index probe on its periods), or None before its application;
* `statuses_on(session, recognition_ids, on)` — the same for several at once;
* `as_recorded(session, recognition_id, day, at)` — what the register said about `day` at moment `at`.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from erkenning.companies.models import Company
from erkenning.companies.service import CompanyService
from erkenning.core import clock
from erkenning.core.audit import service as audit
from erkenning.core.auth.scope import get_scoped, scoped
from erkenning.core.caller import Caller
from erkenning.core.db import utcnow
from erkenning.core.errors import Conflict, InvalidTransition, NotFound, Unprocessable, ValidationFailed
from erkenning.core.logging import get_logger
from erkenning.core.paging import fetch_page
from erkenning.core.settings import Settings
from erkenning.recognition import assessed, periods
from erkenning.recognition.criteria import CriteriaAssessment
from erkenning.recognition.models import (
    Decision,
    DecisionRecognition,
    Qualification,
    Recognition,
    RecognitionStatus,
)
from erkenning.recognition.periods import Segment, StatusOn, as_recorded, status_on, statuses_on
from erkenning.recognition.schemas import (
    PeriodRead,
    ReassessmentDueRead,
    RecognitionCreate,
    RecognitionDetail,
    RecognitionHistoryRead,
    RecognitionRead,
    RecordedAnswerRead,
    RecordedPeriodRead,
    RegisterAnswerRead,
    SupersededPeriodRead,
)
from erkenning.recognition.services.qualifications import QualificationService

__all__ = ["RecognitionService", "StatusOn", "as_recorded", "status_on", "statuses_on"]

log = get_logger(__name__)

# Recognitions that a reassessment concerns.
IN_FORCE = (RecognitionStatus.ACTIVE, RecognitionStatus.SUSPENDED)


def recognition_read(recognition: Recognition, qualification: Qualification) -> RecognitionRead:
    return RecognitionRead(
        id=recognition.id,
        company_id=recognition.company_id,
        qualification_id=qualification.id,
        crebo=qualification.crebo,
        qualification_name=qualification.name,
        level=qualification.level,
        pathway=recognition.pathway,
        status=recognition.status,
        granted_on=recognition.granted_on,
        reassessment_due=recognition.reassessment_due,
    )


def period_reads(segments: Sequence[Segment]) -> list[PeriodRead]:
    return [
        PeriodRead(status=s.status, valid_from=s.start, valid_until=s.end, decision_id=s.decision_id)
        for s in segments
    ]


def register_answer(found: StatusOn | None) -> RegisterAnswerRead:
    if found is None:
        return RegisterAnswerRead(status=None, recognised=False, since=None, until=None, decision_id=None)
    return RegisterAnswerRead(
        status=found.status,
        recognised=found.status is RecognitionStatus.ACTIVE,
        since=found.since,
        until=found.until,
        decision_id=found.decision_id,
    )


def _recorded(record: periods.Recorded) -> dict[str, Any]:
    s = record.segment
    return {
        "status": s.status,
        "valid_from": s.start,
        "valid_until": s.end,
        "decision_id": s.decision_id,
        "objection_id": s.objection_id,
        "recorded_from": record.recorded_from,
    }


def _superseded(record: periods.Recorded) -> SupersededPeriodRead:
    assert record.recorded_until is not None, "a history row has its end"
    return SupersededPeriodRead(
        **_recorded(record),
        recorded_until=record.recorded_until,
        superseded_by_decision_id=record.superseded_by_decision_id,
        superseded_by_objection_id=record.superseded_by_objection_id,
    )


class RecognitionService:
    """Erkenningen: registered as applications; their status moves only by decisions."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, recognition_id: UUID, caller: Caller, *, for_update: bool = False) -> Recognition:
        return await get_scoped(
            self.session, Recognition, recognition_id, caller, for_update=for_update, what="recognition"
        )

    async def apply(self, data: RecognitionCreate, caller: Caller) -> RecognitionRead:
        """Register an application: `pending` from the application date, until a decision says more."""
        company = await CompanyService(self.session).get(data.company_id, caller)
        qualification = await QualificationService(self.session).by_crebo(data.crebo)
        if not qualification.active:
            raise Unprocessable(f"Crebo {data.crebo} is no longer in the active catalogue")
        applied_on = data.applied_on or clock.today()
        if applied_on > clock.today():
            raise ValidationFailed(
                [{"field": "applied_on", "message": "an application date is not in the future"}]
            )
        recognition = Recognition(
            company_id=company.id, qualification_id=qualification.id, pathway=data.pathway
        )
        self.session.add(recognition)
        try:
            async with self.session.begin_nested():
                await self.session.flush()
        except IntegrityError:
            raise Conflict(
                "This company already has a recognition (or application) "
                f"for crebo {data.crebo} ({data.pathway.value})"
            ) from None
        await periods.replace(
            self.session,
            recognition.id,
            [],
            [Segment(applied_on, None, RecognitionStatus.PENDING)],
            clock.today(),
        )
        await audit.record(
            self.session,
            caller,
            "recognition.applied",
            recognition,
            detail={
                "company_id": str(company.id),
                "crebo": qualification.crebo,
                "pathway": data.pathway.value,
            },
        )
        return recognition_read(recognition, qualification)

    def _listing(self, caller: Caller) -> Select[Recognition, Qualification]:
        stmt = select(Recognition, Qualification).join(
            Qualification, col(Qualification.id) == col(Recognition.qualification_id)
        )
        return scoped(stmt, Recognition, caller)

    async def list(
        self,
        caller: Caller,
        *,
        company_id: UUID | None = None,
        status: RecognitionStatus | None = None,
        crebo: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[RecognitionRead], int]:
        stmt = self._listing(caller)
        if company_id is not None:
            stmt = stmt.where(col(Recognition.company_id) == company_id)
        if status is not None:
            stmt = stmt.where(col(Recognition.status) == status)
        if crebo is not None:
            stmt = stmt.where(col(Qualification.crebo) == crebo)
        order = (col(Qualification.crebo), col(Recognition.pathway), col(Recognition.id))
        rows, total = await fetch_page(self.session, stmt, *order, limit=limit, offset=offset)
        return [recognition_read(r, q) for r, q in rows], total

    async def for_company(self, company_id: UUID, caller: Caller) -> builtins.list[RecognitionDetail]:
        """A company's recognitions, each with its full period history (visible to the company itself)."""
        await CompanyService(self.session).get(company_id, caller)
        rows = (
            await self.session.exec(
                self._listing(caller)
                .where(col(Recognition.company_id) == company_id)
                .order_by(col(Qualification.crebo), col(Recognition.pathway))
            )
        ).all()
        return await self._details(rows)

    async def detail(self, recognition_id: UUID, caller: Caller) -> RecognitionDetail:
        row = (
            await self.session.exec(self._listing(caller).where(col(Recognition.id) == recognition_id))
        ).first()
        if row is None:
            raise NotFound("No such recognition")
        [detail] = await self._details([row])
        return detail

    async def _details(self, rows: Sequence[tuple[Recognition, Qualification]]) -> builtins.list[RecognitionDetail]:
        ids = [r.id for r, _ in rows]
        history = await periods.history(self.session, ids)
        links: dict[UUID, list[UUID]] = {rid: [] for rid in ids}
        if ids:
            stmt = (
                select(DecisionRecognition.recognition_id, Decision.id)
                .join(Decision, col(Decision.id) == col(DecisionRecognition.decision_id))
                .where(col(DecisionRecognition.recognition_id).in_(ids))
                .order_by(col(Decision.created_at).desc())
            )
            for rid, did in (await self.session.exec(stmt)).all():
                links[rid].append(did)
        return [
            RecognitionDetail(
                **recognition_read(r, q).model_dump(),
                periods=period_reads(history[r.id]),
                decision_ids=links[r.id],
            )
            for r, q in rows
        ]

    # ------------------------------------------------------------ both time axes

    async def history(
        self,
        recognition_id: UUID,
        caller: Caller,
        *,
        day: date | None = None,
        answered_on: date | None = None,
        answered_at: datetime | None = None,
    ) -> RecognitionHistoryRead:
        """The periods now and every superseded one; given when the register was asked (a date: its last
        answer that day; a moment, Europe/Amsterdam if it names no zone), what it answered then about `day`
        (default: the date it was asked) and what holds on it now."""
        if answered_on is not None and answered_at is not None:
            raise ValidationFailed([{"field": "answered_at", "message": "give answered_on or answered_at, not both"}])
        at = answered_at
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=clock.AMSTERDAM)
        if answered_on is not None:
            at = datetime.combine(answered_on + timedelta(days=1), time(), tzinfo=clock.AMSTERDAM) - timedelta(
                microseconds=1
            )
        recognition = await self.get(recognition_id, caller)
        current, superseded = await periods.records(self.session, recognition.id)
        answer = None
        if at is not None:
            day = day or clock.local(at).date()
            then = register_answer(periods.run_around(periods.known_at([*current, *superseded], at), day))
            now = register_answer(periods.run_around([r.segment for r in current], day))
            public = {"status", "since", "until"}  # what verify answers (the decision is not part of it)
            corrected = then.model_dump(include=public) != now.model_dump(include=public)
            answer = RecordedAnswerRead(day=day, answered_at=at, then=then, now=now, corrected=corrected)
        return RecognitionHistoryRead(
            recognition_id=recognition.id,
            periods=[RecordedPeriodRead(**_recorded(r)) for r in current],
            superseded=[_superseded(r) for r in superseded],
            answer=answer,
        )

    # ------------------------------------------------------------ reassessment (every four years)

    async def reassessment_due(
        self, *, within_days: int, noticed_since: date | None, limit: int, offset: int
    ) -> tuple[builtins.list[ReassessmentDueRead], int]:
        """Recognitions in force with a reassessment due within `within_days` (or overdue), soonest first."""
        horizon = clock.today() + timedelta(days=within_days)
        stmt = (
            select(Recognition, Qualification, Company)
            .join(Qualification, col(Qualification.id) == col(Recognition.qualification_id))
            .join(Company, col(Company.id) == col(Recognition.company_id))
            .where(col(Recognition.status).in_(IN_FORCE), col(Recognition.reassessment_due) <= horizon)
        )
        if noticed_since is not None:
            stmt = stmt.where(col(Recognition.reassessment_noticed_on) >= noticed_since)
        order = (col(Recognition.reassessment_due), col(Recognition.id))
        rows, total = await fetch_page(self.session, stmt, *order, limit=limit, offset=offset)
        assessments = await assessed.latest(self.session, [r.id for r, _, _ in rows])
        items = [
            ReassessmentDueRead(
                **recognition_read(r, q).model_dump(),
                company_name=c.name,
                company_sbb_id=c.sbb_id or "",
                reassessment_noticed_on=r.reassessment_noticed_on,
                last_assessment=assessments.get(r.id),
            )
            for r, q, c in rows
        ]
        return items, total

    async def mark_reassessed(
        self, recognition_id: UUID, assessed_on: date, caller: Caller, settings: Settings
    ) -> RecognitionRead:
        """A reassessment found the criteria still met: the next one is due four years later.

        Only on a recorded assessment: its latest must have every criterion met, on or after `assessed_on`
        (recording such an assessment sets the next date itself; this confirms an earlier visit's date)."""
        recognition = await self.get(recognition_id, caller, for_update=True)
        if recognition.status not in IN_FORCE:
            raise InvalidTransition(f"A {recognition.status.value} recognition is not reassessed")
        if assessed_on > clock.today() or (recognition.granted_on and assessed_on < recognition.granted_on):
            raise ValidationFailed([{"field": "assessed_on", "message": "between the grant and today"}])
        last = (
            await self.session.exec(
                select(CriteriaAssessment)
                .where(CriteriaAssessment.recognition_id == recognition.id)
                .order_by(col(CriteriaAssessment.assessed_on).desc(), col(CriteriaAssessment.created_at).desc())
            )
        ).first()
        if last is None or not last.all_met or last.assessed_on < assessed_on:
            raise InvalidTransition(
                "Record the reassessment first: its latest assessment must find every criterion met, on or after "
                f"{assessed_on.isoformat()}"
            )
        next_due = next_reassessment(recognition, assessed_on, settings)
        self.session.add(recognition)
        await audit.record(
            self.session,
            caller,
            "recognition.reassessed",
            recognition,
            detail={"assessed_on": assessed_on.isoformat(), "next_due": next_due.isoformat()},
        )
        qualification = await self.session.get(Qualification, recognition.qualification_id)
        assert qualification is not None
        return recognition_read(recognition, qualification)


def next_reassessment(recognition: Recognition, assessed_on: date, settings: Settings) -> date:
    """Set the next reassessment `REASSESSMENT_YEARS` after this one, off the advisers' list; returns its date."""
    next_due: date = assessed_on + relativedelta(years=settings.reassessment_years)
    recognition.reassessment_due = next_due
    recognition.reassessment_noticed_on = None
    recognition.version += 1
    recognition.updated_at = utcnow()
    return next_due


async def notice_reassessments(session: AsyncSession, caller: Caller, today: date, notice_days: int) -> int:
    """Put recognitions whose reassessment falls due within `notice_days` on the advisers' list, once."""
    t = Recognition.__table__  # type: ignore[attr-defined]  # __table__ is untyped
    result = await session.exec(
        sa.update(t)
        .where(
            t.c.status.in_([s.value for s in IN_FORCE]),
            t.c.reassessment_due <= today + timedelta(days=notice_days),
            t.c.reassessment_noticed_on.is_(None),
        )
        .values(reassessment_noticed_on=today)
    )
    noticed = int(result.rowcount or 0)
    if noticed:
        await audit.record(
            session,
            caller,
            "recognition.reassessments_noticed",
            object_type="recognition",
            detail={"count": noticed, "noticed_on": today.isoformat()},
        )
    log.info("recognition.reassessments_noticed", count=noticed)
    return noticed
