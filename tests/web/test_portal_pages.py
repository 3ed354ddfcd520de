"""The company portal: recognitions in plain language, decisions, objecting, responding, hearing requests."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.letters import RENDERER
from erkenning.recognition.models import Pathway
from erkenning.recognition.services.decisions import DecisionService
from erkenning.vocabulary import long_date
from tests.factories import TokenFactory, World, as_caller, hearing_for, intended_withdrawal
from tests.helpers import WebClient, csrf_of, error_summary, scalar, value_of


@pytest.fixture
async def company(web: WebClient, world: World) -> World:
    """The world's company, signed in on `web`."""
    await web.sign_in(world.company)
    return world


async def _count(runtime: Runtime, table: str) -> int:
    async with runtime.engine.connect() as conn:
        return int((await conn.execute(sa.text(f"SELECT count(*) FROM {table}"))).scalar() or 0)


async def test_recognitions_are_told_in_plain_language(web: WebClient, company: World) -> None:
    today = clock.today()
    kok = await company.granted("25180", Pathway.BOL, on=date(2024, 3, 3))
    await company.qualification("25181", "Zelfstandig werkend kok", 3)
    await company.granted("25181", Pathway.BBL, on=date(2023, 1, 9))
    until = today + timedelta(days=90)
    await company.decide("suspend", [kok], effective_from=today, effective_until=until)
    page = (await web.get("/portaal/erkenningen")).text
    assert f"Erkenning voor Kok niveau 2 (BOL) geschorst sinds {long_date(today)}, tot {long_date(until)}." in page
    assert f"Vanaf {long_date(until)} weer erkend." in page
    assert "Erkend voor Zelfstandig werkend kok niveau 3 (BBL) sinds 9 januari 2023." in page
    start = (await web.get("/")).text
    assert "Uw erkenningen" in start and "Erkend voor Zelfstandig werkend kok niveau 3 (BBL)" in start


async def test_a_withdrawal_with_a_transition_period_is_announced(web: WebClient, company: World) -> None:
    recognition = await company.granted(on=date(2024, 3, 3))
    later = clock.today() + timedelta(days=120)
    await company.decide("withdraw", [recognition], effective_from=later)
    page = (await web.get("/portaal/erkenningen")).text
    assert "Erkend voor Kok niveau 2 (BOL) sinds 3 maart 2024." in page
    assert f"Wordt ingetrokken per {long_date(later)}." in page


async def test_portal_pages_are_for_companies_only(web: WebClient, tokens: TokenFactory) -> None:
    assert (await web.get("/portaal/besluiten")).headers["location"].startswith("/inloggen")
    await web.sign_in_as(tokens, Role.SCHOOL, school_brin="25LX")
    for path in ("/portaal/erkenningen", "/portaal/besluiten", "/portaal/reactieverzoeken", "/portaal/cursussen"):
        assert (await web.get(path)).status_code == 403, path


async def test_objecting_to_a_decision_is_checked_then_sent_and_confirmed_with_what_happens_next(
    web: WebClient, company: World, runtime: Runtime
) -> None:
    recognition = await company.granted(on=date(2024, 3, 3))
    decision = await company.decide("suspend", [recognition], until_reinstated=True)
    listed = (await web.get("/portaal/besluiten")).text
    assert "Erkenning geschorst" in listed and "Bezwaar tot en met" in listed
    path = f"/portaal/besluiten/{decision}"
    check = await web.submit(path, f"{path}/bezwaar", {"grounds": "Wij hebben wel een praktijkopleider."})
    assert check.status_code == 200 and "Controleer uw bezwaar" in check.text
    assert "Wij hebben wel een praktijkopleider." in check.text and "nog niet verstuurd" in check.text
    assert await _count(runtime, "objection") == 0  # checking is not sending
    sent = await web.http.post(f"{path}/bezwaar/versturen", data={
        "_csrf": csrf_of(check.text), "grounds": value_of(check.text, "grounds")})
    assert sent.status_code == 303 and sent.headers["location"].startswith("/portaal/bezwaren/")
    confirmation = (await web.get(sent.headers["location"])).text
    assert "Uw bezwaar is ontvangen" in confirmation and "Wij hebben wel een praktijkopleider." in confirmation
    assert "Wat gebeurt er nu?" in confirmation and "hoorzitting" in confirmation and "artikel 7:10 Awb" in confirmation
    assert "uiterlijk op" in confirmation
    page = (await web.get(path)).text
    assert "in behandeling" in page and f'action="/portaal/besluiten/{decision}/bezwaar"' not in page
    assert await _count(runtime, "objection") == 1


async def test_an_empty_objection_is_explained_and_nothing_is_filed(
    web: WebClient, company: World, runtime: Runtime
) -> None:
    decision = await company.decide("suspend", [await company.granted(on=date(2024, 3, 3))], until_reinstated=True)
    path = f"/portaal/besluiten/{decision}"
    response = await web.submit(path, f"{path}/bezwaar", {"grounds": "   "})
    assert response.status_code == 422
    assert 'href="#veld-grounds"' in error_summary(response.text) and "Schrijf op waarom u bezwaar maakt." in response.text
    assert await _count(runtime, "objection") == 0


