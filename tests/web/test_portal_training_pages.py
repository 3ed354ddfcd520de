"""Courses in the company portal: catalogue, enrolling (full → waiting list), cancelling, certificates."""

from __future__ import annotations

from uuid import UUID

import pytest
import sqlalchemy as sa

from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from tests.factories import (
    Principal,
    TokenFactory,
    completed_participation,
    enrol_company,
    make_company,
    make_course,
    make_session,
)
from tests.helpers import WebClient, csrf_of, error_summary, value_of


@pytest.fixture
async def company(web: WebClient, tokens: TokenFactory) -> Principal:
    return await web.sign_in_as(tokens, Role.COMPANY, name="Kapsalon Knip")


async def _other_company(runtime: Runtime) -> UUID:
    return (await make_company(runtime)).id


async def _statuses(runtime: Runtime) -> list[str]:
    async with runtime.engine.connect() as conn:
        return list((await conn.execute(sa.text("SELECT status FROM participation ORDER BY created_at"))).scalars())


async def test_the_catalogue_shows_sessions_with_their_seats(web: WebClient, company, runtime: Runtime) -> None:
    course = await make_course(runtime, title="Werven zonder vooroordelen")
    open_session = await make_session(runtime, course, capacity=12)
    full = await make_session(runtime, course, capacity=1, days=20)
    await enrol_company(runtime, await _other_company(runtime), session_id=full)
    await make_course(runtime, title="Het puberbrein online", format="e_learning", topics=["adolescent_brain"])
    page = await web.get("/portaal/cursussen")
    assert page.status_code == 200
    assert "Werven zonder vooroordelen" in page.text and "nog 12 van 12 vrij" in page.text
    assert f'href="/portaal/cursussen/aanmelden?bijeenkomst={open_session}"' in page.text
    assert "aanmelden zet u op de wachtlijst" in page.text
    filtered = await web.get("/portaal/cursussen", params={"vorm": "e_learning"})
    assert "Het puberbrein online" in filtered.text and "Werven zonder vooroordelen" not in filtered.text


async def test_enrolling_in_a_session_with_seats(web: WebClient, company, runtime: Runtime) -> None:
    session_id = await make_session(runtime, await make_course(runtime))
    form = f"/portaal/cursussen/aanmelden?bijeenkomst={session_id}"
    page = await web.get(form)
    assert "Er zijn nog 10 plaatsen vrij." in page.text
    response = await web.http.post("/portaal/cursussen/aanmelden", data={
        "_csrf": csrf_of(page.text), "session_id": str(session_id), "course_id": "", "trainer_name": "Sanne Jansen",
    })
    assert response.status_code == 303 and response.headers["location"] == "/portaal/deelnames"
    history = (await web.get("/portaal/deelnames")).text
    assert "U bent aangemeld." in history and "Sanne Jansen" in history and "aangemeld" in history
    assert await _statuses(runtime) == ["enrolled"]


async def test_a_full_session_says_so_and_puts_the_company_on_the_waiting_list(
    web: WebClient, company, runtime: Runtime
) -> None:
    session_id = await make_session(runtime, await make_course(runtime), capacity=1)
    await enrol_company(runtime, await _other_company(runtime), session_id=session_id)
    page = await web.get(f"/portaal/cursussen/aanmelden?bijeenkomst={session_id}")
    assert "Vol: u komt op de wachtlijst" in page.text and "Op de wachtlijst zetten" in page.text
    response = await web.http.post("/portaal/cursussen/aanmelden", data={
        "_csrf": csrf_of(page.text), "session_id": str(session_id), "course_id": "", "trainer_name": "",
    })
    assert response.status_code == 303
    history = (await web.get("/portaal/deelnames")).text
    assert "De bijeenkomst is vol: u staat op de wachtlijst." in history and "op de wachtlijst" in history
    assert await _statuses(runtime) == ["enrolled", "waitlisted"]


