"""What the back office's company card shows beyond the company's own details.

Its recognitions with their history (a timeline and a table), decisions, objections and course
history; for staff also its reports, and for advisers its investigations (as in the JSON API, where
investigations are for advisers only).
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.companies.models import Company
from erkenning.core import clock
from erkenning.core.caller import ADVISER_ROLES, Caller
from erkenning.core.settings import Settings
from erkenning.recognition.services.decisions import DecisionService
from erkenning.recognition.services.objections import ObjectionService
from erkenning.recognition.services.recognitions import RecognitionService
from erkenning.reports.services.reports import ReportFilter, ReportService
from erkenning.training.services import history
from erkenning.web.timeline import chart
from erkenning.workflows import queries

SHOWN = 20  # of each list, the newest; the lists pages hold the rest


async def company_overview(session: AsyncSession, settings: Settings, caller: Caller, company: Company) -> dict[str, Any]:
    recognitions = await RecognitionService(session).for_company(company.id, caller)
    decisions, decision_total = await DecisionService(session, settings).list(caller, company_id=company.id,
                                                                              limit=SHOWN)
    objections, _ = await ObjectionService(session, settings).list(caller, company_id=company.id, limit=SHOWN)
    courses, course_total = await history.list_participations(
        session, caller, history.ParticipationFilter(company_id=company.id), limit=SHOWN, offset=0
    )
    reports, report_total = await ReportService(session).list(
        caller, ReportFilter(company_id=company.id), limit=SHOWN, offset=0
    )
    adviser = caller.role in ADVISER_ROLES
    cases: list[Any] = []
    if adviser:
        cases, _ = await queries.list_cases(
            session, caller, queries.CaseFilter(company_id=company.id, include_closed=True), limit=SHOWN, offset=0
        )
    return {
        "recognitions": recognitions, "chart": chart(recognitions, clock.today()),
        "decisions": decisions, "decision_total": decision_total, "objections": objections,
        "courses": courses, "course_total": course_total,
        "reports": [report for report, _ in reports], "report_total": report_total,
        "cases": cases, "shows_cases": adviser, "may_draft": adviser and bool(recognitions),
    }