async def test_an_objection_after_the_deadline_is_refused_naming_the_deadline(
    web: WebClient, company: World, runtime: Runtime
) -> None:
    decision = await company.decide("suspend", [await company.granted(on=date(2024, 3, 3))], until_reinstated=True)
    path = f"/portaal/besluiten/{decision}"
    form = await web.get(path)
    async with runtime.session_factory() as session:
        deadline = (await DecisionService(session, runtime.settings, RENDERER).get(decision, as_caller(company.adviser))).objection_deadline
    assert deadline is not None and f"tot en met {long_date(deadline)}" in form.text
    with clock.travel(deadline - clock.today() + timedelta(days=1)):
        await web.sign_in(company.company)  # six weeks on, the web session has long ended
        page = await web.get(path)
        assert "U kunt geen bezwaar meer maken." in page.text
        late = await web.http.post(f"{path}/bezwaar", data={"_csrf": csrf_of(page.text), "grounds": "Te laat."})
        assert late.status_code == 422 and "Controleer uw bezwaar" not in late.text
        late = await web.http.post(f"{path}/bezwaar/versturen", data={"_csrf": csrf_of(page.text), "grounds": "Te laat."})
        assert late.status_code == 422
        assert f"De bezwaartermijn is verstreken op {long_date(deadline)}" in late.text
        assert value_of(late.text, "grounds") == "Te laat."
    assert await _count(runtime, "objection") == 0


async def test_a_second_objection_while_one_is_pending_is_a_message_and_the_first_can_be_withdrawn(
    web: WebClient, company: World, runtime: Runtime
) -> None:
    decision = await company.decide("suspend", [await company.granted(on=date(2024, 3, 3))], until_reinstated=True)
    path = f"/portaal/besluiten/{decision}"
    form = await web.get(path)
    sent = await web.http.post(f"{path}/bezwaar/versturen", data={"_csrf": csrf_of(form.text), "grounds": "Eerste"})
    assert sent.status_code == 303
    second = await web.http.post(f"{path}/bezwaar", data={"_csrf": csrf_of(form.text), "grounds": "Tweede"})
    assert second.status_code == 409 and "U heeft al bezwaar gemaakt" in second.text
    again = await web.http.post(f"{path}/bezwaar/versturen", data={"_csrf": csrf_of(form.text), "grounds": "Tweede"})
    assert again.status_code == 409 and "U heeft al bezwaar gemaakt" in again.text
    assert await _count(runtime, "objection") == 1
    async with runtime.engine.connect() as conn:
        objection_id = (await conn.execute(sa.text("SELECT id FROM objection"))).scalar()
    mine = (await web.get(f"/portaal/bezwaren/{objection_id}")).text
    assert f'href="/portaal/bezwaren/{objection_id}/intrekken"' in mine
    question = await web.get(f"/portaal/bezwaren/{objection_id}/intrekken")
    assert "Weet u zeker dat u uw bezwaar" in question.text and "niet ongedaan maken" in question.text
    assert (await scalar(runtime, "SELECT status FROM objection")) == "pending"  # asking is not withdrawing
    withdrawn = await web.submit(f"/portaal/bezwaren/{objection_id}/intrekken", f"/portaal/bezwaren/{objection_id}/intrekken")
    assert withdrawn.status_code == 303
    assert "Uw bezwaar is ingetrokken." in (await web.get(path)).text
    assert (await scalar(runtime, "SELECT status FROM objection")) == "withdrawn"
    assert (await web.get(f"/portaal/bezwaren/{objection_id}/intrekken")).status_code == 303  # nothing left to ask


async def test_responding_to_an_intended_decision_once(web: WebClient, company: World, runtime: Runtime) -> None:
    decision = await intended_withdrawal(company, await company.granted(on=date(2024, 3, 3)))
    start = (await web.get("/")).text
    assert f'href="/portaal/besluiten/{decision}"' in start and "Voornemen tot intrekken van de erkenning" in start
    path = f"/portaal/besluiten/{decision}"
    page = await web.get(path)
    assert "Dit is een voornemen" in page.text and "Reactie versturen" in page.text
    # The company reads which recognition criterion SBB finds no longer met.
    assert "Erkenningsvoorwaarde waaraan niet (meer) zou worden voldaan" in page.text
    assert "Deskundige praktijkopleider" in page.text
    assert "SBB is van plan uw erkenning in te trekken." in page.text and "Zou ingaan op" in page.text
    assert "Erkenning ingetrokken" not in page.text and "Gaat in op" not in page.text  # never as if imposed
    response = await web.http.post(
        f"{path}/zienswijze", data={"_csrf": csrf_of(page.text), "text": "Wij zoeken al een nieuwe."}
    )
    assert response.status_code == 303
    after = (await web.get(path)).text
    assert "Uw reactie op het voornemen is ontvangen" in after and "Wij zoeken al een nieuwe." in after
    again = await web.http.post(f"{path}/zienswijze", data={"_csrf": csrf_of(page.text), "text": "Nog iets."})
    assert again.status_code == 409 and "U heeft al op dit voornemen gereageerd." in again.text
    async with runtime.engine.connect() as conn:
        text = (await conn.execute(sa.text("SELECT response_text FROM decision WHERE id = :id"), {"id": decision})).scalar()
    assert text == "Wij zoeken al een nieuwe."


