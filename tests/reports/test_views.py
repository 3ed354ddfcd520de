"""What each audience sees: the back-office list and triage view, and a school's coarse view of its own reports."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from erkenning.companies.models import Company
from erkenning.core import clock
from erkenning.core.audit.models import AuditEvent
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from tests.factories import Principal, TokenFactory, adviser_report, assigned_report, facts, make_company, school_report
from tests.helpers import REPORTS, SCHOOL_REPORTS, act


async def _page(client, who: Principal, **params) -> dict:
    response = await client.get(REPORTS, params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_list_filters_combine_and_paginate(
    client, runtime: Runtime, adviser: Principal, other_adviser: Principal, school: Principal, company: Company
) -> None:
    elsewhere = await make_company(runtime)
    mine = await assigned_report(client, adviser, company, ground="religion")
    theirs = await assigned_report(client, other_adviser, elsewhere, ground="age")
    open_ = (await adviser_report(client, adviser, {**facts(company), "channel": "contact_form"}))["id"]
    from_school = (await school_report(client, school, facts(company)))["id"]
    await act(client, adviser, mine, "start-triage")

    def ids(page: dict) -> set[str]:
        return {item["id"] for item in page["items"]}

    assert (await _page(client, adviser))["total"] == 4
    assert ids(await _page(client, adviser, status="in_triage")) == {mine}
    assert ids(await _page(client, adviser, ground="age")) == {theirs}
    assert ids(await _page(client, adviser, channel="school_reporting_point")) == {from_school}
    assert ids(await _page(client, adviser, company_id=str(company.id))) == {mine, open_, from_school}
    assert ids(await _page(client, adviser, assigned_to_me="true")) == {mine}
    assert ids(await _page(client, other_adviser, assigned_to_me="true")) == {theirs}
    assert ids(await _page(client, adviser, unassigned="true")) == {open_, from_school}
    assert ids(await _page(client, adviser, company_id=str(company.id), unassigned="true", channel="contact_form")) == {
        open_
    }
    today = clock.today()
    assert (await _page(client, adviser, received_from=today.isoformat(), received_until=today.isoformat()))[
        "total"
    ] == 4
    assert (await _page(client, adviser, received_until=(today - timedelta(days=1)).isoformat()))["total"] == 0

    first = await _page(client, adviser, limit=3)
    second = await _page(client, adviser, limit=3, offset=3)
    assert len(first["items"]) == 3 and len(second["items"]) == 1 and ids(first).isdisjoint(ids(second))
    # Newest first.
    assert [i["received_at"] for i in first["items"]] == sorted((i["received_at"] for i in first["items"]),
                                                                reverse=True)
    bad = await client.get(REPORTS, params={"status": "closed"}, headers=adviser.headers)
    assert bad.status_code == 422


async def test_every_adviser_and_admin_sees_summaries_but_companies_and_schools_do_not(
    client, tokens: TokenFactory, adviser: Principal, other_adviser: Principal, admin: Principal,
    school: Principal, company: Company,
) -> None:
    report_id = await assigned_report(client, adviser, company)
    for staff in (other_adviser, admin):
        assert (await _page(client, staff))["total"] == 1
        assert (await client.get(f"{REPORTS}/{report_id}", headers=staff.headers)).status_code == 200
    company_caller = await tokens.make(Role.COMPANY, company_id=company.id)
    for outsider in (company_caller, school):
        assert (await client.get(REPORTS, headers=outsider.headers)).status_code == 403
        assert (await client.get(f"{REPORTS}/{report_id}", headers=outsider.headers)).status_code == 403
    assert (await client.get(REPORTS)).status_code == 401


async def test_reading_a_report_is_audited(client, runtime: Runtime, other_adviser: Principal, adviser: Principal,
                                           company: Company) -> None:
    report_id = await assigned_report(client, adviser, company)
    await client.get(f"{REPORTS}/{report_id}", headers=other_adviser.headers)
    async with runtime.session_factory() as session:
        stmt = sa.select(AuditEvent).where(AuditEvent.action == "report.read", AuditEvent.object_id == report_id)
        rows = (await session.exec(stmt.order_by(AuditEvent.seq))).scalars().all()
    # The assignment's answer is the triage view too, so the assigning adviser's read comes first.
    assert [r.actor_id for r in rows] == [adviser.id, other_adviser.id]


async def test_repeat_count_covers_the_window_and_raises_the_flag(
    client, runtime: Runtime, adviser: Principal, company: Company
) -> None:
    with clock.travel(-timedelta(days=25 * 31)):  # before the 24-month window
        await adviser_report(client, adviser, {**facts(company), "channel": "phone"})
    report_id = await assigned_report(client, adviser, company)
    detail = (await client.get(f"{REPORTS}/{report_id}", headers=adviser.headers)).json()
    assert detail["other_reports_recent"] == 0 and detail["repeat_flag"] is False

    with clock.travel(-timedelta(days=23 * 31)):  # inside the window
        await adviser_report(client, adviser, {**facts(company), "channel": "phone"})
    detail = (await client.get(f"{REPORTS}/{report_id}", headers=adviser.headers)).json()
    assert detail["other_reports_recent"] == 1 and detail["repeat_flag"] is True


async def test_school_sees_only_its_own_reports_and_only_a_coarse_status(
    client, runtime: Runtime, tokens: TokenFactory, school: Principal, senior: Principal, company: Company
) -> None:
    other_school = await tokens.make(Role.SCHOOL, school_brin="30AB")
    ours = (await school_report(client, school, {**facts(company), "school_reference": "A-1"}))["id"]
    theirs = (await school_report(client, other_school, facts(company)))["id"]

    listed = (await client.get(SCHOOL_REPORTS, headers=school.headers)).json()
    assert listed["total"] == 1 and [i["id"] for i in listed["items"]] == [ours]
    assert set(listed["items"][0]) == {
        "id", "reference", "received_at", "school_reference", "status", "assessed_by", "next_step",
    }
    assert (await client.get(f"{SCHOOL_REPORTS}/{theirs}", headers=school.headers)).status_code == 404
    assert (await client.get(f"{SCHOOL_REPORTS}/00000000-0000-0000-0000-000000000000",
                             headers=school.headers)).status_code == 404

    async def status() -> str:
        return (await client.get(f"{SCHOOL_REPORTS}/{ours}", headers=school.headers)).json()["status"]

    assert await status() == "received"
    await act(client, senior, ours, "start-triage")
    assert await status() == "being handled"
    in_triage = (await client.get(f"{SCHOOL_REPORTS}/{ours}", headers=school.headers)).json()
    assert in_triage["assessed_by"] is None  # the term is told while the report waits for assessment only
    await act(client, senior, ours, "substantiate", {"reason": "Ernstig"})
    assert await status() == "being handled"  # an investigation is never revealed
    substantiated = (await client.get(f"{SCHOOL_REPORTS}/{ours}", headers=school.headers)).json()
    assert substantiated["next_step"] == in_triage["next_step"]  # nor by the next step

    company_caller = await tokens.make(Role.COMPANY, company_id=company.id)
    assert (await client.get(SCHOOL_REPORTS, headers=company_caller.headers)).status_code == 403
    assert (await client.get(f"{SCHOOL_REPORTS}/{ours}", headers=company_caller.headers)).status_code == 403
    assert (await client.get(SCHOOL_REPORTS)).status_code == 401


async def test_demo_reports_are_loaded_once_and_visible_to_the_demo_school(client, runtime: Runtime) -> None:
    from erkenning.devtools import demo

    await demo.load(runtime)
    tokens = await demo.load(runtime)
    staff = {"Authorization": f"Bearer {tokens['adviser']}"}
    # The two reports of the demo reports set and the two that opened the demo cases; no more on a second load.
    assert (await client.get(REPORTS, headers=staff)).json()["total"] == 4
    school = (await client.get(SCHOOL_REPORTS, headers={"Authorization": f"Bearer {tokens['school']}"})).json()
    assert [i["school_reference"] for i in school["items"]] == ["MP-DEMO-1"]
