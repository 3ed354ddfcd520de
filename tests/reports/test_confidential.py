"""The confidential part: need-to-know, a stated purpose, every read and every refusal audited."""

from __future__ import annotations

import sqlalchemy as sa

from erkenning.companies.models import Company
from erkenning.core.audit.models import AuditEvent
from erkenning.core.caller import Caller, Role
from erkenning.core.runtime import Runtime
from erkenning.reports.models import Report, ReportConfidential
from erkenning.reports.services.reports import ReportService
from tests.factories import Principal, TokenFactory, assigned_report, confidential, facts, school_report
from tests.helpers import REPORTS, SCHOOL_REPORTS, act


def _url(report_id: str, purpose: str | None = "triage") -> str:
    url = f"{REPORTS}/{report_id}/confidential"
    return f"{url}?purpose={purpose}" if purpose else url


async def _reads(runtime: Runtime, report_id: str) -> list[AuditEvent]:
    async with runtime.session_factory() as session:
        stmt = (
            sa.select(AuditEvent)
            .where(AuditEvent.action == "report.confidential_read", AuditEvent.object_id == report_id)
            .order_by(AuditEvent.seq)
        )
        return list((await session.exec(stmt)).scalars())


async def test_assigned_adviser_and_senior_read_it_with_a_purpose_and_are_audited(
    client, runtime: Runtime, adviser: Principal, senior: Principal, company: Company
) -> None:
    report_id = await assigned_report(client, adviser, company)
    mine = await client.get(_url(report_id, "triage"), headers=adviser.headers)
    assert mine.status_code == 200, mine.text
    assert mine.json() == {"report_id": report_id, **confidential()}
    assert (await client.get(_url(report_id, "investigation"), headers=senior.headers)).status_code == 200

    reads = await _reads(runtime, report_id)
    assert [(r.actor_id, r.result, r.purpose) for r in reads] == [
        (adviser.id, "success", "triage"),
        (senior.id, "success", "investigation"),
    ]
    assert all(r.object_type == "report" and r.origin == "127.0.0.1" and r.request_id for r in reads)
    assert all("narrative" not in str(r.detail) for r in reads)


async def test_everyone_else_is_refused_and_the_refusal_is_audited(
    client, runtime: Runtime, tokens: TokenFactory, adviser: Principal, other_adviser: Principal,
    admin: Principal, school: Principal, company: Company,
) -> None:
    report_id = await assigned_report(client, adviser, company)
    company_caller = await tokens.make(Role.COMPANY, company_id=company.id)

    for caller in (other_adviser, admin):
        response = await client.get(_url(report_id), headers=caller.headers)
        assert response.status_code == 404, response.text
        assert "Melder" not in response.text
    # Company and school tokens don't reach the back office at all (role guard, before any lookup);
    # the public has no token.
    for caller in (company_caller, school):
        assert (await client.get(_url(report_id), headers=caller.headers)).status_code == 403
    assert (await client.get(_url(report_id))).status_code == 401

    reads = await _reads(runtime, report_id)
    assert sorted((r.actor_id, r.result, r.purpose) for r in reads) == sorted(
        [(other_adviser.id, "denied", "triage"), (admin.id, "denied", "triage")]
    )


async def test_a_school_can_send_it_but_never_read_it_back(
    client, runtime: Runtime, school: Principal, company: Company
) -> None:
    created = await school_report(client, school, {**facts(company), "confidential": confidential("SCHOOL")})
    for url in (SCHOOL_REPORTS, f"{SCHOOL_REPORTS}/{created['id']}"):
        response = await client.get(url, headers=school.headers)
        assert response.status_code == 200
        assert "SCHOOL" not in response.text and "narrative" not in response.text
    confidential_read = await client.get(f"{SCHOOL_REPORTS}/{created['id']}/confidential", headers=school.headers)
    assert confidential_read.status_code == 404
    async with runtime.session_factory() as session:
        assert (await session.exec(sa.select(sa.func.count()).select_from(ReportConfidential))).scalar_one() == 1


async def test_reassignment_moves_the_access(
    client, adviser: Principal, other_adviser: Principal, senior: Principal, company: Company
) -> None:
    report_id = await assigned_report(client, adviser, company)
    moved = await act(client, senior, report_id, "assign", {"adviser_id": str(other_adviser.id)})
    assert moved.status_code == 200
    assert (await client.get(_url(report_id), headers=adviser.headers)).status_code == 404
    assert (await client.get(_url(report_id), headers=other_adviser.headers)).status_code == 200


async def test_a_purpose_from_the_list_is_required(client, adviser: Principal, company: Company) -> None:
    report_id = await assigned_report(client, adviser, company)
    assert (await client.get(_url(report_id, None), headers=adviser.headers)).status_code == 422
    assert (await client.get(_url(report_id, "curiosity"), headers=adviser.headers)).status_code == 422


async def test_missing_report_is_404_and_audited_as_not_found(client, runtime: Runtime, senior: Principal) -> None:
    missing = "00000000-0000-0000-0000-0000000000aa"
    assert (await client.get(_url(missing), headers=senior.headers)).status_code == 404
    [read] = await _reads(runtime, missing)
    assert read.result == "not_found" and read.actor_id == senior.id


async def test_detail_says_whether_the_caller_may_open_it(
    client, adviser: Principal, other_adviser: Principal, senior: Principal, company: Company
) -> None:
    report_id = await assigned_report(client, adviser, company)
    for caller, may in ((adviser, True), (senior, True), (other_adviser, False)):
        detail = (await client.get(f"{REPORTS}/{report_id}", headers=caller.headers)).json()
        assert detail["has_confidential"] is True and detail["may_read_confidential"] is may
        assert "narrative" not in detail and "reporter_name" not in detail


async def test_erasing_removes_the_row_and_stamps_the_report(
    client, runtime: Runtime, adviser: Principal, company: Company
) -> None:
    report_id = await assigned_report(client, adviser, company)
    system = Caller.system("retention")
    async with runtime.transaction() as session:
        assert await ReportService(session).erase_confidential(report_id, system, rule="test") is True
    async with runtime.transaction() as session:
        assert await ReportService(session).erase_confidential(report_id, system, rule="test") is False
    async with runtime.session_factory() as session:
        report = await session.get(Report, report_id)
        assert report is not None and report.confidential_erased_at is not None
        assert (await session.exec(sa.select(sa.func.count()).select_from(ReportConfidential))).scalar_one() == 0
    detail = (await client.get(f"{REPORTS}/{report_id}", headers=adviser.headers)).json()
    assert detail["has_confidential"] is False
    assert (await client.get(_url(report_id), headers=adviser.headers)).status_code == 404
