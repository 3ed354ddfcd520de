"""Reading investigations: the case list (my cases, overdue first) and one case with all it needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import calendar, clock, paging, states
from erkenning.core.audit import service as audit
from erkenning.core.auth.scope import scoped
from erkenning.core.caller import Caller
from erkenning.workflows import deadlines as deadline_ops
from erkenning.workflows.models import (
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Investigation,
    InvestigationReport,
    InvestigationStatus,
)
from erkenning.workflows.schemas import (
    DeadlineRead,
    HearingRead,
    InvestigationRead,
    InvestigationSummary,
    MoveRead,
    TimelineEventRead,
)
from erkenning.workflows.services.investigations import InvestigationService
from erkenning.workflows.services.reporter_reactions import ReporterReactionService
from erkenning.workflows.states import ROUND_TRANSITIONS, TRANSITIONS


@dataclass(frozen=True)
class CaseFilter:
    mine: bool = False
    status: InvestigationStatus | None = None
    overdue: bool = False
    company_id: UUID | None = None
    include_closed: bool = False


async def case_of_report(session: AsyncSession, report_id: UUID, caller: Caller) -> Investigation | None:
    """The case a substantiated report opened or joined, once the worker did so (None before)."""
    stmt = scoped(select(Investigation), Investigation, caller).join(
        InvestigationReport, col(InvestigationReport.investigation_id) == col(Investigation.id)
    ).where(InvestigationReport.report_id == report_id)
    return (await session.exec(stmt)).first()


def _next_deadline() -> sa.ScalarSelect[datetime]:
    return (
        sa.select(sa.func.min(Deadline.due_at))
        .where(col(Deadline.investigation_id) == Investigation.id, col(Deadline.status) == DeadlineStatus.OPEN)
        .correlate(Investigation)
        .scalar_subquery()
    )


async def list_cases(
    session: AsyncSession, caller: Caller, filters: CaseFilter, *, limit: int, offset: int
) -> tuple[list[InvestigationSummary], int]:
    """Cases with their next deadline, overdue first, then by the nearest deadline."""
    next_due = _next_deadline().label("next_deadline_at")
    now = clock.now()
    stmt = select(Investigation, next_due)
    if filters.mine:
        stmt = stmt.where(Investigation.assigned_to == caller.principal_id)
    if filters.status is not None:
        stmt = stmt.where(Investigation.status == filters.status)
    elif not filters.include_closed:
        stmt = stmt.where(col(Investigation.status) != InvestigationStatus.CLOSED)
    if filters.company_id is not None:
        stmt = stmt.where(Investigation.company_id == filters.company_id)
    if filters.overdue:
        stmt = stmt.where(_next_deadline() < now)
    overdue_first = sa.case((next_due < now, 0), else_=1)
    rows, total = await paging.fetch_page(
        session, stmt, overdue_first, next_due.asc().nulls_last(), col(Investigation.opened_at),
        limit=limit, offset=offset,
    )
    items = []
    for case, due in rows:
        summary = InvestigationSummary.model_validate(case)
        summary.next_deadline_at = due
        summary.overdue = due is not None and due < now
        items.append(summary)
    return items, total


def _deadline_read(deadline: Deadline) -> DeadlineRead:
    read = DeadlineRead.model_validate(deadline)
    if deadline.status is DeadlineStatus.OPEN:
        read.working_days_left = calendar.working_days_between(clock.today(), clock.local(deadline.due_at).date())
    return read


async def case_detail(
    session: AsyncSession, service: InvestigationService, case_id: UUID, caller: Caller,
    reactions: ReporterReactionService | None = None,
) -> InvestigationRead:
    """One case for staff: reports, timeline, deadlines, the reporting side's reactions, and the moves this
    caller may make now (audited read)."""
    case = await service.get(case_id, caller)
    await audit.record(session, caller, "investigation.read", case)
    read = InvestigationRead.model_validate(case)
    read.report_ids = await service.report_ids(case.id)
    read.timeline = [TimelineEventRead.model_validate(e) for e in await service.timeline(case.id)]
    rows = await session.exec(
        select(Deadline).where(col(Deadline.investigation_id) == case.id).order_by(col(Deadline.due_at))
    )
    read.deadlines = [_deadline_read(d) for d in rows.all()]
    open_due = [d.due_at for d in read.deadlines if d.status is DeadlineStatus.OPEN]
    read.next_deadline_at = min(open_due) if open_due else None
    read.overdue = read.next_deadline_at is not None and read.next_deadline_at < clock.now()
    read.allowed_moves = [MoveRead.of(m) for m in states.allowed(TRANSITIONS, case, caller)]
    reactions = reactions or ReporterReactionService(session, service.settings)
    read.reporter_reactions = await reactions.for_case(case, caller)
    read.reporter_moves = [
        MoveRead.of(m) for m in states.allowed(ROUND_TRANSITIONS, case, caller, attr="reporter_round")
    ]
    return read


async def hearing_view(session: AsyncSession, case: Investigation, caller: Caller) -> HearingRead:
    """The hearing part of a case, as its company sees it (an audited read of the case)."""
    await audit.record(session, caller, "investigation.read", case, detail={"view": "hearing"})
    deadline = await deadline_ops.get(session, case.id, DeadlineKind.HEARING_ANSWER)
    return HearingRead(
        id=case.id,
        question=case.hearing_question,
        requested_at=case.hearing_requested_at,
        answer_due_at=deadline.due_at if deadline else None,
        answered_at=case.hearing_answered_at,
        answer=case.hearing_answer,
        open_for_answer=case.status is InvestigationStatus.HEARING,
    )


async def company_hearings(session: AsyncSession, caller: Caller) -> list[HearingRead]:
    from erkenning.core.auth.scope import scoped

    rows = await session.exec(
        scoped(select(Investigation), Investigation, caller).order_by(col(Investigation.hearing_requested_at).desc())
    )
    return [await hearing_view(session, case, caller) for case in rows.all()]
