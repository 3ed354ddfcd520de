"""After approval: the decision or the follow-up, closing the case, feedback; and deadline follow-through.

These run in the worker under the outbox event's lock, and each checks first whether it is still to
do, so a second run has no second effect.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import calendar, clock, mail
from erkenning.core.audit import service as audit
from erkenning.core.auth.models import Principal
from erkenning.core.caller import Caller, Role
from erkenning.core.settings import Settings
from erkenning.recognition import assessed
from erkenning.recognition.criteria import NON_DISCRIMINATION
from erkenning.recognition.dispatch import LetterRenderer
from erkenning.recognition.services import measures
from erkenning.reports.services.reports import ReportService
from erkenning.training.services import participations as training
from erkenning.training.services.invitations import InvitationService
from erkenning.workflows import deadlines
from erkenning.workflows.models import (
    AdviserTask,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Investigation,
    InvestigationStatus,
    Outcome,
    TimelineEvent,
)
from erkenning.workflows.services.investigations import InvestigationService

SYSTEM = Caller.system("workflow")
LEGAL_BASIS = "art. 7.2.10 WEB; erkenningsvoorwaarden SBB (een veilige, discriminatievrije leerwerkplek)"
DECISION_KIND = {Outcome.SUSPENSION: "suspend", Outcome.WITHDRAWAL: "withdraw"}


async def timeline_note(
    session: AsyncSession, case_id: UUID, kind: str, note: str | None = None, *, by: Caller = SYSTEM, **data: Any
) -> None:
    """A line on a case's timeline that is no status move (the workflow's own, or `by` someone)."""
    session.add(
        TimelineEvent(investigation_id=case_id, kind=kind, actor_id=by.principal_id, actor_role=by.role.value,
                      note=note, data=data)
    )


async def _caller_for(session: AsyncSession, principal_id: UUID | None) -> Caller:
    principal = await session.get(Principal, principal_id) if principal_id else None
    if principal is None:
        raise LookupError("the proposer or approver of this case no longer exists")
    return Caller(principal_id=principal.id, role=principal.role, name=principal.name)


def _measure(case: Investigation) -> dict[str, Any]:
    """The decision a case's adverse outcome becomes: the same for carrying it out and for its preview."""
    assert case.outcome is not None
    return {
        "kind": DECISION_KIND[case.outcome], "recognition_ids": list(case.recognition_ids),
        "grounds": case.findings or "", "legal_basis": LEGAL_BASIS, "effective_from": case.effective_from,
        "effective_until": case.effective_until, "placements_until": case.placements_until,
    }


async def intended_preview(
    session: AsyncSession, settings: Settings, letters: LetterRenderer, case: Investigation
) -> str | None:
    """The letter of the intended decision the proposal of `case` would put to the company if approved today
    (None when the outcome is no measure, or an urgent one, which is drafted without an intended decision)."""
    if case.outcome not in DECISION_KIND or case.urgent_reason or case.proposed_by is None:
        return None
    return await measures.preview_intended(session, settings, letters, **_measure(case), company_id=case.company_id,
                                           drafted_by=case.proposed_by)


