"""Fixtures for reports: staff and school callers, a company, and report bodies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from erkenning.companies.models import Company
from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from tests.helpers import Principal, TokenFactory, make_company

BACKOFFICE = "/api/v1/backoffice/reports"
SCHOOL = "/api/v1/register/school/reports"
PUBLIC = "/api/v1/register/reports"


def facts(company: Company | None = None, **overrides: Any) -> dict[str, Any]:
    """The non-confidential facts of a report; about `company` by its establishment number if given."""
    body: dict[str, Any] = {
        "company": {"establishment_number": company.establishment_number} if company else {"name": "Onbekend BV"},
        "ground": "ethnicity",
        "incident_date": (clock.today() - timedelta(days=10)).isoformat(),
        "crebo": "25180",
        "summary": "Stagiair afgewezen na sollicitatiegesprek",
    }
    body.update(overrides)
    return body


def confidential(marker: str = "") -> dict[str, str]:
    return {
        "reporter_name": f"Melder {marker}".strip(),
        "reporter_contact": f"melder{marker}@example.org",
        "narrative": f"Het verhaal van de student {marker}".strip(),
    }


@pytest.fixture
async def adviser(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.ADVISER)


@pytest.fixture
async def other_adviser(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.ADVISER)


@pytest.fixture
async def senior(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.SENIOR_ADVISER)


@pytest.fixture
async def admin(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.ADMIN)


@pytest.fixture
async def school(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.SCHOOL, school_brin="25LX")


@pytest.fixture
async def company(runtime: Runtime) -> Company:
    return await make_company(runtime)


async def school_report(client: httpx.AsyncClient, school: Principal, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(SCHOOL, json=body, headers=school.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def adviser_report(client: httpx.AsyncClient, adviser: Principal, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(BACKOFFICE, json=body, headers=adviser.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def act(
    client: httpx.AsyncClient, who: Principal, report_id: str, action: str, body: dict[str, Any] | None = None
) -> httpx.Response:
    return await client.post(f"{BACKOFFICE}/{report_id}/{action}", json=body or {}, headers=who.headers)


async def assigned_report(
    client: httpx.AsyncClient, adviser: Principal, company: Company | None, **overrides: Any
) -> str:
    """A report entered by `adviser` and taken by them; returns its id."""
    report = await adviser_report(
        client, adviser, {**facts(company, **overrides), "channel": "phone", "confidential": confidential()}
    )
    taken = await act(client, adviser, report["id"], "assign", {"adviser_id": str(adviser.id)})
    assert taken.status_code == 200, taken.text
    return str(report["id"])
