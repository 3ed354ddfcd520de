"""E-mails of the investigation workflow (Dutch texts in core/mail/templates/)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.companies.models import Company
from erkenning.core import clock
from erkenning.core.auth.models import Principal
from erkenning.core.caller import Role
from erkenning.core.mail import Composed, Composer
from erkenning.reports.models import Report
from erkenning.workflows import deadlines
from erkenning.workflows.models import AdviserTask, DeadlineKind, Investigation, ReactionStatus, ReporterReaction

NOBODY = Composed(to=None, context={})


async def _case(session: AsyncSession, payload: dict[str, Any]) -> Investigation | None:
    return await session.get(Investigation, UUID(payload["investigation_id"]))


async def _to_company(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    case = await _case(session, payload)
    company = await session.get(Company, case.company_id) if case else None
    if case is None or company is None:
        return NOBODY
    deadline = await deadlines.get(session, case.id, DeadlineKind.HEARING_ANSWER)
    due = clock.local(deadline.due_at).date() if deadline else None
    # Only the question put to the company: never the reports, the reporter or the school.
    return Composed(
        to=company.email,
        context={"company": company.name, "question": case.hearing_question, "due": due, "case_id": case.id},
    )


async def hearing_request(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    return await _to_company(session, payload)


async def hearing_reminder(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    return await _to_company(session, payload)


async def _to_principal(session: AsyncSession, principal_id: UUID | None, **context: Any) -> Composed:
    principal = await session.get(Principal, principal_id) if principal_id else None
    if principal is None or not principal.active:
        return NOBODY
    return Composed(to=principal.email, context={"name": principal.name, **context})


async def investigation_opened(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    case = await _case(session, payload)
    if case is None:
        return NOBODY
    return await _to_principal(session, case.assigned_to, case_id=case.id)


async def lead_time_reminder(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    case = await _case(session, payload)
    if case is None:
        return NOBODY
    deadline = await deadlines.get(session, case.id, DeadlineKind.LEAD_TIME)
    due = clock.local(deadline.due_at).date() if deadline else None
    return await _to_principal(session, case.assigned_to, case_id=case.id, due=due)


async def lead_time_escalation(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    case = await _case(session, payload)
    if case is None:
        return NOBODY
    return await _to_principal(session, UUID(payload["principal_id"]), case_id=case.id, status=case.status.value)


async def follow_up_reminder(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    case = await _case(session, payload)
    if case is None:
        return NOBODY
    return await _to_principal(session, case.assigned_to or case.proposed_by, case_id=case.id, due=case.follow_up_on)


async def follow_up_task(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    task = await session.get(AdviserTask, UUID(payload["task_id"]))
    if task is None:
        return NOBODY
    return await _to_principal(session, task.assigned_to, case_id=task.investigation_id, note=task.note,
                               due=task.due_on)


OUTCOME_WORDS = {
    "unfounded": "ongegrond: er volgen geen maatregelen",
    "improvement_agreement": "er zijn verbeterafspraken gemaakt met het leerbedrijf",
    # The measure is not decided yet: the company may respond first (art. 4:8 Awb). The register shows it once
    # it is.
    "suspension": "SBB neemt een besluit over schorsing van de erkenning van het leerbedrijf; of en vanaf "
    "wanneer die geldt, ziet u in het register van SBB",
    "withdrawal": "SBB neemt een besluit over intrekking van de erkenning van het leerbedrijf; of en vanaf "
    "wanneer die geldt, ziet u in het register van SBB",
}


async def _school_contact(session: AsyncSession, brin: str) -> Principal | None:
    """The school's reporting point: its first active account with an e-mail address."""
    return (
        await session.exec(
            select(Principal)
            .where(Principal.role == Role.SCHOOL, Principal.school_brin == brin, Principal.active)
            .where(col(Principal.email).is_not(None))
            .order_by(col(Principal.created_at))
        )
    ).first()


async def case_feedback_school(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    """To the school's reporting point: the outcome category only, never the findings."""
    report = await session.get(Report, UUID(payload["report_id"]))
    case = await _case(session, payload)
    if report is None or case is None or report.school_brin is None:
        return NOBODY
    school = await _school_contact(session, report.school_brin)
    if school is None:
        return NOBODY
    return Composed(
        to=school.email,
        context={
            "school": school.name,
            "reference": report.school_reference,
            "received": clock.local(report.created_at).date(),
            "outcome": OUTCOME_WORDS.get(case.outcome.value if case.outcome else "unfounded", ""),
        },
    )


async def _to_reporting_school(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    """To the school that passed the report on: SBB's question about that report, and its term.

    The question is the adviser's wording of the company's answer; the company is not named beyond the
    question, and nothing of other reports or of the company's answer itself goes with it.
    """
    reaction = await session.get(ReporterReaction, UUID(payload["reaction_id"]))
    if reaction is None or reaction.status is not ReactionStatus.ASKED or reaction.school_brin is None:
        return NOBODY
    report = await session.get(Report, reaction.report_id)
    school = await _school_contact(session, reaction.school_brin)
    if report is None or school is None:
        return NOBODY
    deadline = await deadlines.get(session, reaction.investigation_id, DeadlineKind.REPORTER_REACTION)
    return Composed(
        to=school.email,
        context={
            "school": school.name, "reference": report.school_reference,
            "received": clock.local(report.created_at).date(), "question": reaction.question,
            "due": clock.local(deadline.due_at).date() if deadline else None,
        },
    )


async def reporter_reaction_request(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    return await _to_reporting_school(session, payload)


async def reporter_reaction_reminder(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    return await _to_reporting_school(session, payload)


async def reporter_reaction_record_reminder(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    """To the case's adviser: reactions to chase by phone or letter (reports an adviser entered)."""
    case = await _case(session, payload)
    if case is None:
        return NOBODY
    deadline = await deadlines.get(session, case.id, DeadlineKind.REPORTER_REACTION)
    due = clock.local(deadline.due_at).date() if deadline else None
    return await _to_principal(session, case.assigned_to, case_id=case.id, due=due)


COMPOSERS: dict[str, Composer] = {
    "hearing_request": hearing_request,
    "hearing_reminder": hearing_reminder,
    "investigation_opened": investigation_opened,
    "lead_time_reminder": lead_time_reminder,
    "lead_time_escalation": lead_time_escalation,
    "follow_up_reminder": follow_up_reminder,
    "follow_up_task": follow_up_task,
    "case_feedback_school": case_feedback_school,
    "reporter_reaction_request": reporter_reaction_request,
    "reporter_reaction_reminder": reporter_reaction_reminder,
    "reporter_reaction_record_reminder": reporter_reaction_record_reminder,
}
