"""An adviser's tasks on cases: listed on the start page, marked done there (or through the API) by
their adviser or a senior adviser, with a line on the case's timeline and an audit row."""

from __future__ import annotations

import re
from datetime import date, timedelta
from uuid import UUID, uuid4

import httpx
import sqlalchemy as sa

from erkenning.core import clock
from erkenning.core.audit.models import AuditEvent
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.workflows.models import AdviserTask, TimelineEvent
from tests.factories import TASK_NOTE, TokenFactory, make_adviser_task
from tests.helpers import WebClient, csrf_of


async def _mark_done(web: WebClient, task_id: UUID) -> str:
    start = await web.get("/")
    response = await web.http.post(f"/taken/{task_id}/afgerond", data={"_csrf": csrf_of(start.text)})
    assert response.status_code == 303 and response.headers["location"] == "/"
    return (await web.get("/")).text


async def test_an_adviser_sees_their_tasks_overdue_marked_and_marks_one_done(
    web: WebClient, tokens: TokenFactory, runtime: Runtime
) -> None:
    adviser = await web.sign_in_as(tokens, Role.ADVISER)
    late = await make_adviser_task(runtime, adviser, due=clock.today() - timedelta(days=2),
                                   company_name="Bakkerij Laat")
    await make_adviser_task(runtime, adviser, due=clock.today() + timedelta(days=5), company_name="Garage Later")
    other = await tokens.make(Role.ADVISER)
    await make_adviser_task(runtime, other, due=clock.today(), company_name="Kapsalon Anders")

    start = (await web.get("/")).text
    tasks = start[start.index("Mijn taken"):]
    assert "Verbeterafspraken nagaan – Bakkerij Laat" in tasks and "Verbeterafspraken nagaan – Garage Later" in tasks
    assert tasks.index("Bakkerij Laat") < tasks.index("Garage Later")  # earliest due first
    assert "Kapsalon Anders" not in start  # someone else's
    assert re.search(r"Bakkerij Laat</a>\s*<span class=\"muted\">uiterlijk [^<]+</span> <span class=\"badge badge--danger\">verlopen", tasks)
    assert f'href="/onderzoeken/{late.investigation_id}"' in tasks and TASK_NOTE in tasks

    after = await _mark_done(web, late.id)
    assert "De taak is afgerond en staat op de tijdlijn van het onderzoek." in after and "Bakkerij Laat" not in after
    async with runtime.session_factory() as session:
        done = await session.get(AdviserTask, late.id)
        assert done is not None and done.done_at is not None
        events = (await session.exec(sa.select(TimelineEvent).where(TimelineEvent.investigation_id == late.investigation_id))).all()
        audited = (await session.exec(sa.select(AuditEvent).where(AuditEvent.action == "adviser_task.completed",
                                                                  AuditEvent.actor_id == adviser.id))).all()
    assert [(e[0].kind, e[0].actor_id) for e in events] == [("task_done", adviser.id)]
    assert len(audited) == 1 and audited[0][0].object_id == str(late.id)

    again = await _mark_done(web, late.id)
    assert "Deze taak kon niet worden afgerond" in again


async def test_the_case_page_lists_its_tasks_and_marking_one_done_returns_there(
    web: WebClient, tokens: TokenFactory, runtime: Runtime
) -> None:
    adviser = await web.sign_in_as(tokens, Role.ADVISER, name="Anna Adviseur")
    task = await make_adviser_task(runtime, adviser, due=clock.today() - timedelta(days=1),
                                   company_name="Bakkerij Zaak")
    case_path = f"/onderzoeken/{task.investigation_id}"
    case = await web.get(case_path)
    assert case.status_code == 200
    section = case.text[case.text.index('id="taken"'):case.text.index('id="termijnen"')]
    assert "Verbeterafspraken nagaan" in section and "voor Anna Adviseur" in section and "verlopen" in section
    response = await web.http.post(f"/taken/{task.id}/afgerond", data={"_csrf": csrf_of(case.text), "terug": case_path})
    assert response.status_code == 303 and response.headers["location"] == case_path
    after = (await web.get(case_path)).text
    assert "De taak is afgerond" in after and "Taak van de adviseur afgerond" in after  # on the timeline
    assert f"/taken/{task.id}/afgerond" not in after and "afgerond op " in after

    other = await make_adviser_task(runtime, adviser, due=None, company_name="Bakkerij Elders")
    elsewhere = await web.http.post(f"/taken/{other.id}/afgerond",
                                    data={"_csrf": csrf_of(after), "terug": "https://elders.example/"})
    assert elsewhere.headers["location"] == "/"  # never an address from outside


async def test_only_its_adviser_or_a_senior_marks_a_task_done(
    web: WebClient, tokens: TokenFactory, runtime: Runtime
) -> None:
    owner = await tokens.make(Role.ADVISER)
    task = await make_adviser_task(runtime, owner, due=None, company_name="Bakkerij Bezet")
    await web.sign_in_as(tokens, Role.ADVISER)
    refused = await _mark_done(web, task.id)
    assert "Deze taak kon niet worden afgerond" in refused
    async with runtime.session_factory() as session:
        assert (await session.get(AdviserTask, task.id)).done_at is None  # type: ignore[union-attr]
    await web.sign_out()
    await web.sign_in_as(tokens, Role.SENIOR_ADVISER)
    assert "De taak is afgerond" in await _mark_done(web, task.id)


async def test_outsiders_cannot_and_an_unknown_task_is_not_found(web: WebClient, tokens: TokenFactory, runtime: Runtime) -> None:
    owner = await tokens.make(Role.ADVISER)
    task = await make_adviser_task(runtime, owner, due=None, company_name="Bakkerij Buiten")
    for role, extra in ((Role.COMPANY, {}), (Role.SCHOOL, {"school_brin": "25LX"}), (Role.ADMIN, {})):
        await web.sign_in_as(tokens, role, **extra)
        start = await web.get("/")
        response = await web.http.post(f"/taken/{task.id}/afgerond", data={"_csrf": csrf_of(start.text)})
        assert response.status_code == 403, role
        await web.sign_out()
    await web.sign_in_as(tokens, Role.SENIOR_ADVISER)
    start = await web.get("/")
    missing = await web.http.post(f"/taken/{uuid4()}/afgerond", data={"_csrf": csrf_of(start.text)})
    assert missing.status_code == 404
    no_token = await web.http.post(f"/taken/{task.id}/afgerond", data={})
    assert no_token.status_code == 403


async def test_the_api_lists_and_completes_the_same_tasks(
    client: httpx.AsyncClient, tokens: TokenFactory, runtime: Runtime
) -> None:
    adviser = await tokens.make(Role.ADVISER)
    task = await make_adviser_task(runtime, adviser, due=date(2026, 1, 5), company_name="Bakkerij Api")
    listed = await client.get("/api/v1/backoffice/tasks", headers=adviser.headers)
    assert listed.status_code == 200 and [t["id"] for t in listed.json()] == [str(task.id)]
    done = await client.post(f"/api/v1/backoffice/tasks/{task.id}/done", headers=adviser.headers)
    assert done.status_code == 200 and done.json()["done_at"] is not None
    assert (await client.post(f"/api/v1/backoffice/tasks/{task.id}/done", headers=adviser.headers)).status_code == 409
    assert (await client.get("/api/v1/backoffice/tasks", headers=adviser.headers)).json() == []
    company = await tokens.make(Role.COMPANY)
    assert (await client.get("/api/v1/backoffice/tasks", headers=company.headers)).status_code == 403
