"""What the back office's company card shows beyond the company's own details.

Its recognitions with their history (a timeline and a table) and their latest assessment against the
recognition criteria, decisions, objections and course
history; for staff also its reports, and for advisers its investigations (as in the JSON API, where
investigations are for advisers only).
"""

from __future__ import annotations

from typing import Any

from litestar.di import NamedDependency
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.companies.models import Company
from erkenning.core import clock
from erkenning.core.caller import ADVISER_ROLES, Caller
from erkenning.http.dependencies import DbSession
from erkenning.recognition import assessed
from erkenning.recognition.services.decisions import DecisionService
from erkenning.recognition.services.objections import ObjectionService
from erkenning.recognition.services.recognitions import RecognitionService
from erkenning.reports.services.reports import ReportFilter, ReportService
from erkenning.training.services import history
from erkenning.web.timeline import chart
from erkenning.workflows import queries

SHOWN = 20  # of each list, the newest; the lists pages hold the rest


class CompanyOverview:
    """The card's lists about one company, read through the services for the request."""

    def __init__(
        self, session: AsyncSession, recognitions: RecognitionService, decisions: DecisionService,
        objections: ObjectionService, reports: ReportService,
    ) -> None:
        self.session = session
        self.recognitions = recognitions
        self.decisions = decisions
        self.objections = objections
        self.reports = reports

    async def of(self, caller: Caller, company: Company) -> dict[str, Any]:
        session = self.session
        recognitions = await self.recognitions.for_company(company.id, caller)
        decisions, decision_total = await self.decisions.list(caller, company_id=company.id, limit=SHOWN)
        objections, _ = await self.objections.list(caller, company_id=company.id, limit=SHOWN)
        courses, course_total = await history.list_participations(
            session, caller, history.ParticipationFilter(company_id=company.id), limit=SHOWN, offset=0
        )
        reports, report_total = await self.reports.list(
            caller, ReportFilter(company_id=company.id), limit=SHOWN, offset=0
        )
        adviser = caller.role in ADVISER_ROLES
        cases: list[Any] = []
        if adviser:
            cases, _ = await queries.list_cases(
                session, caller, queries.CaseFilter(company_id=company.id, include_closed=True), limit=SHOWN,
                offset=0,
            )
        return {
            "recognitions": recognitions, "chart": chart(recognitions, clock.today()),
            "assessments": await assessed.latest(session, [r.id for r in recognitions]),
            "criterion_titles": await assessed.titles(session),
            "decisions": decisions, "decision_total": decision_total, "objections": objections,
            "courses": courses, "course_total": course_total,
            "reports": [report for report, _ in reports], "report_total": report_total,
            "cases": cases, "shows_cases": adviser, "may_draft": adviser and bool(recognitions),
        }


async def provide_company_overview(
    session: DbSession, recognitions: NamedDependency[RecognitionService], decisions: NamedDependency[DecisionService],
    objections: NamedDependency[ObjectionService], reports: NamedDependency[ReportService],
) -> CompanyOverview:
    return CompanyOverview(session, recognitions, decisions, objections, reports)
