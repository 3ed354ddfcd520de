"""The definitions hold for what the services themselves write: reports, triage, a case, a course."""

from __future__ import annotations

import httpx

from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from tests.factories import (
    Principal,
    TokenFactory,
    adviser_report,
    confidential,
    facts,
    make_company,
    post_course,
    school_report,
)
from tests.helpers import MONITORING, PUBLIC_REPORTS, act, drain_queue


def figure(body: dict, section: str, name: str, category: str | None = None) -> int | float | None:
    [row] = [r for r in body["indicators"] if (r["section"], r["name"], r["category"]) == (section, name, category)]
    return row["current"]["value"]


async def test_reports_triage_a_case_and_a_course_made_through_the_api_are_counted(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, tokens: TokenFactory, adviser: Principal
) -> None:
    company = await make_company(runtime, sector="zorg_welzijn_sport")
    school = await tokens.make(Role.SCHOOL, school_brin="25LX01")
    passed_on = await school_report(client, school, {**facts(company), "confidential": confidential("s")})
    entered = await adviser_report(
        client, adviser, {**facts(None, ground="religion"), "channel": "phone", "confidential": confidential()}
    )
    anonymous = await client.post(PUBLIC_REPORTS, json={**facts(), "ground": "age", "confidential": {"narrative": "x"}})
    assert anonymous.status_code == 201, anonymous.text
    for report_id, outcome, body in (
        (str(passed_on["id"]), "substantiate", {"reason": "Aannemelijk"}),
        (str(entered["id"]), "mark-not-substantiated", {"reason": "Geen discriminatie"}),
    ):
        for action, data in (("assign", {"adviser_id": str(adviser.id)}), ("start-triage", None), (outcome, body)):
            response = await act(client, adviser, report_id, action, data)
            assert response.status_code == 200, response.text
    await drain_queue(settings)  # the worker opens the case for the substantiated report

    staff = await tokens.make(Role.ADVISER)
    course = await post_course(client, staff, format="e_learning", topics=["equal_opportunities"])
    member = await tokens.make(Role.COMPANY, company_id=company.id)
    enrolled = await client.post("/api/v1/portal/training/participations", json={"course_id": course["id"]},
                                 headers=member.headers)
    assert enrolled.status_code == 201, enrolled.text
    completed = await client.post(f"/api/v1/backoffice/training/participations/{enrolled.json()['id']}/complete",
                                  json={}, headers=staff.headers)
    assert completed.status_code == 200, completed.text

    response = await client.get(f"{MONITORING}/indicators", params={"year": clock.today().year}, headers=adviser.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert figure(body, "reports", "received") == 3
    assert figure(body, "reports", "by_channel", "school_reporting_point") == 1
    assert figure(body, "reports", "by_channel", "adviser_intake") == 1
    assert figure(body, "reports", "by_channel", "anonymous") == 1
    assert figure(body, "reports", "by_ground", "religion") == 1
    assert figure(body, "reports", "by_sector", "zorg_welzijn_sport") == 1
    assert figure(body, "reports", "by_sector", "unmatched") == 2
    assert figure(body, "reports", "schools") == 1
    assert figure(body, "triage", "decided") == 2
    assert figure(body, "triage", "outcome", "substantiated") == 1
    assert figure(body, "triage", "share", "not_substantiated") == 50.0
    assert figure(body, "lead_times", "triage_days_median") == 0.0
    assert figure(body, "investigations", "opened") == 1
    assert figure(body, "investigations", "open_at_end") == 1
    assert figure(body, "training_by_format", "completed", "e_learning") == 1
    assert figure(body, "training_by_topic", "completed", "equal_opportunities") == 1
    assert figure(body, "course_reach", "reported_companies") == 1
    assert figure(body, "course_reach", "reported_completed") == 1
    assert figure(body, "course_reach", "reported_share") == 100.0
