"""The small service additions the staff pages use: batch look-ups in scope, reports in any of some statuses."""

from __future__ import annotations

import httpx

from erkenning.companies.service import CompanyService
from erkenning.core.auth.service import AuthService
from erkenning.core.caller import Caller, Role
from erkenning.core.runtime import Runtime
from erkenning.reports.models import ReportStatus
from erkenning.reports.services.reports import ReportFilter, ReportService
from tests.factories import SYSTEM, TokenFactory, adviser_report, confidential, facts, make_company
from tests.helpers import act


async def test_batch_look_ups_keep_the_callers_scope(runtime: Runtime, tokens: TokenFactory) -> None:
    own, other = await make_company(runtime), await make_company(runtime)
    adviser = await tokens.make(Role.ADVISER, name="Anna")
    company = Caller(principal_id=None, role=Role.COMPANY, name="bedrijf", company_id=own.id)
    async with runtime.session_factory() as session:
        assert set(await CompanyService(session).get_many([own.id, other.id], SYSTEM)) == {own.id, other.id}
        assert set(await CompanyService(session).get_many([own.id, other.id], company)) == {own.id}
        assert await CompanyService(session).get_many([], SYSTEM) == {}
        people = await AuthService(session, runtime.settings).principals([adviser.id, None])
        assert {pid: p.name for pid, p in people.items()} == {adviser.id: "Anna"}


async def test_reports_can_be_listed_by_several_statuses(
    client: httpx.AsyncClient, runtime: Runtime, tokens: TokenFactory
) -> None:
    adviser = await tokens.make(Role.ADVISER)
    company = await make_company(runtime)
    ids = []
    for _ in range(3):
        report = await adviser_report(client, adviser, {**facts(company), "channel": "phone",
                                                         "confidential": confidential()})
        ids.append(report["id"])
        assert (await act(client, adviser, report["id"], "assign", {"adviser_id": str(adviser.id)})).status_code == 200
    assert (await act(client, adviser, ids[1], "start-triage")).status_code == 200
    for action, body in (("start-triage", None), ("mark-not-substantiated", {"reason": "Geen grond"})):
        assert (await act(client, adviser, ids[2], action, body)).status_code == 200
    async with runtime.session_factory() as session:
        waiting = ReportFilter(statuses=(ReportStatus.RECEIVED, ReportStatus.IN_TRIAGE))
        rows, total = await ReportService(session).list(SYSTEM, waiting, limit=10, offset=0)
    assert total == 2 and {str(r.id) for r, _ in rows} == set(ids[:2])
