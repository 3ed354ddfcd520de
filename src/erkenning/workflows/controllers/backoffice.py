"""Investigations and advisers' tasks on them, in the back office."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from erkenning.core.caller import ADVISER_ROLES, Role
from erkenning.core.paging import Limit, Offset, Page
from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.http.guards import requires
from erkenning.workflows import queries
from erkenning.workflows.controllers import PROVIDERS
from erkenning.workflows.models import InvestigationStatus
from erkenning.workflows.schemas import (
    AdviserTaskRead,
    AnswerIn,
    AssignIn,
    HearingIn,
    InvestigationRead,
    InvestigationSummary,
    ProposalIn,
    ReactionIn,
    ReasonIn,
    ReporterQuestionIn,
)
from erkenning.workflows.services.adviser_tasks import AdviserTaskService
from erkenning.workflows.services.investigations import InvestigationService
from erkenning.workflows.services.reporter_reactions import ReporterReactionService

ADVISERS = requires(Role.ADVISER, Role.SENIOR_ADVISER)


class InvestigationController(Controller):
    path = "/investigations"
    tags = ["investigations"]
    guards = [ADVISERS]
    dependencies = PROVIDERS

    @get("/", summary="Cases: mine, by status, overdue, by company (overdue first, then nearest deadline)")
    async def list_(
        self,
        session: DbSession,
        caller: CurrentCaller,
        mine: Annotated[bool, QueryParameter()] = False,
        status: Annotated[InvestigationStatus | None, QueryParameter()] = None,
        overdue: Annotated[bool, QueryParameter()] = False,
        company_id: Annotated[UUID | None, QueryParameter()] = None,
        include_closed: Annotated[bool, QueryParameter()] = False,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[InvestigationSummary]:
        filters = queries.CaseFilter(mine, status, overdue, company_id, include_closed)
        items, total = await queries.list_cases(session, caller, filters, limit=limit, offset=offset)
        return Page(items=items, total=total, limit=limit, offset=offset)

    @get("/{case_id:uuid}", summary="One case: reports, timeline, deadlines, and what you may do now (audited)")
    async def detail(
        self, case_id: FromPath[UUID], session: DbSession, investigations: NamedDependency[InvestigationService],
        caller: CurrentCaller,
    ) -> InvestigationRead:
        return await queries.case_detail(session, investigations, case_id, caller)

    @post("/{case_id:uuid}/assign", status_code=200, summary="Assign the case to an adviser")
    async def assign(
        self, case_id: FromPath[UUID], data: JSONBody[AssignIn], session: DbSession,
        investigations: NamedDependency[InvestigationService], caller: CurrentCaller,
    ) -> InvestigationRead:
        await investigations.assign(case_id, data.adviser_id, caller)
        return await queries.case_detail(session, investigations, case_id, caller)

    @post("/{case_id:uuid}/hearing", status_code=200, summary="Ask the company for its side (open → hearing)")
    async def hearing(
        self, case_id: FromPath[UUID], data: JSONBody[HearingIn], session: DbSession,
        investigations: NamedDependency[InvestigationService], caller: CurrentCaller,
    ) -> InvestigationRead:
        await investigations.request_hearing(case_id, caller, data.question)
        return await queries.case_detail(session, investigations, case_id, caller)

    @post("/{case_id:uuid}/hearing-answer", status_code=200,
          summary="Record the company's answer given otherwise (hearing → assessment)")
    async def record_answer(
        self, case_id: FromPath[UUID], data: JSONBody[AnswerIn], session: DbSession,
        investigations: NamedDependency[InvestigationService], caller: CurrentCaller,
    ) -> InvestigationRead:
        await investigations.answer_hearing(case_id, caller, data.answer)
        return await queries.case_detail(session, investigations, case_id, caller)

    @post("/{case_id:uuid}/reporter-question", status_code=200,
          summary="Put the substance of the company's answer, in your words, to the reporting side of every "
                  "report of the case, with a term (wederhoor; in assessment, after the company was heard)")
    async def reporter_question(
        self, case_id: FromPath[UUID], data: JSONBody[ReporterQuestionIn], session: DbSession,
        investigations: NamedDependency[InvestigationService],
        reporter_reactions: NamedDependency[ReporterReactionService], caller: CurrentCaller,
    ) -> InvestigationRead:
        await reporter_reactions.ask(case_id, caller, data.question)
        return await queries.case_detail(session, investigations, case_id, caller, reporter_reactions)

    @post("/{case_id:uuid}/reporter-reactions/{report_id:uuid}", status_code=200,
          summary="Record the reporting side's reaction received outside the service (phone, letter, an ADV)")
    async def record_reporter_reaction(
        self, case_id: FromPath[UUID], report_id: FromPath[UUID], data: JSONBody[ReactionIn], session: DbSession,
        investigations: NamedDependency[InvestigationService],
        reporter_reactions: NamedDependency[ReporterReactionService], caller: CurrentCaller,
    ) -> InvestigationRead:
        await reporter_reactions.record(case_id, report_id, caller, data.reaction)
        return await queries.case_detail(session, investigations, case_id, caller, reporter_reactions)

    @post("/{case_id:uuid}/assessment", status_code=200, summary="Assess without a hearing (open → assessment)")
    async def assessment(
        self, case_id: FromPath[UUID], data: JSONBody[ReasonIn], session: DbSession,
        investigations: NamedDependency[InvestigationService], caller: CurrentCaller,
    ) -> InvestigationRead:
        await investigations.assess_without_hearing(case_id, caller, data.reason)
        return await queries.case_detail(session, investigations, case_id, caller)

    @post("/{case_id:uuid}/proposal", status_code=200, summary="Propose an outcome (assessment → proposed)")
    async def propose(
        self, case_id: FromPath[UUID], data: JSONBody[ProposalIn], session: DbSession,
        investigations: NamedDependency[InvestigationService], caller: CurrentCaller,
    ) -> InvestigationRead:
        await investigations.propose(case_id, caller, data.proposal())
        return await queries.case_detail(session, investigations, case_id, caller)

    @post("/{case_id:uuid}/approve", status_code=200, guards=[requires(Role.SENIOR_ADVISER)],
          summary="Approve the proposal (a senior adviser who did not propose it)")
    async def approve(
        self, case_id: FromPath[UUID], session: DbSession, investigations: NamedDependency[InvestigationService],
        caller: CurrentCaller,
    ) -> InvestigationRead:
        await investigations.approve(case_id, caller)
        return await queries.case_detail(session, investigations, case_id, caller)

    @post("/{case_id:uuid}/send-back", status_code=200, guards=[requires(Role.SENIOR_ADVISER)],
          summary="Send the proposal back to assessment, with a reason")
    async def send_back(
        self, case_id: FromPath[UUID], data: JSONBody[ReasonIn], session: DbSession,
        investigations: NamedDependency[InvestigationService], caller: CurrentCaller,
    ) -> InvestigationRead:
        await investigations.send_back(case_id, caller, data.reason)
        return await queries.case_detail(session, investigations, case_id, caller)

    @post("/{case_id:uuid}/hold", status_code=200, summary="Put the case on hold (its deadlines pause)")
    async def hold(
        self, case_id: FromPath[UUID], data: JSONBody[ReasonIn], session: DbSession,
        investigations: NamedDependency[InvestigationService], caller: CurrentCaller,
    ) -> InvestigationRead:
        await investigations.hold(case_id, caller, data.reason)
        return await queries.case_detail(session, investigations, case_id, caller)

    @post("/{case_id:uuid}/resume", status_code=200, summary="Resume the case; deadlines move by the time on hold")
    async def resume(
        self, case_id: FromPath[UUID], session: DbSession, investigations: NamedDependency[InvestigationService],
        caller: CurrentCaller,
    ) -> InvestigationRead:
        await investigations.resume(case_id, caller)
        return await queries.case_detail(session, investigations, case_id, caller)


class AdviserTaskController(Controller):
    path = "/tasks"
    tags = ["investigations"]
    guards = [requires(*ADVISER_ROLES)]
    dependencies = PROVIDERS

    @get("/", summary="My open tasks on cases, earliest due first")
    async def mine(
        self, adviser_tasks: NamedDependency[AdviserTaskService], caller: CurrentCaller,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> list[AdviserTaskRead]:
        return await adviser_tasks.open_for(caller, limit=limit)

    @post("/{task_id:uuid}/done", status_code=200, summary="Mark a task done (its adviser, or a senior adviser)")
    async def done(
        self, task_id: FromPath[UUID], adviser_tasks: NamedDependency[AdviserTaskService], caller: CurrentCaller
    ) -> AdviserTaskRead:
        return await adviser_tasks.complete(task_id, caller)
