"""Data for the back-office page tests, made through the API and the services (never by hand in tables)."""

from __future__ import annotations

import re
from uuid import UUID

import httpx
import sqlalchemy as sa

from erkenning.companies.models import Company
from erkenning.core.runtime import Runtime
from erkenning.workflows.services.investigations import InvestigationService
from tests.helpers import Principal
from tests.reports.conftest import act, assigned_report
from tests.web.conftest import WebClient, csrf_of


async def substantiated_case(client: httpx.AsyncClient, runtime: Runtime, adviser: Principal, company: Company) -> str:
    """A report about `company` triaged by `adviser`, opened as a case on their name as the worker does."""
    report_id = await assigned_report(client, adviser, company)
    for action, body in (("start-triage", None), ("substantiate", {"reason": "Aannemelijk"})):
        response = await act(client, adviser, report_id, action, body)
        assert response.status_code == 200, response.text
    async with runtime.transaction() as session:
        case = await InvestigationService(session, runtime.settings).open_for_report(UUID(report_id), company.id)
    return str(case.id)


async def post_form(web: WebClient, page_path: str, action: str, data: dict | None = None) -> httpx.Response:
    """Post `data` to `action` with the CSRF token of `page_path` (as the page's own form would)."""
    page = await web.get(page_path)
    assert page.status_code == 200, page.text
    return await web.http.post(action, data={"_csrf": csrf_of(page.text), **(data or {})})


async def scalar(runtime: Runtime, sql: str, **params: object) -> object:
    async with runtime.engine.connect() as conn:
        return (await conn.execute(sa.text(sql), params)).scalar_one()


def form_actions(html: str) -> set[str]:
    """The addresses the page's forms post to."""
    return set(re.findall(r'<form method="post" action="([^"]+)"', html))
