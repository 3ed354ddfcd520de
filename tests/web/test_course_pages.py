"""Course pages: the catalogue, planning sessions, enrolment and waiting list, attendance for a whole session."""

from __future__ import annotations

from datetime import timedelta

import httpx

from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from tests.factories import TokenFactory, make_company, post_course, post_session
from tests.helpers import WebClient, enrol, form_actions, post_form, scalar

UNKNOWN = "00000000-0000-4000-8000-000000000000"
COURSE = {
    "code": "WS-WERVING", "title": "Werven zonder vooroordelen", "description": "Objectief selecteren.",
    "format": "workshop", "topics": ["discrimination_free_recruitment"], "duration_minutes": "180", "active": "ja",
}


def _local(moment) -> str:
    return clock.local(moment).strftime("%Y-%m-%dT%H:%M")


async def test_adding_a_course_to_the_catalogue(web: WebClient, tokens: TokenFactory, runtime: Runtime) -> None:
    await web.sign_in_as(tokens, Role.ADVISER)
    empty = await post_form(web, "/cursussen/nieuw", "/cursussen/nieuw", {"code": "x", "duration_minutes": "0"})
    assert empty.status_code == 422
    for field in ("code", "title", "format", "topics", "duration-minutes"):
        assert f'href="#veld-{field}"' in empty.text
    added = await post_form(web, "/cursussen/nieuw", "/cursussen/nieuw", COURSE)
    assert added.status_code == 303
    page = await web.get(added.headers["location"])
    assert "De cursus staat in de catalogus." in page.text and "discriminatievrij werven en selecteren" in page.text
    again = await post_form(web, "/cursussen/nieuw", "/cursussen/nieuw", {**COURSE, "title": "Nog een"})
    assert again.status_code == 422 and "Er is al een cursus met deze code." in again.text
    listed = await web.get("/cursussen", params={"onderwerp": "discrimination_free_recruitment"})
    assert "Werven zonder vooroordelen" in listed.text and "1–1 van 1" in listed.text


async def test_changing_a_course_on_a_stale_version_shows_the_current_data(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient
) -> None:
    adviser = await web.sign_in_as(tokens, Role.ADVISER)
    course = await post_course(client, adviser, title="Oude titel")
    path = f"/cursussen/{course['id']}/wijzigen"
    edit = await web.get(path)
    assert 'value="discrimination_free_recruitment" checked' in edit.text and 'name="active" value="ja" checked' in edit.text
    data = {"title": "Nieuwe titel", "description": "", "topics": ["equal_opportunities"], "duration_minutes": "90",
            "active": "ja", "version": "1"}
    assert (await post_form(web, path, path, data)).status_code == 303
    stale = await post_form(web, path, path, {**data, "title": "Te laat"})
    assert stale.status_code == 409 and "intussen gewijzigd" in stale.text
    assert "Nieuwe titel" in stale.text and 'name="version" value="2"' in stale.text