async def carry_out(session: AsyncSession, settings: Settings, letters: LetterRenderer, case_id: UUID) -> None:
    """approved → closed: put the measure to the company as an intended decision (art. 4:8 Awb; an urgent
    one, art. 4:11, waits as a draft for a senior adviser's approval), or schedule the follow-up; then close.

    Nothing is sent here: the decision follows its own steps in the recognition domain (the response or
    the end of its term, a senior adviser's approval, a person sending it)."""
    service = InvestigationService(session, settings)
    case = await service.get(case_id, SYSTEM, for_update=True)
    if case.status is not InvestigationStatus.APPROVED:
        return
    if case.outcome in DECISION_KIND:
        # The condition no longer met, as the case found it (cases from before criteria: non-discrimination).
        concerned = await assessed.criterion(session, case.criterion_id)
        if concerned is None:
            concerned = await assessed.criterion_by_code(session, NON_DISCRIMINATION, clock.today())
        decision = await measures.from_investigation(
            session,
            settings,
            letters,
            **_measure(case),
            urgent_reason=case.urgent_reason,
            criterion_code=concerned.code,
            investigation_id=case.id,
            drafted_by=await _caller_for(session, case.proposed_by),
            intended_by=await _caller_for(session, case.approved_by),
        )
        case.decision_id = decision.id
        if decision.response_due is not None:
            await timeline_note(session, case.id, "intended_decision_sent", decision_id=str(decision.id),
                                kenmerk=decision.kenmerk, response_due=decision.response_due.isoformat())
        else:
            await timeline_note(session, case.id, "urgent_decision_drafted", decision_id=str(decision.id),
                                kenmerk=decision.kenmerk)
    elif case.outcome is Outcome.IMPROVEMENT_AGREEMENT and case.follow_up_on is not None:
        remind = calendar.next_working_day(case.follow_up_on - timedelta(days=7))
        await deadlines.schedule(
            session, case.id, DeadlineKind.FOLLOW_UP, deadlines.morning_of(case.follow_up_on),
            deadlines.morning_of(remind),
        )
        await timeline_note(session, case.id, "follow_up_scheduled", follow_up_on=case.follow_up_on.isoformat())
        # The recommended topics' courses, offered to the company (voluntary; once per case).
        await InvitationService(session).offer_after_agreement(case.company_id, case.id, case.recommended_topics)
    await service._move(case, InvestigationStatus.CLOSED, SYSTEM, "closed")
    case.closed_at = clock.now()
    await deadlines.close(session, case.id, DeadlineKind.LEAD_TIME)
    await deadlines.close(session, case.id, DeadlineKind.HEARING_ANSWER, met=False)
    await deadlines.close(session, case.id, DeadlineKind.REPORTER_REACTION, met=False)
    await timeline_note(session, case.id, "closed", outcome=case.outcome.value if case.outcome else None)
    # The reports behind the case close with it; the school that passed one on hears the outcome category.
    report_service = ReportService(session)
    for report_id in await service.report_ids(case.id):
        report = await report_service.mark_closed(report_id, SYSTEM)
        if report.school_brin is not None:
            mail.queue(session, "case_feedback_school", report_id=report.id, investigation_id=case.id)
    await session.flush()


async def escalate_lead_time(session: AsyncSession, deadline: Deadline) -> None:
    """The lead time passed without a decision: tell the senior advisers (once; the sweep marks it)."""
    seniors = (
        await session.exec(
            select(Principal.id).where(
                col(Principal.role) == Role.SENIOR_ADVISER, col(Principal.active), col(Principal.email).is_not(None)
            )
        )
    ).all()
    for senior_id in seniors:
        mail.queue(session, "lead_time_escalation", investigation_id=deadline.investigation_id, principal_id=senior_id)
    await timeline_note(session, deadline.investigation_id, "lead_time_escalated", seniors=len(seniors))
    await audit.record(session, SYSTEM, "investigation.lead_time_escalated", object_type="investigation",
                       object_id=deadline.investigation_id)


async def follow_up(session: AsyncSession, settings: Settings, deadline: Deadline) -> None:
    """On the follow-up date: did the company complete the recommended course topics since the agreement?"""
    case = await session.get(Investigation, deadline.investigation_id)
    if case is None:
        return
    start, end = InvestigationService(session, settings).follow_up_window(case)
    topics = list(case.recommended_topics)
    done = await training.completed_topics(session, case.company_id, topics, start, end) if topics else set()
    missing = sorted(set(topics) - done)
    await timeline_note(
        session, case.id, "follow_up_checked", completed=sorted(done), missing=missing,
        note="Alle aanbevolen onderwerpen afgerond" if not missing else "Niet alle aanbevolen onderwerpen afgerond",
    )
    if missing:
        task = AdviserTask(
            investigation_id=case.id, assigned_to=case.assigned_to or case.proposed_by, kind="follow_up",
            note="Verbeterafspraken: aanbevolen cursussen niet (alle) afgerond; neem contact op met het leerbedrijf",
            due_on=calendar.add_working_days(clock.today(), 5),
        )
        session.add(task)
        await session.flush()
        mail.queue(session, "follow_up_task", investigation_id=case.id, task_id=task.id)
    deadline.status, deadline.closed_at = DeadlineStatus.MET, clock.now()
    session.add(deadline)