async def test_enrolling_twice_is_a_message_and_changes_nothing(web: WebClient, company, runtime: Runtime) -> None:
    session_id = await make_session(runtime, await make_course(runtime))
    page = await web.get(f"/portaal/cursussen/aanmelden?bijeenkomst={session_id}")
    data = {"_csrf": csrf_of(page.text), "session_id": str(session_id), "course_id": "", "trainer_name": "A"}
    assert (await web.http.post("/portaal/cursussen/aanmelden", data=data)).status_code == 303
    again = await web.http.post("/portaal/cursussen/aanmelden", data={**data, "trainer_name": "B"})
    assert again.status_code == 409 and "U bent al aangemeld" in again.text
    assert value_of(again.text, "trainer_name") == "B"
    assert await _statuses(runtime) == ["enrolled"]


async def test_a_wrong_entry_is_summarised_and_keeps_the_value(web: WebClient, company, runtime: Runtime) -> None:
    session_id = await make_session(runtime, await make_course(runtime))
    page = await web.get(f"/portaal/cursussen/aanmelden?bijeenkomst={session_id}")
    too_long = "x" * 201
    response = await web.http.post("/portaal/cursussen/aanmelden", data={
        "_csrf": csrf_of(page.text), "session_id": str(session_id), "course_id": "", "trainer_name": too_long,
    })
    assert response.status_code == 422
    assert 'href="#veld-trainer-name"' in error_summary(response.text)
    assert value_of(response.text, "trainer_name") == too_long
    assert await _statuses(runtime) == []


async def test_enrolling_in_an_e_learning_and_cancelling(web: WebClient, company, runtime: Runtime) -> None:
    course = await make_course(runtime, title="Het puberbrein online", format="e_learning")
    page = await web.get(f"/portaal/cursussen/aanmelden?cursus={course}")
    response = await web.http.post("/portaal/cursussen/aanmelden", data={
        "_csrf": csrf_of(page.text), "session_id": "", "course_id": str(course), "trainer_name": "",
    })
    assert response.status_code == 303
    async with runtime.engine.connect() as conn:
        participation = (await conn.execute(sa.text("SELECT id FROM participation"))).scalar()
    history = await web.get("/portaal/deelnames")
    assert f'action="/portaal/deelnames/{participation}/afmelden"' in history.text
    cancelled = await web.http.post(f"/portaal/deelnames/{participation}/afmelden", data={"_csrf": csrf_of(history.text)})
    assert cancelled.status_code == 303
    after = (await web.get("/portaal/deelnames")).text
    assert "U bent afgemeld." in after and "/afmelden" not in after
    assert await _statuses(runtime) == ["cancelled"]


async def test_a_completed_course_has_a_certificate_only_its_company_sees(
    web: WebClient, company: Principal, runtime: Runtime, tokens: TokenFactory
) -> None:
    code = await completed_participation(runtime, course_title="Gelijke kansen", company_id=company.company_id)
    async with runtime.engine.connect() as conn:
        participation = (await conn.execute(sa.text("SELECT id FROM participation"))).scalar()
    history = (await web.get("/portaal/deelnames")).text
    assert "afgerond" in history and f'href="/portaal/deelnames/{participation}/certificaat"' in history
    certificate = (await web.get(f"/portaal/deelnames/{participation}/certificaat")).text
    assert code in certificate and "Testbedrijf" in certificate  # the company's own name
    assert "Gelijke kansen" in certificate and f'href="/certificaat?code={code}"' in certificate
    await web.sign_out()
    await web.sign_in_as(tokens, Role.COMPANY)
    assert (await web.get(f"/portaal/deelnames/{participation}/certificaat")).status_code == 404
    page = await web.get("/portaal/deelnames")
    refused = await web.http.post(f"/portaal/deelnames/{participation}/afmelden", data={"_csrf": csrf_of(page.text)})
    assert refused.status_code == 404
