"""Helpers for the tests of the company, school and public pages: reading pages, building data
through the services (so each test drives through the pages only the behaviour it is about)."""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx

from erkenning.app import create_app
from erkenning.companies.models import Company
from erkenning.core import clock
from erkenning.core.caller import Caller, Role
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.reports.schemas import AdviserReportCreate
from erkenning.reports.services.intake import ReportIntake
from erkenning.training.schemas import CourseCreate, EnrolmentCreate, SessionCreate
from erkenning.training.services.catalogue import CatalogueService
from erkenning.training.services.participations import ParticipationService
from erkenning.workflows.services.investigations import InvestigationService
from tests.helpers import SYSTEM, Principal, make_company
from tests.reports.conftest import PUBLIC, act, facts, school_report
from tests.web.conftest import WebClient

STAFF = Caller(principal_id=None, role=Role.ADMIN, name="tests")
_codes = itertools.count(1)


def value_of(page: str, name: str) -> str:
    """The value of the input (or the text of the textarea) called `name`."""
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    if tag is None:
        area = re.search(rf'<textarea[^>]*\bname="{name}"[^>]*>(.*?)</textarea>', page, re.DOTALL)
        assert area, name
        return html.unescape(area.group(1))
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    assert value, name
    return html.unescape(value.group(1))


def error_summary(page: str) -> str:
    start = page.index('class="error-summary"')
    return page[start:page.index("</div>", start)]


@asynccontextmanager
async def web_with(settings: Settings, **overrides: Any) -> AsyncIterator[WebClient]:
    """A web client on an app with its own settings (`register_anon_limit=2`)."""
    runtime = Runtime.create(settings.model_copy(update=overrides))
    try:
        transport = httpx.ASGITransport(app=create_app(runtime=runtime))
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
            yield WebClient(http)
    finally:
        await runtime.close()


async def make_course(runtime: Runtime, **fields: Any) -> UUID:
    n = next(_codes)
    body = {"code": f"WEB-{n:04d}", "title": f"Werven zonder vooroordelen {n}", "format": "workshop",
            "topics": ["discrimination_free_recruitment"], "duration_minutes": 180, **fields}
    async with runtime.transaction() as session:
        return (await CatalogueService(session).create_course(CourseCreate(**body), SYSTEM)).id


async def make_session(runtime: Runtime, course_id: UUID, *, capacity: int = 10, days: int = 10) -> UUID:
    starts = (clock.now() + timedelta(days=days)).replace(microsecond=0)
    data = SessionCreate(starts_at=starts, ends_at=starts + timedelta(hours=3), location="SBB, Zoetermeer",
                         capacity=capacity)
    async with runtime.transaction() as session:
        return (await CatalogueService(session).create_session(course_id, data, SYSTEM)).id


async def enrol_company(runtime: Runtime, company_id: UUID, **target: UUID) -> UUID:
    """Enrol a company (in `session_id=` or e-learning `course_id=`) as staff would; the participation's id."""
    async with runtime.transaction() as session:
        enrolment = await ParticipationService(session).enrol(STAFF, EnrolmentCreate(**target), company_id=company_id)
    return enrolment.participation.id


async def completed_participation(
    runtime: Runtime, *, company_name: str = "Kapsalon Knip", course_title: str = "Werven zonder vooroordelen",
    company_id: UUID | None = None,
) -> str:
    """A completed e-learning with its certificate; returns the certificate code."""
    if company_id is None:
        company_id = (await make_company(runtime, name=company_name)).id
    course_id = await make_course(runtime, title=course_title, format="e_learning")
    participation_id = await enrol_company(runtime, company_id, course_id=course_id)
    async with runtime.transaction() as session:
        done = await ParticipationService(session).complete(participation_id, STAFF)
    code = done.participation.certificate_code
    assert code is not None
    return code


async def hearing_for(runtime: Runtime, company_id: UUID | None, senior: Principal, question: str) -> str:
    """A case about the company with a hearing request put by `senior` (a senior adviser); the case id."""
    assert company_id is not None
    facts = AdviserReportCreate(
        company={"company_id": company_id}, ground="ethnicity", incident_date=clock.today() - timedelta(days=5),
        summary="Stage geweigerd na gesprek", channel="phone",
    )
    async with runtime.transaction() as session:
        report = await ReportIntake(session).from_adviser(facts, SYSTEM)
        case = await InvestigationService(session, runtime.settings).open_for_report(report.id, company_id)
    asker = Caller(principal_id=senior.id, role=Role.SENIOR_ADVISER, name="senior")
    async with runtime.transaction() as session:
        await InvestigationService(session, runtime.settings).request_hearing(case.id, asker, question)
    return str(case.id)


async def _ok_json(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.url.path}: {response.status_code} {response.text}"
    return response.json()


CASES = "/api/v1/backoffice/investigations"


async def heard_case(
    client: httpx.AsyncClient, runtime: Runtime, adviser: Principal, company: Company, *,
    school: Principal | None = None, anonymous: bool = False, phone: bool = False,
) -> dict[str, Any]:
    """A case about `company` with the given reports, its company heard (it answered): ids and the receipt."""
    made: dict[str, Any] = {}
    if school is not None:
        made["school_report"] = str((await school_report(client, school, {
            **facts(company), "school_reference": "MP-2026/7",
            "confidential": {"reporter_name": "Student Geheim", "narrative": "Het hele verhaal."},
        }))["id"])
    if anonymous:
        body = {**facts(company), "confidential": {"narrative": "Anoniem."}}
        sent = await _ok_json(await client.post(PUBLIC, json=body), 201)
        made["receipt"] = sent["receipt"]
        async with runtime.engine.connect() as conn:
            made["anonymous_report"] = str((await conn.exec_driver_sql(
                "SELECT id FROM report WHERE channel = 'public_form'")).scalar_one())
    if phone:
        made["phone_report"] = str((await _ok_json(await client.post("/api/v1/backoffice/reports", json={
            **facts(company), "channel": "phone", "confidential": {"narrative": "Aan de telefoon."}},
            headers=adviser.headers), 201))["id"])
    case_id = None
    for key in ("school_report", "anonymous_report", "phone_report"):
        if key not in made:
            continue
        report_id = made[key]
        for action, body in (("assign", {"adviser_id": str(adviser.id)}), ("start-triage", None),
                             ("substantiate", {"reason": "Aannemelijk"})):
            await _ok_json(await act(client, adviser, report_id, action, body))
        async with runtime.transaction() as session:
            case = await InvestigationService(session, runtime.settings).open_for_report(UUID(report_id), company.id)
            case_id = str(case.id)
    made["case_id"] = case_id
    for step, body in (("assign", {"adviser_id": str(adviser.id)}), ("hearing", {"question": "Uw kant?"}),
                       ("hearing-answer", {"answer": "Het rooster was vol."})):
        await _ok_json(await client.post(f"{CASES}/{case_id}/{step}", json=body, headers=adviser.headers))
    return made
