"""Hearing the other side (wederhoor): the reporting side of a case's reports reacts to the company's answer.

After the company answered its hearing (or its term passed), the case's adviser puts the substance of the
answer, in the adviser's own words, to the reporting side of every report of the case (`ask`): the school's
reporting point that passed a report on (on its pages, and by e-mail to its contact), the anonymous
reporter (on the receipt-status page, by the receipt code; there is no address to write to), or, for a
report an adviser entered, the adviser (by phone or letter, outside the service), who records the
reaction. One term for the round (`REPORTER_REACTION_TERM_WORKING_DAYS`), a reminder halfway, and when
it passes the worker records "no reaction" for every side that did not react; the case goes on. A
proposal waits while the round is open (`states.no_reporter_term_running`).

Identities stay apart: the question is checked for the company's registered data that a report's
reporting side did not name itself (`company_data_not_given`), and nothing of the reaction or of the
reporter reaches the company's views or e-mails. The basis is due care in gathering the facts (art. 3:2
Awb); the company's own hearing is art. 4:8 Awb.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from erkenning.companies.models import Company
from erkenning.core import clock, mail, states
from erkenning.core.audit import service as audit
from erkenning.core.auth.scope import clause, get_scoped, scoped
from erkenning.core.caller import Caller
from erkenning.core.errors import NotFound, ValidationFailed
from erkenning.core.settings import Settings
from erkenning.reports.models import Channel, Report
from erkenning.reports.services.intake import ReportIntake
from erkenning.workflows import closing, deadlines
from erkenning.workflows.models import (
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Investigation,
    InvestigationReport,
    ReactionRoute,
    ReactionStatus,
    ReporterReaction,
    RoundState,
)
from erkenning.workflows.schemas import ReactionAsked, ReporterReactionRead, SchoolReactionRead
from erkenning.workflows.states import (
    REACTION_TRANSITIONS,
    RECEIPT_HOLDER,
    ROUND_TRANSITIONS,
    assigned_or_senior,
)

SYSTEM = Caller.system("deadlines")


def route_of(report: Report) -> ReactionRoute:
    """How a report's reporting side is reached: the way the report came in."""
    if report.channel is Channel.SCHOOL_REPORTING_POINT:
        return ReactionRoute.SCHOOL
    if report.channel is Channel.PUBLIC_FORM and report.receipt_hash is not None:
        return ReactionRoute.RECEIPT
    return ReactionRoute.ADVISER


def _number(value: str) -> re.Pattern[str]:
    # A number as someone might write it: with spaces or dots between the digits.
    return re.compile(r"(?<!\d)" + r"[\s.]?".join(re.escape(d) for d in value) + r"(?!\d)")


def company_data_not_given(question: str, company: Company, reports: Iterable[Report]) -> list[str]:
    """Which of the company's registered data the question names although a report's side did not name it.

    The reporting side knows what it reported (the name, a number it gave); the register's other data
    (KvK and establishment numbers, the SBB id, address, e-mail, a registered name it did not use) is the
    company's identity beyond that, which the question must not add.
    """
    text = question.casefold()
    found = []
    given = list(reports)

    def everyone_gave(value: str | None, field: str) -> bool:
        return all((getattr(r, field) or "").casefold() == (value or "").casefold() for r in given)

    numbers = (("kvk_number", "company_kvk_given", "KvK number"),
               ("establishment_number", "company_establishment_given", "establishment number"),
               ("sbb_id", "company_sbb_id_given", "SBB id"))
    for attribute, field, word in numbers:
        value = getattr(company, attribute)
        if value and _number(value).search(question) and not everyone_gave(value, field):
            found.append(word)
    name = company.name.casefold()
    if name and name in text and not all(name in (r.company_name_given or "").casefold() for r in given):
        found.append("registered name")
    postcode = company.postcode.replace(" ", "").casefold()
    if postcode and postcode in text.replace(" ", ""):
        found.append("postcode")
    if company.email and company.email.casefold() in text:
        found.append("e-mail address")
    if company.street and len(company.street) >= 4 and company.street.casefold() in text:
        found.append("street")
    return found


