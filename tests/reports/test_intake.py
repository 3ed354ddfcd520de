"""Reports come in from a school, an adviser or anonymously; the company is matched when it is certain."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from erkenning.companies.models import Company
from erkenning.core import clock
from erkenning.core.runtime import Runtime
from erkenning.reports.models import Report, ReportConfidential
from erkenning.reports.schemas import assessment_due
from tests.factories import Principal, adviser_report, confidential, facts, make_company, school_report
from tests.helpers import REPORTS, SCHOOL_REPORTS, on_day


async def _report(runtime: Runtime, report_id: str) -> Report:
    async with runtime.session_factory() as session:
        report = await session.get(Report, report_id)
        assert report is not None
        return report


async def _confidential_rows(runtime: Runtime) -> int:
    async with runtime.session_factory() as session:
        return (await session.exec(sa.select(sa.func.count()).select_from(ReportConfidential))).scalar_one()


async def test_school_passes_a_report_on_with_its_brin_and_sees_a_coarse_status(
    client, runtime: Runtime, school: Principal, company: Company
) -> None:
    created = await school_report(
        client, school, {**facts(company), "school_reference": "MP-2026/017", "confidential": confidential()}
    )
    assert set(created) == {"id", "reference", "received_at", "school_reference", "status", "assessed_by", "next_step"}
    assert created["status"] == "received" and created["school_reference"] == "MP-2026/017"
    report = await _report(runtime, created["id"])
    assert report.school_brin == "25LX"
    assert report.channel == "school_reporting_point"
    assert report.company_id == company.id
    assert await _confidential_rows(runtime) == 1


async def test_passing_on_answers_a_reference_sbbs_term_in_working_days_and_the_next_step(
    client, school: Principal, company: Company
) -> None:
    """The term is REPORT_TRIAGE_TERM_WORKING_DAYS (10) working days: from Thursday 24 December 2026 the general
    holidays of the Algemene termijnenwet (Christmas, New Year's Day) and the weekends do not count."""
    with on_day(date(2026, 12, 24)):
        first = await school_report(client, school, facts(company, incident_date="2026-12-01"))
        second = await school_report(client, school, facts(company, incident_date="2026-12-01"))
    assert re.fullmatch(r"SBB-M-\d{4}-\d{6}", first["reference"]) and first["reference"] != second["reference"]
    assert first["assessed_by"] == "2027-01-11"
    assert first["next_step"] == (
        "SBB assesses the report by 2027-01-11. SBB may then ask your reporting point for a reaction; "
        "it tells you the outcome separately."
    )
    with on_day(date(2026, 12, 28)):
        again = (await client.get(f"{SCHOOL_REPORTS}/{first['id']}", headers=school.headers)).json()
        listed = (await client.get(SCHOOL_REPORTS, headers=school.headers)).json()["items"]
    assert (again["reference"], again["assessed_by"]) == (first["reference"], "2027-01-11")
    assert {r["reference"] for r in listed} == {first["reference"], second["reference"]}


def test_the_assessment_term_counts_working_days_after_the_day_of_arrival() -> None:
    friday_evening = datetime(2026, 5, 1, 21, 30, tzinfo=UTC)  # 23:30 in Amsterdam: still Friday 1 May
    assert assessment_due(friday_evening, 1) == date(2026, 5, 4)
    # King's Day (27 April), 5 May, Ascension Day (14 May) and the decree day 15 May 2026 are no working days.
    assert assessment_due(datetime(2026, 4, 24, 10, tzinfo=UTC), 10) == date(2026, 5, 12)
    assert assessment_due(datetime(2026, 5, 8, 10, tzinfo=UTC), 5) == date(2026, 5, 19)


async def test_school_cannot_set_protected_fields(client, school: Principal, company: Company) -> None:
    for extra in ({"status": "substantiated"}, {"channel": "phone"}, {"school_brin": "99XX"},
                  {"assigned_to": str(school.id)}, {"company": {"company_id": str(company.id)}}):
        response = await client.post(SCHOOL_REPORTS, json={**facts(company), **extra}, headers=school.headers)
        assert response.status_code == 422, (extra, response.text)


async def test_adviser_enters_a_report_from_each_adviser_channel(client, adviser: Principal, company: Company) -> None:
    for channel in ("anti_discrimination_agency", "contact_form", "phone", "other"):
        created = await adviser_report(client, adviser, {**facts(company), "channel": channel})
        assert created["channel"] == channel and created["status"] == "received"
        assert created["assigned_to"] is None and created["has_confidential"] is False
    for channel in ("school_reporting_point", "public_form"):
        response = await client.post(REPORTS, json={**facts(company), "channel": channel}, headers=adviser.headers)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "channel"


async def test_admins_companies_and_schools_cannot_enter_reports_in_the_back_office(
    client, admin: Principal, school: Principal, tokens, company: Company
) -> None:
    from erkenning.core.caller import Role

    company_caller = await tokens.make(Role.COMPANY, company_id=company.id)
    body = {**facts(company), "channel": "phone"}
    for caller in (admin, school, company_caller):
        assert (await client.post(REPORTS, json=body, headers=caller.headers)).status_code == 403
    assert (await client.post(REPORTS, json=body)).status_code == 401


async def test_company_is_matched_only_when_certain(client, runtime: Runtime, adviser: Principal) -> None:
    one = await make_company(runtime, kvk_number="41000001")
    twin_a = await make_company(runtime, kvk_number="41000002")
    await make_company(runtime, kvk_number="41000002")  # a second establishment of the same KvK number

    async def matched(company_given: dict) -> str | None:
        created = await adviser_report(client, adviser, {**facts(), "company": company_given, "channel": "phone"})
        return created["company_id"]

    assert await matched({"company_id": str(one.id)}) == str(one.id)
    assert await matched({"establishment_number": one.establishment_number}) == str(one.id)
    assert await matched({"sbb_id": one.sbb_id}) == str(one.id)
    assert await matched({"kvk_number": "41000001"}) == str(one.id)
    assert await matched({"kvk_number": "41000002"}) is None  # two establishments: an adviser decides
    assert await matched({"name": twin_a.name}) is None  # a name alone is never matched
    nowhere = {"name": "Garage Nergens", "kvk_number": "49999999"}
    unknown = await adviser_report(client, adviser, {**facts(), "company": nowhere, "channel": "phone"})
    assert unknown["company_id"] is None
    assert unknown["company_given"] == {
        "sbb_id": None, "kvk_number": "49999999", "establishment_number": None, "name": "Garage Nergens"
    }


async def test_unknown_company_id_and_missing_company_are_422(client, adviser: Principal) -> None:
    response = await client.post(
        REPORTS, json={**facts(), "company": {"company_id": "00000000-0000-0000-0000-000000000001"},
                          "channel": "phone"}, headers=adviser.headers,
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "company.company_id"
    response = await client.post(REPORTS, json={**facts(), "company": {}, "channel": "phone"},
                                 headers=adviser.headers)
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ground", "nationality"),
        ("incident_date", "not-a-date"),
        ("crebo", "2518"),
        ("summary", ""),
        ("summary", "x" * 501),
        ("summary", "nul\x00byte"),
    ],
)
async def test_bad_facts_are_422_naming_the_field(client, adviser: Principal, field: str, value: str) -> None:
    response = await client.post(REPORTS, json={**facts(), field: value, "channel": "phone"},
                                 headers=adviser.headers)
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}


async def test_incident_date_cannot_be_in_the_future(client, adviser: Principal) -> None:
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    response = await client.post(REPORTS, json={**facts(), "incident_date": tomorrow, "channel": "phone"},
                                 headers=adviser.headers)
    assert response.status_code == 422
    assert "future" in response.text


async def test_idempotency_key_on_school_intake_creates_one_report(
    client, runtime: Runtime, school: Principal, company: Company
) -> None:
    headers = {**school.headers, "Idempotency-Key": "meldpunt-2026-017"}
    body = {**facts(company), "confidential": confidential()}
    first = await client.post(SCHOOL_REPORTS, json=body, headers=headers)
    second = await client.post(SCHOOL_REPORTS, json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second.headers["idempotent-replayed"] == "true"
    async with runtime.session_factory() as session:
        assert (await session.exec(sa.select(sa.func.count()).select_from(Report))).scalar_one() == 1