async def test_another_companys_decision_is_not_found(web: WebClient, company: World, tokens: TokenFactory) -> None:
    other = await tokens.make(Role.COMPANY)
    recognition = await company.granted(company_id=other.company_id, on=date(2024, 3, 3))
    decision = await company.decide("suspend", [recognition], until_reinstated=True)
    own = await company.decide("suspend", [await company.granted(on=date(2024, 3, 3))], until_reinstated=True)
    assert (await web.get(f"/portaal/besluiten/{decision}")).status_code == 404
    page = await web.get(f"/portaal/besluiten/{own}")
    refused = await web.http.post(f"/portaal/besluiten/{decision}/bezwaar",
                                  data={"_csrf": csrf_of(page.text), "grounds": "x"})
    assert refused.status_code == 404


async def test_answering_a_hearing_request_before_the_deadline(
    web: WebClient, company: World, runtime: Runtime
) -> None:
    case_id = await hearing_for(runtime, company.company_id, company.senior, "Wat is uw kant van het verhaal?")
    start = (await web.get("/")).text
    assert f'href="/portaal/reactieverzoeken/{case_id}"' in start
    path = f"/portaal/reactieverzoeken/{case_id}"
    page = await web.get(path)
    assert "Wat is uw kant van het verhaal?" in page.text and "Reageer vóór" in page.text
    empty = await web.http.post(path, data={"_csrf": csrf_of(page.text), "answer": ""})
    assert empty.status_code == 422 and "Schrijf uw reactie op." in empty.text
    response = await web.http.post(path, data={"_csrf": csrf_of(page.text), "answer": "Wij werven anoniem."})
    assert response.status_code == 303
    after = (await web.get(path)).text
    assert "Uw reactie is ontvangen" in after and "Wij werven anoniem." in after and "Reactie versturen" not in after
    late = await web.http.post(path, data={"_csrf": csrf_of(page.text), "answer": "Nog een keer."})
    assert late.status_code == 409 and "Reageren kan niet meer" in late.text
    async with runtime.engine.connect() as conn:
        row = (await conn.execute(sa.text("SELECT status, hearing_answer FROM investigation"))).one()
    assert row == ("assessment", "Wij werven anoniem.")


async def test_a_company_never_sees_another_companys_hearing(web: WebClient, company: World, runtime, tokens) -> None:
    other = await tokens.make(Role.COMPANY)
    case_id = await hearing_for(runtime, other.company_id, company.senior, "Vraag aan een ander")
    assert (await web.get(f"/portaal/reactieverzoeken/{case_id}")).status_code == 404
    assert "Vraag aan een ander" not in (await web.get("/portaal/reactieverzoeken")).text


async def test_the_company_downloads_the_letter_of_its_intended_and_of_its_sent_decision(
    web: WebClient, company: World, runtime: Runtime, tokens: TokenFactory
) -> None:
    decision = await intended_withdrawal(company, await company.granted(on=date(2024, 3, 3)))
    page = (await web.get(f"/portaal/besluiten/{decision}")).text
    assert f'href="/portaal/besluiten/{decision}/brief"' in page and "Brief met het voornemen downloaden" in page
    letter = await web.get(f"/portaal/besluiten/{decision}/brief")
    assert letter.status_code == 200 and letter.headers["content-disposition"].endswith('-V.html"')
    assert "SBB is van plan" in letter.text
    sent = await company.decide("suspend", [await company.granted("25181", on=date(2024, 3, 3))],
                                until_reinstated=True)
    page = (await web.get(f"/portaal/besluiten/{sent}")).text
    assert "Brief met het besluit downloaden" in page
    downloaded = await web.get(f"/portaal/besluiten/{sent}/brief")
    async with runtime.engine.connect() as conn:
        stored = (await conn.execute(sa.text("SELECT html FROM letter WHERE decision_id = :id AND kind = 'decision'"),
                                     {"id": str(sent)})).scalar()
    assert downloaded.content == stored.encode()
    other = await tokens.make(Role.COMPANY)
    foreign = await company.decide("suspend", [await company.granted(company_id=other.company_id, on=date(2024, 3, 3))],
                                   until_reinstated=True)
    assert (await web.get(f"/portaal/besluiten/{foreign}/brief")).status_code == 404
