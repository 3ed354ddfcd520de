"""The advisers' start page ("Mijn werk"): open cases, tasks, reports to triage, approvals, reassessments.

Each section asks the domain's service, and "waiting for my approval" asks the same transition
tables the steps are checked against (a decision's actions, a case's allowed moves): a section never
decides on its own what someone may do.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import clock, states
from erkenning.core.caller import ADVISER_ROLES, Caller, Role
from erkenning.core.errors import Conflict, Forbidden
from erkenning.core.settings import Settings
from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.http.guards import requires
from erkenning.recognition.models import DecisionStatus
from erkenning.recognition.services.decisions import DecisionService
from erkenning.recognition.services.recognitions import RecognitionService
from erkenning.reports.models import ReportStatus
from erkenning.reports.services.reports import ReportFilter, ReportService
from erkenning.web.actions import service_call
from erkenning.web.pages.start import start_section
from erkenning.web.rendering import flash_message, redirect
from erkenning.web.staff import Directory
from erkenning.workflows import queries
from erkenning.workflows.models import InvestigationStatus
from erkenning.workflows.services.adviser_tasks import AdviserTaskService
from erkenning.workflows.services.investigations import InvestigationService
from erkenning.workflows.states import TRANSITIONS

SHOWN = 10
WAITING = (ReportStatus.RECEIVED, ReportStatus.IN_TRIAGE)
# Of the drafts and proposals that may be waiting, how many to look at for the approval section.
CANDIDATES = 100


@start_section("Mijn onderzoeken", "investigations/_start.html", ADVISER_ROLES, order=20)
async def my_cases(session: AsyncSession, caller: Caller, directory: Directory) -> dict[str, Any]:
    cases, total = await queries.list_cases(session, caller, queries.CaseFilter(mine=True), limit=SHOWN, offset=0)
    known = await directory.names(caller, companies=[c.company_id for c in cases])
    return {"cases": cases, "total": total, "names": known}


_BACK = re.compile(r"/|/onderzoeken/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TASK_DONE = flash_message("task-done", "De taak is afgerond en staat op de tijdlijn van het onderzoek.")
TASK_REFUSED = flash_message(
    "task-refused", "Deze taak kon niet worden afgerond: hij was al afgerond, of is van een andere adviseur.",
    tone="warning",
)


@start_section("Mijn taken", "start/_tasks.html", ADVISER_ROLES, order=22)
async def my_tasks(caller: Caller, adviser_tasks: AdviserTaskService, directory: Directory) -> dict[str, Any]:
    tasks = await adviser_tasks.open_for(caller, limit=SHOWN + 1)  # one more: is there a rest to link to?
    shown = tasks[:SHOWN]
    return {"tasks": shown, "more": len(tasks) > SHOWN,
            "names": await directory.names(caller, companies=[t.company_id for t in shown])}


class TaskPages(Controller):
    """Marking an adviser's task done from the start page (post, redirect, get)."""

    path = "/taken"
    guards = [requires(*ADVISER_ROLES)]

    @post("/{task_id:uuid}/afgerond", name="task_done")
    async def done(
        self, request: Request[Any, Any, Any], task_id: FromPath[UUID], data: URLEncodedBody[dict[str, str]],
        session: DbSession, adviser_tasks: NamedDependency[AdviserTaskService], caller: CurrentCaller,
    ) -> Redirect:
        async with service_call(session, Conflict, Forbidden, states.GuardRefused) as outcome:
            await adviser_tasks.complete(task_id, caller)
        # Back to where the button was: the start page or a case page (never an address from outside).
        back = data.get("terug", "")
        return redirect(request, back if _BACK.fullmatch(back) else "/",
                        flash=TASK_REFUSED if outcome.refusal else TASK_DONE)


@start_section("Ter goedkeuring", "start/_approvals.html", {Role.SENIOR_ADVISER}, order=25)
async def awaiting_my_approval(
    session: AsyncSession, caller: Caller, decisions: DecisionService, investigations: InvestigationService,
    directory: Directory,
) -> dict[str, Any]:
    waiting = []
    for status in (DecisionStatus.DRAFT, DecisionStatus.INTENDED):
        rows, _ = await decisions.list(caller, status=status, limit=CANDIDATES)
        for d in rows:
            if any(m.to == DecisionStatus.APPROVED.value for m in await decisions.actions(d, caller)):
                waiting.append(d)
    proposed, _ = await queries.list_cases(
        session, caller, queries.CaseFilter(status=InvestigationStatus.PROPOSED), limit=CANDIDATES, offset=0
    )
    cases = []
    for summary in proposed:
        case = await investigations.get(summary.id, caller)
        if any(m.to == InvestigationStatus.APPROVED.value for m in states.allowed(TRANSITIONS, case, caller)):
            cases.append(summary)
    known = await directory.names(caller, companies=[*(d.company_id for d in waiting), *(c.company_id for c in cases)])
    return {"decisions": waiting, "cases": cases, "names": known}


@start_section("Meldingen om te beoordelen", "reports/_start.html", ADVISER_ROLES, order=30)
async def reports_to_triage(caller: Caller, reports: ReportService, directory: Directory) -> dict[str, Any]:
    mine, mine_total = await reports.list(
        caller, ReportFilter(statuses=WAITING, assigned_to=caller.principal_id), limit=SHOWN, offset=0
    )
    unassigned, unassigned_total = await reports.list(
        caller, ReportFilter(statuses=WAITING, unassigned=True), limit=SHOWN, offset=0
    )
    shown = [r for r, _ in (*mine, *unassigned)]
    known = await directory.names(caller, companies=[r.company_id for r in shown])
    return {"mine": [r for r, _ in mine], "mine_total": mine_total, "unassigned": [r for r, _ in unassigned],
            "unassigned_total": unassigned_total, "names": known}


@start_section("Herbeoordelingen binnenkort", "recognition/_reassessments_start.html", ADVISER_ROLES, order=40)
async def reassessments_due(recognitions: RecognitionService, settings: Settings) -> dict[str, Any]:
    items, total = await recognitions.reassessment_due(
        within_days=settings.reassessment_notice_days, noticed_since=None, limit=SHOWN, offset=0
    )
    return {"due": items, "total": total, "days": settings.reassessment_notice_days, "today": clock.today()}
