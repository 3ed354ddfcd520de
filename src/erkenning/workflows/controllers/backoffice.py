"""Investigations and advisers' tasks on them, in the back office."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.caller import ADVISER_ROLES, Caller, Role
from erkenning.core.paging import Limit, Offset, Page
from erkenning.core.settings import Settings
from erkenning.http.dependencies import CurrentCaller, DbSession, SettingsDep
from erkenning.http.guards import requires
from erkenning.workflows import queries
from erkenning.workflows.models import InvestigationStatus
from erkenning.workflows.schemas import (
    AdviserTaskRead,
    AnswerIn,
    AssignIn,
    HearingIn,
    InvestigationRead,
    InvestigationSummary,
    ProposalIn,
    ReasonIn,
)
from erkenning.workflows.services.adviser_tasks import AdviserTaskService
from erkenning.workflows.services.investigations import InvestigationService

ADVISERS = requires(Role.ADVISER, Role.SENIOR_ADVISER)


async def _detail(session: AsyncSession, settings: Settings, case_id: UUID, caller: Caller) -> InvestigationRead:
    """The case as it stands after a step, as the detail route shows it."""
    return await queries.case_detail(session, InvestigationService(session, settings), case_id, caller)


class InvestigationController(Controller):
    path = "/investigations"
    tags = ["investigations"]
    guards = [ADVISERS]

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
        self, case_id: FromPath[UUID], session: DbSession, settings: SettingsDep, caller: CurrentCaller
    ) -> InvestigationRead:
        return await queries.case_detail(session, InvestigationService(session, settings), case_id, caller)

    @post("/{case_id:uuid}/assign", status_code=200, summary="Assign the case to an adviser")
    async def assign(
        self, case_id: FromPath[UUID], data: JSONBody[AssignIn], session: DbSession, settings: SettingsDep,
        caller: CurrentCaller,
    ) -> InvestigationRead:
        await InvestigationService(session, settings).assign(case_id, data.adviser_id, caller)
        return await _detail(session, settings, case_id, caller)

    @post("/{case_id:uuid}/hearing", status_code=200, summary="Ask the company for its side (open → hearing)")
    async def hearing(
        self, case_id: FromPath[UUID], data: JSONBody[HearingIn], session: DbSession, settings: SettingsDep,
        caller: CurrentCaller,
    ) -> InvestigationRead:
        await InvestigationService(session, settings).request_hearing(case_id, caller, data.question)
        return await _detail(session, settings, case_id, caller)

    @post("/{case_id:uuid}/hearing-answer", status_code=200,
          summary="Record the company's answer given otherwise (hearing → assessment)")
    async def record_answer(
        self, case_id: FromPath[UUID], data: JSONBody[AnswerIn], session: DbSession, settings: SettingsDep,
        caller: CurrentCaller,
    ) -> InvestigationRead:
        await InvestigationService(session, settings).answer_hearing(case_id, caller, data.answer)
        return await _detail(session, settings, case_id, caller)

    @post("/{case_id:uuid}/assessment", status_code=200, summary="Assess without a hearing (open → assessment)")
    async def assessment(
        self, case_id: FromPath[UUID], data: JSONBody[ReasonIn], session: DbSession, settings: SettingsDep,
        caller: CurrentCaller,
    ) -> InvestigationRead:
        await InvestigationService(session, settings).assess_without_hearing(case_id, caller, data.reason)
        return await _detail(session, settings, case_id, caller)

    @post("/{case_id:uuid}/proposal", status_code=200, summary="Propose an outcome (assessment → proposed)")
    async def propose(
        self, case_id: FromPath[UUID], data: JSONBody[ProposalIn], session: DbSession, settings: SettingsDep,
        caller: CurrentCaller,
    ) -> InvestigationRead:
        await InvestigationService(session, settings).propose(case_id, caller, data.proposal())
        return await _detail(session, settings, case_id, caller)

    @post("/{case_id:uuid}/approve", status_code=200, guards=[requires(Role.SENIOR_ADVISER)],
          summary="Approve the proposal (a senior adviser who did not propose it)")
    async def approve(
        self, case_id: FromPath[UUID], session: DbSession, settings: SettingsDep, caller: CurrentCaller
    ) -> InvestigationRead:
        await InvestigationService(session, settings).approve(case_id, caller)
        return await _detail(session, settings, case_id, caller)

    @post("/{case_id:uuid}/send-back", status_code=200, guards=[requires(Role.SENIOR_ADVISER)],
          summary="Send the proposal back to assessment, with a reason")
    async def send_back(
        self, case_id: FromPath[UUID], data: JSONBody[ReasonIn], session: DbSession, settings: SettingsDep,
        caller: CurrentCaller,
    ) -> InvestigationRead:
        await InvestigationService(session, settings).send_back(case_id, caller, data.reason)
        return await _detail(session, settings, case_id, caller)

    @post("/{case_id:uuid}/hold", status_code=200, summary="Put the case on hold (its deadlines pause)")
    async def hold(
        self, case_id: FromPath[UUID], data: JSONBody[ReasonIn], session: DbSession, settings: SettingsDep,
        caller: CurrentCaller,
    ) -> InvestigationRead:
        await InvestigationService(session, settings).hold(case_id, caller, data.reason)
        return await _detail(session, settings, case_id, caller)

    @post("/{case_id:uuid}/resume", status_code=200, summary="Resume the case; deadlines move by the time on hold")
    async def resume(
        self, case_id: FromPath[UUID], session: DbSession, settings: SettingsDep, caller: CurrentCaller
    ) -> InvestigationRead:
        await InvestigationService(session, settings).resume(case_id, caller)
        return await _detail(session, settings, case_id, caller)


class AdviserTaskController(Controller):
    path = "/tasks"
    tags = ["investigations"]
    guards = [requires(*ADVISER_ROLES)]

    @get("/", summary="My open tasks on cases, earliest due first")
    async def mine(
        self, session: DbSession, caller: CurrentCaller,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> list[AdviserTaskRead]:
        return await AdviserTaskService(session).open_for(caller, limit=limit)

    @post("/{task_id:uuid}/done", status_code=200, summary="Mark a task done (its adviser, or a senior adviser)")
    async def done(self, task_id: FromPath[UUID], session: DbSession, caller: CurrentCaller) -> AdviserTaskRead:
        return await AdviserTaskService(session).complete(task_id, caller)
