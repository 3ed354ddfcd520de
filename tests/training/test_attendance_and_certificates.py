"""Attendance for a whole session at once, completion by hand, and the public certificate check."""

from __future__ import annotations

from datetime import timedelta

from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from tests.factories import TokenFactory, post_course, post_session
from tests.helpers import PORTAL_TRAINING, TRAINING, enrol

REGISTER = "/api/v1/register/certificates"


async def _session_with(client, adviser, tokens: TokenFactory, n: int):
    course = await post_course(
        client, adviser, title="De rol van de praktijkopleider", topics=["workplace_trainer"]
    )
    session = await post_session(client, adviser, course["id"], starts_in=timedelta(days=1))
    companies = [await tokens.make(Role.COMPANY) for _ in range(n)]
    participations = [(await enrol(client, c, session_id=session["id"])).json() for c in companies]
    return course, session, companies, participations


async def test_attendance_is_recorded_for_the_whole_session_in_one_request(client, adviser, tokens) -> None:
    _, session, _, (a, b, c) = await _session_with(client, adviser, tokens, 3)
    url = f"{TRAINING}/sessions/{session['id']}/attendance"
    records = [
        {"participation_id": a["id"], "status": "attended"},
        {"participation_id": b["id"], "status": "no_show"},
    ]

    too_early = await client.post(url, json={"records": records}, headers=adviser.headers)
    assert too_early.status_code == 409

    with clock.travel(timedelta(days=1, hours=4)):
        done = await client.post(url, json={"records": records}, headers=adviser.headers)
        assert done.status_code == 200, done.text
        assert [(p["id"], p["status"]) for p in done.json()] == [(a["id"], "attended"), (b["id"], "no_show")]
        repeated = await client.post(url, json={"records": records}, headers=adviser.headers)
        assert [p["status"] for p in repeated.json()] == ["attended", "no_show"]
        corrected = await client.post(
            url,
            json={"records": [{"participation_id": b["id"], "status": "attended"}]},
            headers=adviser.headers,
        )
        assert corrected.json()[0]["status"] == "attended"

    c_now = (await client.get(f"{TRAINING}/participations/{c['id']}", headers=adviser.headers)).json()
    assert c_now["status"] == "enrolled"


async def test_an_attendance_list_naming_a_stranger_changes_nothing(client, adviser, tokens) -> None:
    _, session, _, (a,) = await _session_with(client, adviser, tokens, 1)
    _, _, _, (elsewhere,) = await _session_with(client, adviser, tokens, 1)
    records = [
        {"participation_id": a["id"], "status": "attended"},
        {"participation_id": elsewhere["id"], "status": "attended"},
    ]
    with clock.travel(timedelta(days=2)):
        response = await client.post(
            f"{TRAINING}/sessions/{session['id']}/attendance",
            json={"records": records},
            headers=adviser.headers,
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "records.1.participation_id"
        doubled = await client.post(
            f"{TRAINING}/sessions/{session['id']}/attendance",
            json={"records": [records[0], records[0]]},
            headers=adviser.headers,
        )
        assert doubled.status_code == 422
    assert (await client.get(f"{TRAINING}/participations/{a['id']}", headers=adviser.headers)).json()[
        "status"
    ] == ("enrolled")


async def _certificate(client, adviser, tokens) -> tuple[dict, str]:
    _, session, companies, (a,) = await _session_with(client, adviser, tokens, 1)
    with clock.travel(timedelta(days=2)):
        await client.post(
            f"{TRAINING}/sessions/{session['id']}/attendance",
            json={"records": [{"participation_id": a["id"], "status": "attended"}]},
            headers=adviser.headers,
        )
    completed = await client.post(
        f"{TRAINING}/participations/{a['id']}/complete",
        json={"completed_on": "2026-11-20"},
        headers=adviser.headers,
    )
    assert completed.status_code == 200, completed.text
    return completed.json(), companies[0]


async def test_the_certificate_check_shows_course_company_and_date_only(
    client, adviser, tokens, runtime: Runtime
) -> None:
    participation, company = await _certificate(client, adviser, tokens)
    code = participation["certificate_code"]
    assert participation["status"] == "completed" and len(code) == 16 and code.isalnum() and code.isupper()

    response = await client.get(f"{REGISTER}/{code}")  # anyone: no token
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"course_title", "company_name", "completed_on"}
    assert body["course_title"] == "De rol van de praktijkopleider"
    assert body["completed_on"] == "2026-11-20"
    account = (await client.get("/api/v1/portal/account/", headers=company.headers)).json()
    assert (
        body["company_name"]
        == (
            await client.get(f"/api/v1/backoffice/companies/{account['company_id']}", headers=adviser.headers)
        ).json()["name"]
    )

    spaced = f"{code[:4].lower()}-{code[4:8]} {code[8:]}"
    assert (await client.get(f"{REGISTER}/{spaced}")).json() == body
    assert (await client.get(f"{REGISTER}/{'A' * 16}")).status_code == 404
    assert (await client.get(f"{REGISTER}/x")).status_code == 404


async def test_the_company_sees_its_certificate_in_its_history(client, adviser, tokens) -> None:
    participation, company = await _certificate(client, adviser, tokens)
    [line] = (await client.get(f"{PORTAL_TRAINING}/participations", headers=company.headers)).json()["items"]
    assert line["certificate_code"] == participation["certificate_code"]
    assert line["course_title"] == "De rol van de praktijkopleider"
    assert line["session_starts_at"].endswith(("+01:00", "+02:00"))  # shown in Amsterdam time


async def test_an_unfinished_participation_cannot_be_completed_by_hand(client, adviser, tokens) -> None:
    _, _, _, (a,) = await _session_with(client, adviser, tokens, 1)
    response = await client.post(f"{TRAINING}/participations/{a['id']}/complete", headers=adviser.headers)
    assert response.status_code == 409