class ReporterReactionService:
    """Wederhoor van de meldende kant: the question, the reactions, the term and its end."""

    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    # ------------------------------------------------------------------ reading

    async def _case(self, case_id: UUID, caller: Caller, *, for_update: bool = False) -> Investigation:
        return await get_scoped(self.session, Investigation, case_id, caller, for_update=for_update,
                                what="investigation")

    async def _reports(self, case_id: UUID) -> list[Report]:
        rows = await self.session.exec(
            select(Report)
            .join(InvestigationReport, col(InvestigationReport.report_id) == col(Report.id))
            .where(InvestigationReport.investigation_id == case_id)
            .order_by(col(Report.created_at))
        )
        return list(rows.all())

    async def _of_case(self, case_id: UUID, *, status: ReactionStatus | None = None,
                       for_update: bool = False) -> list[ReporterReaction]:
        stmt = select(ReporterReaction).where(ReporterReaction.investigation_id == case_id)
        if status is not None:
            stmt = stmt.where(ReporterReaction.status == status)
        stmt = stmt.order_by(col(ReporterReaction.asked_at), col(ReporterReaction.id))
        return list((await self.session.exec(stmt.with_for_update() if for_update else stmt)).all())

    async def _due(self, case_id: UUID) -> Deadline | None:
        deadline = await deadlines.get(self.session, case_id, DeadlineKind.REPORTER_REACTION)
        return deadline if deadline is not None and deadline.status is DeadlineStatus.OPEN else None

    async def for_case(self, case: Investigation, caller: Caller) -> list[ReporterReactionRead]:
        """Every question of the case and its reaction (staff; the text for those who may read it)."""
        may_read = assigned_or_senior(case, caller, {}) is None
        due = await self._due(case.id)
        return [
            ReporterReactionRead(
                id=r.id, report_id=r.report_id, route=r.route, status=r.status, question=r.question,
                asked_at=r.asked_at, due_at=due.due_at if due and r.status is ReactionStatus.ASKED else None,
                reminded_at=r.reminded_at, reaction=r.reaction if may_read else None, reacted_at=r.reacted_at,
                reaction_withheld=r.reaction is not None and not may_read, reaction_erased_at=r.reaction_erased_at,
            )
            for r in await self._of_case(case.id)
        ]

    async def _asked(self, reaction: ReporterReaction) -> ReactionAsked:
        due = await self._due(reaction.investigation_id) if reaction.status is ReactionStatus.ASKED else None
        return ReactionAsked(
            question=reaction.question, asked_at=reaction.asked_at, due_at=due.due_at if due else None,
            status=reaction.status, open_for_reaction=reaction.status is ReactionStatus.ASKED,
            reaction=reaction.reaction, reacted_at=reaction.reacted_at,
        )

    async def for_school(self, caller: Caller, *, limit: int, offset: int) -> tuple[list[SchoolReactionRead], int]:
        """The questions about the reports this school passed on, open ones first, then newest first."""
        base = select(ReporterReaction, Report).join(Report, col(Report.id) == col(ReporterReaction.report_id))
        if (own := clause(ReporterReaction, caller)) is not None:
            base = base.where(own)
        total = int((await self.session.exec(
            scoped(select(sa.func.count()).select_from(ReporterReaction), ReporterReaction, caller)
        )).one())
        rows = await self.session.exec(
            base.order_by(col(ReporterReaction.status) != ReactionStatus.ASKED, col(ReporterReaction.asked_at).desc(),
                          col(ReporterReaction.id)).limit(limit).offset(offset)
        )
        return [
            SchoolReactionRead(
                id=r.id, report_id=r.report_id, school_reference=report.school_reference,
                report_received_at=report.created_at, **(await self._asked(r)).model_dump(),
            )
            for r, report in rows.all()
        ], total

    async def for_receipt(self, code: str) -> list[ReactionAsked]:
        """What the anonymous reporter holding this receipt code is asked (NotFound for an unknown code)."""
        report = await ReportIntake(self.session).status_by_receipt(code)
        rows = await self.session.exec(
            select(ReporterReaction).where(ReporterReaction.report_id == report.id)
            .order_by(col(ReporterReaction.asked_at).desc())
        )
        return [await self._asked(r) for r in rows.all()]

    # ------------------------------------------------------------------ asking

    async def ask(self, case_id: UUID, caller: Caller, question: str) -> Investigation:
        """Put the question to the reporting side of every report of the case, with one term for all."""
        case = await self._case(case_id, caller, for_update=True)
        states.check(ROUND_TRANSITIONS, case.reporter_round, RoundState.OPEN, case, caller, {"question": question})
        reports = await self._reports(case.id)
        company = await self.session.get(Company, case.company_id)
        assert company is not None  # the case's foreign key
        if named := company_data_not_given(question, company, reports):
            raise ValidationFailed([{
                "field": "question",
                "message": "names the company's " + ", ".join(named) + ", which the reporting side did not "
                           "report itself: put the substance without the company's data",
            }])
        now = clock.now()
        asked = [
            ReporterReaction(investigation_id=case.id, report_id=report.id, route=route_of(report),
                             school_brin=report.school_brin, question=question, asked_by=caller.principal_id,
                             asked_at=now)
            for report in reports
        ]
        self.session.add_all(asked)
        case.reporter_round_open = True
        case.version += 1
        case.updated_at = now
        self.session.add(case)
        deadline = await deadlines.schedule_working_days(
            self.session, case.id, DeadlineKind.REPORTER_REACTION, self.settings.reporter_reaction_term_working_days
        )
        await self.session.flush()
        await closing.timeline_note(
            self.session, case.id, "reporter_reaction_requested", by=caller, reports=len(asked),
            due=clock.local(deadline.due_at).date().isoformat(),
            routes=sorted({r.route.value for r in asked}),
        )
        await audit.record(self.session, caller, "investigation.reporter_reaction_requested", case,
                           detail={"reports": len(asked)})
        for reaction in asked:
            if reaction.route is ReactionRoute.SCHOOL:
                mail.queue(self.session, "reporter_reaction_request", reaction_id=reaction.id)
        await self.session.flush()
        return case

    # ------------------------------------------------------------------ reacting

    async def answer_as_school(self, report_id: UUID, caller: Caller, text: str) -> SchoolReactionRead:
        """The school's reaction to the question about a report it passed on (foreign ids: NotFound)."""
        reaction = await self._latest(
            scoped(select(ReporterReaction), ReporterReaction, caller).where(ReporterReaction.report_id == report_id)
        )
        await self._react(reaction, caller, text)
        report = await self.session.get(Report, reaction.report_id)
        assert report is not None
        return SchoolReactionRead(id=reaction.id, report_id=report.id, school_reference=report.school_reference,
                                  report_received_at=report.created_at, **(await self._asked(reaction)).model_dump())

    async def answer_by_receipt(self, code: str, text: str) -> list[ReactionAsked]:
        """The anonymous reporter's reaction, by the receipt code (nothing ties it to an address)."""
        report = await ReportIntake(self.session).status_by_receipt(code)
        reaction = await self._latest(select(ReporterReaction).where(ReporterReaction.report_id == report.id))
        await self._react(reaction, RECEIPT_HOLDER, text)
        return await self.for_receipt(code)

    async def record(self, case_id: UUID, report_id: UUID, caller: Caller, text: str) -> Investigation:
        """The adviser records a reaction received outside the service (phone, letter, an ADV)."""
        case = await self._case(case_id, caller)
        reaction = await self._latest(
            select(ReporterReaction).where(ReporterReaction.investigation_id == case.id,
                                           ReporterReaction.report_id == report_id)
        )
        await self._react(reaction, caller, text)
        return case

    async def _latest(self, stmt: SelectOfScalar[ReporterReaction]) -> ReporterReaction:
        found = (await self.session.exec(stmt.order_by(col(ReporterReaction.asked_at).desc()).limit(1))).first()
        if found is None:
            raise NotFound("SBB has put no question about this report")
        return found

    async def _react(self, reaction: ReporterReaction, caller: Caller, text: str) -> None:
        # The case first, then the reaction: every path locks in this order (no deadlock with the worker).
        case = await self._case(reaction.investigation_id, Caller.system("workflow"), for_update=True)
        await self.session.refresh(reaction, with_for_update=True)
        states.check(REACTION_TRANSITIONS, reaction.status, ReactionStatus.ANSWERED, reaction, caller,
                     {"reaction": text, "assigned_to": case.assigned_to})
        now = clock.now()
        reaction.status, reaction.reaction, reaction.reacted_at, reaction.closed_at = (
            ReactionStatus.ANSWERED, text, now, now,
        )
        reaction.recorded_by = caller.principal_id
        self.session.add(reaction)
        await closing.timeline_note(self.session, case.id, "reporter_reacted", by=caller,
                                    reaction_id=str(reaction.id), report_id=str(reaction.report_id),
                                    route=reaction.route.value)
        await audit.record(self.session, caller, "investigation.reporter_reacted", case,
                           detail={"report_id": str(reaction.report_id), "route": reaction.route.value})
        await self.session.flush()
        if not await self._of_case(case.id, status=ReactionStatus.ASKED):
            await self._close_round(case, met=True)

    # ------------------------------------------------------------------ the term (worker)

    async def remind(self, case_id: UUID) -> None:
        """Halfway through the term: remind every side that has not reacted, by its own route."""
        case = await self._case(case_id, SYSTEM)
        waiting = await self._of_case(case.id, status=ReactionStatus.ASKED, for_update=True)
        now = clock.now()
        for reaction in waiting:
            reaction.reminded_at = now
            self.session.add(reaction)
            if reaction.route is ReactionRoute.SCHOOL:
                mail.queue(self.session, "reporter_reaction_reminder", reaction_id=reaction.id)
        # The anonymous reporter has no address: the receipt page shows the term; the adviser chases the rest.
        if any(r.route is ReactionRoute.ADVISER for r in waiting):
            mail.queue(self.session, "reporter_reaction_record_reminder", investigation_id=case.id)
        def waiting_by(route: ReactionRoute) -> int:
            return sum(r.route is route for r in waiting)

        await closing.timeline_note(self.session, case.id, "reminder_sent",
                                    deadline=DeadlineKind.REPORTER_REACTION.value,
                                    school=waiting_by(ReactionRoute.SCHOOL), receipt=waiting_by(ReactionRoute.RECEIPT),
                                    adviser=waiting_by(ReactionRoute.ADVISER))

    async def record_no_reaction(self, case_id: UUID) -> Investigation | None:
        """The term passed: "no reaction" for every side that did not react, and the round closes (idempotent)."""
        case = await self._case(case_id, SYSTEM, for_update=True)
        if not case.reporter_round_open:
            return None
        now = clock.now()
        for reaction in await self._of_case(case.id, status=ReactionStatus.ASKED, for_update=True):
            states.check(REACTION_TRANSITIONS, reaction.status, ReactionStatus.NO_REACTION, reaction, SYSTEM)
            reaction.status, reaction.closed_at = ReactionStatus.NO_REACTION, now
            self.session.add(reaction)
            await closing.timeline_note(self.session, case.id, "reporter_no_reaction",
                                        reaction_id=str(reaction.id), report_id=str(reaction.report_id),
                                        route=reaction.route.value)
        await audit.record(self.session, SYSTEM, "investigation.reporter_term_passed", case)
        await self._close_round(case, met=False)
        return case

    async def _close_round(self, case: Investigation, *, met: bool) -> None:
        states.check(ROUND_TRANSITIONS, case.reporter_round, RoundState.IDLE, case, SYSTEM)
        case.reporter_round_open = False
        case.version += 1
        self.session.add(case)
        await deadlines.close(self.session, case.id, DeadlineKind.REPORTER_REACTION, met=met)
        done = await self._of_case(case.id)
        last = [r for r in done if r.asked_at == max(x.asked_at for x in done)]
        await closing.timeline_note(
            self.session, case.id, "reporter_round_closed",
            answered=sum(r.status is ReactionStatus.ANSWERED for r in last),
            no_reaction=sum(r.status is ReactionStatus.NO_REACTION for r in last),
        )
        await self.session.flush()
