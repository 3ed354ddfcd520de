"""Enrolment through the API: seats, the waiting list under concurrency, closing time, cancellation."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import sqlalchemy as sa

from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.training.models import Participation
from tests.factories import TokenFactory, post_course, post_session
from tests.helpers import PORTAL_TRAINING, TRAINING, MailCatcher, company_email, drain_queue, enrol


async def test_thirty_simultaneous_enrolments_fill_ten_seats_and_wait_list_twenty(
    client, adviser, tokens: TokenFactory
) -> None:
    course = await post_course(client, adviser)
    session = await post_session(client, adviser, course["id"], capacity=10)
    companies = [await tokens.make(Role.COMPANY) for _ in range(30)]

    responses = await asyncio.gather(*(enrol(client, c, session_id=session["id"]) for c in companies))

    assert [r.status_code for r in responses] == [201] * 30, [
        r.text for r in responses if r.status_code != 201
    ]
    statuses = [r.json()["status"] for r in responses]
    assert statuses.count("enrolled") == 10 and statuses.count("waitlisted") == 20
    seen = (await client.get(f"{TRAINING}/sessions/{session['id']}", headers=adviser.headers)).json()
    assert (seen["enrolled"], seen["waitlisted"], seen["seats_left"]) == (10, 20, 0)
    listed = await client.get(
        f"{TRAINING}/participations",
        params={"session_id": session["id"], "status": "enrolled"},
        headers=adviser.headers,
    )
    assert listed.json()["total"] == 10


async def test_enrolling_twice_in_the_same_session_is_409(client, adviser, tokens: TokenFactory) -> None:
    course = await post_course(client, adviser)
    session = await post_session(client, adviser, course["id"])
    company = await tokens.make(Role.COMPANY)
    first = await enrol(client, company, session_id=session["id"], trainer_name="Jan de Vries")
    assert first.status_code == 201 and first.json()["trainer_name"] == "Jan de Vries"
    again = await enrol(client, company, session_id=session["id"])
    assert again.status_code == 409
    assert again.json()["type"] == "urn:erkenning:problem:already-enrolled"
    # Also when the adviser tries it for the company, and when both come at once.
    by_adviser = await client.post(
        f"{TRAINING}/participations",
        json={"session_id": session["id"], "company_id": str(company.company_id)},
        headers=adviser.headers,
    )
    assert by_adviser.status_code == 409
    other = await tokens.make(Role.COMPANY)
    both = await asyncio.gather(*(enrol(client, other, session_id=session["id"]) for _ in range(3)))
    assert sorted(r.status_code for r in both) == [201, 409, 409]


async def test_a_cancelled_enrolment_may_be_followed_by_a_new_one(
    client, adviser, tokens: TokenFactory
) -> None:
    course = await post_course(client, adviser)
    session = await post_session(client, adviser, course["id"])
    company = await tokens.make(Role.COMPANY)
    first = (await enrol(client, company, session_id=session["id"])).json()
    cancelled = await client.post(f"{PORTAL_TRAINING}/participations/{first['id']}/cancel", headers=company.headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = await enrol(client, company, session_id=session["id"])
    assert again.status_code == 201 and again.json()["id"] != first["id"]


async def test_enrolment_after_the_closing_time_is_422_and_stores_nothing(
    client, adviser, tokens: TokenFactory, runtime: Runtime
) -> None:
    course = await post_course(client, adviser)
    closes = clock.local(clock.now() + timedelta(days=2)).isoformat()
    session = await post_session(client, adviser, course["id"], enrolment_closes_at=closes)
    company = await tokens.make(Role.COMPANY)
    assert session["enrolment_open"] is True
    with clock.travel(timedelta(days=2, minutes=1)):
        seen = await client.get(f"{TRAINING}/sessions/{session['id']}", headers=adviser.headers)
        assert seen.json()["enrolment_open"] is False
        late = await enrol(client, company, session_id=session["id"])
    assert late.status_code == 422, late.text
    assert late.json()["type"] == "urn:erkenning:problem:enrolment-closed"
    async with runtime.session_factory() as db:
        assert (await db.exec(sa.select(sa.func.count()).select_from(Participation))).one()[0] == 0
    assert (await enrol(client, company, session_id=session["id"])).status_code == 201  # before closing: fine


async def test_cancellation_promotes_the_first_waitlisted_company_and_mails_it(
    client, adviser, tokens: TokenFactory, runtime: Runtime, settings, mail: MailCatcher
) -> None:
    course = await post_course(client, adviser, title="Werven en selecteren zonder discriminatie")
    session = await post_session(client, adviser, course["id"], capacity=1)
    first, second, third = [await tokens.make(Role.COMPANY) for _ in range(3)]
    seat = (await enrol(client, first, session_id=session["id"])).json()
    waiting = [(await enrol(client, c, session_id=session["id"])).json() for c in (second, third)]
    assert [w["status"] for w in waiting] == ["waitlisted", "waitlisted"]

    cancelled = await client.post(f"{PORTAL_TRAINING}/participations/{seat['id']}/cancel", headers=first.headers)
    assert cancelled.status_code == 200, cancelled.text

    promoted = (
        await client.get(f"{PORTAL_TRAINING}/participations/{waiting[0]['id']}", headers=second.headers)
    ).json()
    still = (await client.get(f"{PORTAL_TRAINING}/participations/{waiting[1]['id']}", headers=third.headers)).json()
    assert (promoted["status"], still["status"]) == ("enrolled", "waitlisted")
    await drain_queue(settings)
    [message] = mail.to(await company_email(runtime, second.company_id))
    assert "vrijgekomen" in message["Subject"]
    assert "Werven en selecteren zonder discriminatie" in MailCatcher.text(message)
    assert mail.to(await company_email(runtime, third.company_id)) == []
    assert mail.to(await company_email(runtime, first.company_id)) == []


async def test_leaving_the_waiting_list_promotes_no_one(client, adviser, tokens: TokenFactory) -> None:
    course = await post_course(client, adviser)
    session = await post_session(client, adviser, course["id"], capacity=1)
    a, b, c = [await tokens.make(Role.COMPANY) for _ in range(3)]
    await enrol(client, a, session_id=session["id"])
    waiting_b = (await enrol(client, b, session_id=session["id"])).json()
    waiting_c = (await enrol(client, c, session_id=session["id"])).json()
    await client.post(f"{PORTAL_TRAINING}/participations/{waiting_b['id']}/cancel", headers=b.headers)
    assert (await client.get(f"{PORTAL_TRAINING}/participations/{waiting_c['id']}", headers=c.headers)).json()[
        "status"
    ] == ("waitlisted")


async def test_e_learning_enrolment_goes_by_course_and_workshops_by_session(
    client, adviser, tokens: TokenFactory
) -> None:
    e_learning = await post_course(client, adviser, format="e_learning", topics=["equal_opportunities"])
    workshop = await post_course(client, adviser)
    company = await tokens.make(Role.COMPANY)
    ok = await enrol(client, company, course_id=e_learning["id"])
    assert ok.status_code == 201 and ok.json()["status"] == "enrolled" and ok.json()["session_id"] is None
    assert (await enrol(client, company, course_id=e_learning["id"])).status_code == 409
    assert (await enrol(client, company, course_id=workshop["id"])).status_code == 422
    assert (await enrol(client, company)).status_code == 422
    refused = await client.post(
        f"{TRAINING}/courses/{e_learning['id']}/sessions",
        json={
            "starts_at": "2030-01-01T10:00:00+01:00",
            "ends_at": "2030-01-01T12:00:00+01:00",
            "location": "x",
            "capacity": 3,
        },
        headers=adviser.headers,
    )
    assert refused.status_code == 422


async def test_a_company_cannot_enrol_another_company_or_set_protected_fields(
    client, adviser, tokens: TokenFactory
) -> None:
    course = await post_course(client, adviser)
    session = await post_session(client, adviser, course["id"])
    company, other = await tokens.make(Role.COMPANY), await tokens.make(Role.COMPANY)
    for body in ({"company_id": str(other.company_id)}, {"status": "completed"}, {"certificate_code": "X"}):
        response = await enrol(client, company, session_id=session["id"], **body)
        assert response.status_code == 422, body


async def test_the_adviser_enrols_a_company_in_the_back_office(client, adviser, tokens: TokenFactory) -> None:
    course = await post_course(client, adviser)
    session = await post_session(client, adviser, course["id"])
    company = await tokens.make(Role.COMPANY)
    response = await client.post(
        f"{TRAINING}/participations",
        json={
            "session_id": session["id"],
            "company_id": str(company.company_id),
            "trainer_name": "Fatima Yilmaz",
        },
        headers=adviser.headers,
    )
    assert response.status_code == 201, response.text
    mine = (await client.get(f"{PORTAL_TRAINING}/participations", headers=company.headers)).json()
    assert [p["id"] for p in mine["items"]] == [response.json()["id"]]
    unknown = await client.post(
        f"{TRAINING}/participations",
        json={"session_id": session["id"], "company_id": "00000000-0000-0000-0000-000000000001"},
        headers=adviser.headers,
    )
    assert unknown.status_code == 404


async def test_cancelling_a_session_cancels_everyone_and_tells_them(
    client, adviser, tokens: TokenFactory, runtime: Runtime, settings, mail: MailCatcher
) -> None:
    course = await post_course(client, adviser)
    session = await post_session(client, adviser, course["id"], capacity=1)
    a, b = await tokens.make(Role.COMPANY), await tokens.make(Role.COMPANY)
    await enrol(client, a, session_id=session["id"])
    await enrol(client, b, session_id=session["id"])

    response = await client.post(f"{TRAINING}/sessions/{session['id']}/cancel", headers=adviser.headers)
    assert response.status_code == 200 and response.json()["cancelled_at"] is not None
    again = await client.post(f"{TRAINING}/sessions/{session['id']}/cancel", headers=adviser.headers)
    assert again.status_code == 200

    for company in (a, b):
        [row] = (await client.get(f"{PORTAL_TRAINING}/participations", headers=company.headers)).json()["items"]
        assert row["status"] == "cancelled"
    await drain_queue(settings)
    for company in (a, b):
        [message] = mail.to(await company_email(runtime, company.company_id))
        assert "Geannuleerd" in message["Subject"]
    late = await enrol(client, await tokens.make(Role.COMPANY), session_id=session["id"])
    assert late.status_code == 422


async def test_logs_and_audit_hold_ids_not_names(
    client, adviser, tokens: TokenFactory, runtime: Runtime, logs
) -> None:
    course = await post_course(client, adviser, format="e_learning")
    company = await tokens.make(Role.COMPANY)
    done = (await enrol(client, company, course_id=course["id"], trainer_name="Jan de Vries")).json()
    await client.post(f"{TRAINING}/participations/{done['id']}/complete", headers=adviser.headers)
    assert logs.events("participation.created") and logs.events("participation.completed")
    assert "Jan de Vries" not in logs.text
    async with runtime.session_factory() as session:
        rows = (
            await session.exec(
                sa.text("SELECT detail::text FROM audit_event WHERE object_id = :id"),
                params={"id": done["id"]},
            )
        ).all()
    assert len(rows) == 2 and not any("Jan de Vries" in r[0] for r in rows)
