"""The investigation workflow: one method per transition, each recorded on the case's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import calendar, clock, mail, outbox, states
from erkenning.core.audit import service as audit
from erkenning.core.auth.scope import get_scoped
from erkenning.core.caller import Caller, Role
from erkenning.core.errors import InvalidTransition, NotFound, ValidationFailed
from erkenning.core.settings import Settings
from erkenning.recognition import assessed
from erkenning.recognition.criteria import NON_DISCRIMINATION
from erkenning.reports.models import Report
from erkenning.workflows import deadlines
from erkenning.workflows.models import (
    OPEN_STATES,
    DeadlineKind,
    Investigation,
    InvestigationReport,
    Outcome,
    ReactionStatus,
    ReporterReaction,
    TimelineEvent,
)
from erkenning.workflows.models import InvestigationStatus as S
from erkenning.workflows.states import ADVERSE, TRANSITIONS

APPROVED_TOPIC = "investigation.approved"


@dataclass(frozen=True)
class Proposal:
    """What an adviser proposes; which fields are needed depends on the outcome."""

    outcome: Outcome
    findings: str
    measures: str | None = None
    follow_up_on: date | None = None
    recommended_topics: tuple[str, ...] = ()
    recognition_ids: tuple[UUID, ...] = ()
    effective_from: date | None = None
    effective_until: date | None = None
    placements_until: date | None = None
    urgent_reason: str | None = None
    criterion_code: str | None = None

    def concerns(self) -> str | None:
        """The criterion the outcome concerns: as given, else (these are discrimination cases) non-discrimination;
        an unfounded outcome concerns none."""
        if self.outcome is Outcome.UNFOUNDED:
            return None
        return self.criterion_code or NON_DISCRIMINATION

    def transition_until(self) -> date | None:
        """Until when running placements may continue; a withdrawal from a later date: that date, unless given."""
        if self.placements_until is None and self.outcome is Outcome.WITHDRAWAL and self.effective_from is not None:
            return self.effective_from if self.effective_from > clock.today() else None
        return self.placements_until

    def problems(self) -> list[dict[str, str]]:
        errors = []
        placements_until = self.transition_until()
        if self.outcome is Outcome.IMPROVEMENT_AGREEMENT:
            if not self.measures:
                errors.append({"field": "measures", "message": "an improvement agreement names its measures"})
            if self.follow_up_on is None or self.follow_up_on <= clock.today():
                errors.append({"field": "follow_up_on", "message": "a follow-up date in the future is required"})
        if self.outcome in ADVERSE:
            if not self.recognition_ids:
                errors.append({"field": "recognition_ids", "message": "name the recognitions concerned"})
            if self.effective_from is None or self.effective_from < clock.today():
                errors.append({"field": "effective_from", "message": "an effective date from today on is required"})
            if placements_until is None:
                errors.append({"field": "placements_until",
                               "message": "state until when running placements may continue"})
            elif self.effective_from is not None and placements_until < self.effective_from:
                errors.append({"field": "placements_until", "message": "must not be before effective_from"})
        elif self.placements_until is not None or self.urgent_reason:
            field = "placements_until" if self.placements_until is not None else "urgent_reason"
            errors.append({"field": field, "message": "only a suspension or withdrawal has this"})
        if self.outcome is Outcome.SUSPENSION and self.effective_until is not None and self.effective_from:
            if self.effective_until <= self.effective_from:
                errors.append({"field": "effective_until", "message": "must be after effective_from"})
        if self.outcome is not Outcome.SUSPENSION and self.effective_until is not None:
            errors.append({"field": "effective_until", "message": "only a suspension has an end date"})
        if self.outcome is Outcome.UNFOUNDED and self.criterion_code is not None:
            errors.append({"field": "criterion_code", "message": "an unfounded outcome finds no criterion unmet"})
        return errors


class InvestigationService:
    """Onderzoeken: from a substantiated report to an approved outcome and its decision."""

    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    # ------------------------------------------------------------------ reading

    async def get(self, case_id: UUID, caller: Caller, *, for_update: bool = False) -> Investigation:
        return await get_scoped(self.session, Investigation, case_id, caller, for_update=for_update,
                                what="investigation")

    async def timeline(self, case_id: UUID) -> list[TimelineEvent]:
        rows = await self.session.exec(
            select(TimelineEvent).where(TimelineEvent.investigation_id == case_id).order_by(col(TimelineEvent.at))
        )
        return list(rows.all())

    async def report_ids(self, case_id: UUID) -> list[UUID]:
        rows = await self.session.exec(
            select(InvestigationReport.report_id).where(InvestigationReport.investigation_id == case_id)
        )
        return list(rows.all())

    # ------------------------------------------------------------------ the steps

    def _event(
        self, case: Investigation, caller: Caller, kind: str, *, frm: S | None = None, note: str | None = None,
        **data: Any,
    ) -> None:
        self.session.add(
            TimelineEvent(
                investigation_id=case.id, kind=kind, actor_id=caller.principal_id, actor_role=caller.role.value,
                from_status=frm.value if frm else None, to_status=case.status.value if frm else None,
                note=note, data={k: str(v) if isinstance(v, UUID | date) else v for k, v in data.items()},
            )
        )

    async def _move(self, case: Investigation, target: S, caller: Caller, action: str, **given: Any) -> S:
        came_from = states.apply(TRANSITIONS, case, target, caller, **given)
        case.version += 1
        case.updated_at = clock.now()
        self.session.add(case)
        await audit.record(self.session, caller, f"investigation.{action}", case,
                           detail={"from": came_from.value, "to": target.value})
        return came_from

    async def open_for_report(self, report_id: UUID, company_id: UUID) -> Investigation:
        """Open a case for a substantiated report, or join it to the company's open case (idempotent)."""
        system = Caller.system("workflow")
        linked = (
            await self.session.exec(select(InvestigationReport).where(InvestigationReport.report_id == report_id))
        ).first()
        if linked is not None:
            return await self.get(linked.investigation_id, system)
        case = (
            await self.session.exec(
                select(Investigation)
                .where(Investigation.company_id == company_id, col(Investigation.status) != S.CLOSED)
                .with_for_update()
            )
        ).first()
        if case is None:
            # The adviser who triaged the report takes the case, until a senior adviser reassigns it.
            report = await self.session.get(Report, report_id)
            case = Investigation(company_id=company_id, assigned_to=report.assigned_to if report else None)
            self.session.add(case)
            await self.session.flush()
            self._event(case, system, "opened", report_id=report_id)
            if case.assigned_to is not None:
                mail.queue(self.session, "investigation_opened", investigation_id=case.id)
            await audit.record(self.session, system, "investigation.opened", case, detail={"report_id": str(report_id)})
            opened = clock.today()
            lead = calendar.term_end(opened, weeks=self.settings.investigation_lead_time_weeks)
            remind = calendar.add_working_days(opened, max(0, calendar.working_days_between(opened, lead) - 5))
            await deadlines.schedule(self.session, case.id, DeadlineKind.LEAD_TIME, deadlines.end_of_day(lead),
                                     deadlines.morning_of(remind))
        else:
            self._event(case, system, "report_joined", report_id=report_id)
            await audit.record(self.session, system, "investigation.report_joined", case,
                               detail={"report_id": str(report_id)})
        self.session.add(InvestigationReport(investigation_id=case.id, report_id=report_id))
        await self.session.flush()
        return case

    async def assign(self, case_id: UUID, adviser_id: UUID, caller: Caller) -> Investigation:
        case = await self.get(case_id, caller, for_update=True)
        if case.status is S.CLOSED:
            raise InvalidTransition("A closed case cannot be reassigned")
        if caller.role is not Role.SENIOR_ADVISER and adviser_id != caller.principal_id:
            raise states.GuardRefused("Only a senior adviser assigns a case to someone else")
        from erkenning.core.auth.models import Principal

        adviser = await self.session.get(Principal, adviser_id)
        if adviser is None or adviser.role not in (Role.ADVISER, Role.SENIOR_ADVISER) or not adviser.active:
            raise ValidationFailed([{"field": "adviser_id", "message": "not an active adviser"}])
        case.assigned_to = adviser_id
        case.version += 1
        self.session.add(case)
        self._event(case, caller, "assigned", adviser_id=adviser_id)
        await audit.record(self.session, caller, "investigation.assigned", case, detail={"adviser_id": str(adviser_id)})
        return case

    async def request_hearing(self, case_id: UUID, caller: Caller, question: str) -> Investigation:
        case = await self.get(case_id, caller, for_update=True)
        frm = await self._move(case, S.HEARING, caller, "hearing_requested", question=question)
        case.hearing_question = question
        case.hearing_requested_at = clock.now()
        deadline = await deadlines.schedule_working_days(
            self.session, case.id, DeadlineKind.HEARING_ANSWER, self.settings.hearing_term_working_days
        )
        self._event(case, caller, "hearing_requested", frm=frm, due=clock.local(deadline.due_at).date())
        mail.queue(self.session, "hearing_request", investigation_id=case.id)
        await self.session.flush()
        return case

    async def answer_hearing(self, case_id: UUID, caller: Caller, answer: str) -> Investigation:
        """The company's side (through the portal), or the adviser recording an answer given otherwise."""
        case = await self.get(case_id, caller, for_update=True)
        frm = await self._move(case, S.ASSESSMENT, caller, "hearing_answered")
        case.hearing_answer = answer
        case.hearing_answered_at = clock.now()
        await deadlines.close(self.session, case.id, DeadlineKind.HEARING_ANSWER)
        self._event(case, caller, "hearing_answered", frm=frm)
        await self.session.flush()
        return case

    async def record_no_answer(self, case_id: UUID) -> Investigation | None:
        """The hearing deadline passed: note it on the timeline and move on (worker; idempotent)."""
        system = Caller.system("deadlines")
        case = await self.get(case_id, system, for_update=True)
        if case.status is not S.HEARING:
            return None
        frm = await self._move(case, S.ASSESSMENT, system, "hearing_unanswered")
        await deadlines.close(self.session, case.id, DeadlineKind.HEARING_ANSWER, met=False)
        self._event(case, system, "no_answer_received", frm=frm, note="Geen reactie ontvangen binnen de termijn")
        await self.session.flush()
        return case

    async def assess_without_hearing(self, case_id: UUID, caller: Caller, reason: str) -> Investigation:
        case = await self.get(case_id, caller, for_update=True)
        frm = await self._move(case, S.ASSESSMENT, caller, "assessment_started", reason=reason)
        self._event(case, caller, "assessment_started", frm=frm, note=reason)
        await self.session.flush()
        return case

    async def propose(self, case_id: UUID, caller: Caller, proposal: Proposal) -> Investigation:
        case = await self.get(case_id, caller, for_update=True)
        states.check(TRANSITIONS, case.status, S.PROPOSED, case, caller,
                     {"outcome": proposal.outcome, "findings": proposal.findings})
        if problems := proposal.problems():
            raise ValidationFailed(problems)
        await self._check_recognitions(case, proposal.recognition_ids)
        code = proposal.concerns()
        concerned = (
            await assessed.criterion_by_code(self.session, code, clock.today(), field="criterion_code")
            if code else None
        )
        frm = await self._move(case, S.PROPOSED, caller, "proposed", outcome=proposal.outcome,
                               findings=proposal.findings)
        case.outcome, case.findings, case.measures = proposal.outcome, proposal.findings, proposal.measures
        case.follow_up_on, case.recommended_topics = proposal.follow_up_on, list(proposal.recommended_topics)
        case.recognition_ids = list(proposal.recognition_ids)
        case.effective_from, case.effective_until = proposal.effective_from, proposal.effective_until
        case.placements_until, case.urgent_reason = proposal.transition_until(), proposal.urgent_reason or None
        case.criterion_id = concerned.id if concerned else None
        case.proposed_by, case.proposed_at = caller.principal_id, clock.now()
        case.approved_by = case.approved_at = None
        # What the reporting side said (wederhoor) is weighed in the proposal: the event names which reactions.
        self._event(case, caller, "proposed", frm=frm, outcome=proposal.outcome.value, criterion=code,
                    reporter_reactions=await self._reactions_weighed(case.id))
        await self.session.flush()
        return case

    async def approve(self, case_id: UUID, caller: Caller) -> Investigation:
        case = await self.get(case_id, caller, for_update=True)
        frm = await self._move(case, S.APPROVED, caller, "approved")
        case.approved_by, case.approved_at = caller.principal_id, clock.now()
        self._event(case, caller, "approved", frm=frm, outcome=case.outcome.value if case.outcome else None)
        outbox.add(self.session, APPROVED_TOPIC, investigation_id=case.id)
        await self.session.flush()
        return case

    async def send_back(self, case_id: UUID, caller: Caller, reason: str) -> Investigation:
        case = await self.get(case_id, caller, for_update=True)
        frm = await self._move(case, S.ASSESSMENT, caller, "sent_back", reason=reason)
        self._event(case, caller, "sent_back", frm=frm, note=reason)
        await self.session.flush()
        return case

    async def hold(self, case_id: UUID, caller: Caller, reason: str) -> Investigation:
        case = await self.get(case_id, caller, for_update=True)
        before = case.status
        frm = await self._move(case, S.ON_HOLD, caller, "put_on_hold", reason=reason)
        case.status_before_hold, case.on_hold_since, case.on_hold_reason = before, clock.now(), reason
        self._event(case, caller, "put_on_hold", frm=frm, note=reason)
        await self.session.flush()
        return case

    async def resume(self, case_id: UUID, caller: Caller) -> Investigation:
        case = await self.get(case_id, caller, for_update=True)
        target = case.status_before_hold or S.OPEN
        frm = await self._move(case, target, caller, "resumed")
        held = clock.now() - (case.on_hold_since or clock.now())
        moved = await deadlines.shift_open(self.session, case.id, held)
        case.status_before_hold = case.on_hold_since = case.on_hold_reason = None
        self._event(case, caller, "resumed", frm=frm, held_seconds=int(held.total_seconds()), deadlines_moved=moved)
        await self.session.flush()
        return case

    async def _reactions_weighed(self, case_id: UUID) -> dict[str, list[str]]:
        """The reporting side's reactions a proposal is made on: report ids by what came of the question."""
        rows = (await self.session.exec(
            select(ReporterReaction.report_id, ReporterReaction.status)
            .where(ReporterReaction.investigation_id == case_id)
            .order_by(col(ReporterReaction.asked_at))
        )).all()
        return {status.value: [str(r) for r, s in rows if s is status]
                for status in (ReactionStatus.ANSWERED, ReactionStatus.NO_REACTION)}

    async def _check_recognitions(self, case: Investigation, recognition_ids: tuple[UUID, ...]) -> None:
        if not recognition_ids:
            return
        from erkenning.recognition.models import Recognition

        found = set(
            (
                await self.session.exec(
                    select(Recognition.id).where(
                        col(Recognition.id).in_(recognition_ids), Recognition.company_id == case.company_id
                    )
                )
            ).all()
        )
        if missing := [str(r) for r in recognition_ids if r not in found]:
            raise ValidationFailed(
                [{"field": "recognition_ids", "message": f"not recognitions of this company: {', '.join(missing)}"}]
            )

    def follow_up_window(self, case: Investigation) -> tuple[date, date]:
        start = clock.local(case.approved_at).date() if case.approved_at else clock.today()
        return start, case.follow_up_on or clock.today()


def hold_duration(case: Investigation) -> timedelta:
    return clock.now() - case.on_hold_since if case.on_hold_since else timedelta(0)


__all__ = ["APPROVED_TOPIC", "OPEN_STATES", "InvestigationService", "NotFound", "Proposal", "hold_duration"]
