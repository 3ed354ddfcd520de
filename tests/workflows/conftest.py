"""Fixtures for investigations: a substantiated report turned into a case by a real worker."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlmodel import select

from erkenning.companies.models import Company
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.workflows.models import Investigation, InvestigationReport
from tests.helpers import Principal, TokenFactory, drain_queue, make_company
from tests.reports.conftest import act, assigned_report, confidential, facts, school_report

CASES = "/api/v1/backoffice/investigations"
HEARINGS = "/api/v1/portal/hearings"


@pytest.fixture
async def adviser(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.ADVISER, email="adviseur@sbb.example")


@pytest.fixture
async def senior(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.SENIOR_ADVISER, email="senior1@sbb.example")


@pytest.fixture
async def senior2(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.SENIOR_ADVISER, email="senior2@sbb.example")


@pytest.fixture
async def company(runtime: Runtime) -> Company:
    return await make_company(runtime, email="bedrijf@example.org")


@pytest.fixture
async def company_user(tokens: TokenFactory, company: Company) -> Principal:
    return await tokens.make(Role.COMPANY, company_id=company.id)


@pytest.fixture
async def school(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.SCHOOL, school_brin="25LX", email="meldpunt@roc.example")


async def substantiate(client: httpx.AsyncClient, adviser: Principal, report_id: str) -> None:
    for action, body in (("start-triage", None), ("substantiate", {"reason": "Meerdere signalen, aannemelijk"})):
        response = await act(client, adviser, report_id, action, body)
        assert response.status_code == 200, response.text


async def case_of(runtime: Runtime, report_id: str) -> Investigation | None:
    async with runtime.session_factory() as session:
        link = (
            await session.exec(select(InvestigationReport).where(InvestigationReport.report_id == UUID(report_id)))
        ).first()
        return await session.get(Investigation, link.investigation_id) if link else None


async def open_case(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, adviser: Principal, company: Company,
    *, school: Principal | None = None,
) -> str:
    """A report about `company` substantiated by `adviser`, opened as a case by a real worker, assigned."""
    if school is not None:
        passed_on = await school_report(client, school, {**facts(company), "confidential": confidential("s")})
        report_id = str(passed_on["id"])
        taken = await act(client, adviser, report_id, "assign", {"adviser_id": str(adviser.id)})
        assert taken.status_code == 200, taken.text
    else:
        report_id = await assigned_report(client, adviser, company)
    await substantiate(client, adviser, report_id)
    await drain_queue(settings)
    case = await case_of(runtime, report_id)
    assert case is not None, "the worker did not open a case"
    response = await client.post(f"{CASES}/{case.id}/assign", json={"adviser_id": str(adviser.id)},
                                 headers=adviser.headers)
    assert response.status_code == 200, response.text
    return str(case.id)


async def step(client: httpx.AsyncClient, who: Principal, case_id: str, action: str, body: Any = None) -> httpx.Response:
    return await client.post(f"{CASES}/{case_id}/{action}", json=body or {}, headers=who.headers)