async def test_planning_a_session_in_dutch_time(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    adviser = await web.sign_in_as(tokens, Role.ADVISER)
    course = await post_course(client, adviser)
    path = f"/cursussen/{course['id']}/bijeenkomsten/nieuw"
    starts = (clock.now() + timedelta(days=20)).replace(hour=12, minute=0)
    wrong = await post_form(web, path, path, {
        "starts_at": _local(starts), "ends_at": _local(starts - timedelta(hours=1)), "capacity": "12",
    })
    assert wrong.status_code == 422
    assert "De bijeenkomst eindigt na het begin." in wrong.text and 'href="#veld-ends-at"' in wrong.text
    nowhere = await post_form(web, path, path, {
        "starts_at": _local(starts), "ends_at": _local(starts + timedelta(hours=3)), "capacity": "12",
    })
    assert nowhere.status_code == 422 and 'href="#veld-location"' in nowhere.text
    planned = await post_form(web, path, path, {
        "starts_at": "2031-03-04T14:00", "ends_at": "2031-03-04T17:00", "location": "SBB, Zoetermeer", "capacity": "12",
    })
    assert planned.status_code == 303
    page = await web.get(planned.headers["location"])
    assert "4 maart 2031 14:00" in page.text and "0 van 12 bezet, 12 vrij" in page.text
    assert "De aanwezigheid legt u vast zodra de bijeenkomst is begonnen." in page.text
    # 14:00 in Amsterdam in March is 13:00 UTC.
    assert str(await scalar(runtime, "SELECT to_char(starts_at AT TIME ZONE 'UTC', 'HH24:MI') FROM course_session")) == "13:00"


async def test_a_full_session_shows_its_waiting_list_in_order(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    adviser = await web.sign_in_as(tokens, Role.ADVISER)
    course = await post_course(client, adviser)
    session = await post_session(client, adviser, course["id"], capacity=1)
    for name in ("Eerste BV", "Tweede BV", "Derde BV"):
        company = await tokens.make(Role.COMPANY, company_id=(await make_company(runtime, name=name)).id)
        assert (await enrol(client, company, session_id=session["id"], trainer_name=f"Trainer {name}")).status_code == 201
    page = (await web.get(f"/cursussen/bijeenkomsten/{session['id']}")).text
    assert "1 van 1 bezet, 0 vrij" in page and "Ingeschreven (1)" in page and "Wachtlijst (2)" in page
    assert page.index("Tweede BV") < page.index("Derde BV")
    assert "vol</span>" in page
    course_page = (await web.get(f"/cursussen/{course['id']}")).text
    assert "1 van 1" in course_page and "vol</span>" in course_page


async def test_attendance_for_the_whole_session_at_once(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    adviser = await web.sign_in_as(tokens, Role.ADVISER)
    course = await post_course(client, adviser)
    session = await post_session(client, adviser, course["id"], capacity=5, starts_in=timedelta(days=1))
    ids = []
    for name in ("Aanwezig BV", "Afwezig BV"):
        company = await tokens.make(Role.COMPANY, company_id=(await make_company(runtime, name=name)).id)
        ids.append((await enrol(client, company, session_id=session["id"])).json()["id"])
    path = f"/cursussen/bijeenkomsten/{session['id']}"
    assert f"{path}/aanwezigheid" not in form_actions((await web.get(path)).text)
    with clock.travel(timedelta(days=2)):
        await web.sign_in(adviser)  # two days later: a new session
        page = await web.get(path)
        assert f"{path}/aanwezigheid" in form_actions(page.text)
        assert f"{path}/annuleren" not in form_actions(page.text)
        first, second = (f"p_{i.replace('-', '')}" for i in ids)
        partial = await post_form(web, path, f"{path}/aanwezigheid", {first: "attended"})
        assert partial.status_code == 422 and "Kies of Afwezig BV aanwezig was." in partial.text
        assert 'value="attended" checked' in partial.text
        assert await scalar(runtime, "SELECT count(*) FROM participation WHERE status = 'enrolled'") == 2
        recorded = await post_form(web, path, f"{path}/aanwezigheid", {first: "attended", second: "no_show"})
        assert recorded.status_code == 303
        after = (await web.get(path)).text
        assert "De aanwezigheid is vastgelegd." in after and "niet verschenen</span>" in after
        late = await post_form(web, path, f"{path}/annuleren")
        assert late.status_code == 409 and "annuleren kan alleen daarvoor" in late.text
    statuses = {str(await scalar(runtime, "SELECT status FROM participation WHERE id = :id", id=i)) for i in ids}
    assert statuses == {"attended", "no_show"}


async def test_cancelling_a_session_cancels_everyone_on_it(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    adviser = await web.sign_in_as(tokens, Role.ADVISER)
    course = await post_course(client, adviser)
    session = await post_session(client, adviser, course["id"], capacity=1)
    for _ in range(2):
        company = await tokens.make(Role.COMPANY)
        assert (await enrol(client, company, session_id=session["id"])).status_code == 201
    path = f"/cursussen/bijeenkomsten/{session['id']}"
    cancelled = await post_form(web, path, f"{path}/annuleren")
    assert cancelled.status_code == 303
    page = (await web.get(path)).text
    assert "De bijeenkomst is geannuleerd." in page and "Afgemeld (2)" in page and "geannuleerd</span>" in page
    assert await scalar(runtime, "SELECT count(*) FROM participation WHERE status = 'cancelled'") == 2


async def test_courses_are_for_staff_and_an_unknown_session_is_404(web: WebClient, tokens: TokenFactory) -> None:
    await web.sign_in_as(tokens, Role.COMPANY)
    assert (await web.get("/cursussen")).status_code == 403
    await web.sign_out()
    await web.sign_in_as(tokens, Role.ADMIN)
    assert (await web.get("/cursussen")).status_code == 200
    assert (await web.get(f"/cursussen/bijeenkomsten/{UNKNOWN}")).status_code == 404
    assert (await web.get(f"/cursussen/{UNKNOWN}")).status_code == 404
