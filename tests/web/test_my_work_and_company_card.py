"""The advisers' start page and the back office's company card with its history."""

from __future__ import annotations

from datetime import timedelta

import httpx
from dateutil.relativedelta import relativedelta

from erkenning.companies.models import Company
from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from tests.factories import (
    TokenFactory,
    World,
    assigned_report,
    facts,
    make_company,
    post_course,
    post_session,
    school_report,
    substantiated_case,
)
from tests.helpers import WebClient, enrol, post_form


def _section(page: str, title: str) -> str:
    start = page.index(f">{title}</h2>")
    end = page.find("<h2", start)
    return page[start:end if end >= 0 else None]


async def test_an_advisers_start_page_lists_cases_reports_and_reassessments(
    web: WebClient, world: World, client: httpx.AsyncClient, runtime: Runtime, tokens: TokenFactory
) -> None:
    adviser = world.adviser
    company = await make_company(runtime, name="Vishandel Schol")
    await substantiated_case(client, runtime, adviser, company)
    waiting = await assigned_report(client, adviser, await make_company(runtime, name="Kapper Krul"))
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    await school_report(client, school, facts(None, summary="Niet toegewezen melding"))
    due = clock.today() - relativedelta(years=4) + timedelta(days=20)
    await world.granted(on=due)
    await web.sign_in(adviser)
    page = (await web.get("/")).text

    cases = _section(page, "Mijn onderzoeken")
    assert "Vishandel Schol" in cases and "geopend</span>" in cases
    reports = _section(page, "Meldingen om te beoordelen")
    assert f'href="/meldingen/{waiting}"' in reports and "Niet toegewezen melding" in reports
    assert reports.index("Aan mij toegewezen") < reports.index(f"/meldingen/{waiting}") < reports.index("Nog niet toegewezen")
    reassessments = _section(page, "Herbeoordelingen binnenkort")
    assert "Kok" in reassessments and f'href="/bedrijven/{world.company_id}"' in reassessments
    assert ">Ter goedkeuring</h2>" not in page  # for senior advisers only


async def test_a_seniors_start_page_lists_what_waits_for_their_approval_not_their_own(
    web: WebClient, world: World, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    application = await world.application()
    await web.sign_in(world.adviser)
    path = f"/besluiten/nieuw?bedrijf={world.company_id}"
    drafted = await post_form(web, path, path, {
        "kind": "grant", "recognition_ids": [str(application)], "grounds": "Voldoet", "legal_basis": "WEB",
    })
    decision_id = drafted.headers["location"].rsplit("/", 1)[1]
    await web.sign_out()
    company = await make_company(runtime, name="Slagerij Worst")
    case_id = await substantiated_case(client, runtime, world.senior, company)
    await web.sign_in(world.senior)
    for slug, data in (("beoordelen", {"reason": "Duidelijk"}), ("voorstel", {"outcome": "unfounded", "findings": "Geen"})):
        assert (await post_form(web, f"/onderzoeken/{case_id}", f"/onderzoeken/{case_id}/{slug}", data)).status_code == 303
    own = _section((await web.get("/")).text, "Ter goedkeuring")
    assert f'href="/besluiten/{decision_id}"' in own
    assert f'href="/onderzoeken/{case_id}"' not in own  # proposed by this senior: four eyes
    await web.sign_out()
    await web.sign_in(world.senior2)
    other = _section((await web.get("/")).text, "Ter goedkeuring")
    assert f'href="/besluiten/{decision_id}"' in other and f'href="/onderzoeken/{case_id}"' in other
    assert "Slagerij Worst" in other


async def test_the_company_card_shows_its_history_and_for_advisers_its_reports_and_cases(
    web: WebClient, world: World, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    granted_on = clock.today() - timedelta(days=800)
    recognition = await world.granted(on=granted_on)
    await world.decide("suspend", [recognition], effective_until=clock.today() + timedelta(days=30))
    course = await post_course(client, world.adviser, title="Gelijke kansen op de werkvloer")
    session = await post_session(client, world.adviser, course["id"])
    assert (await enrol(client, world.company, session_id=session["id"])).status_code == 201
    async with runtime.session_factory() as db:
        company = await db.get(Company, world.company_id)
    await substantiated_case(client, runtime, world.adviser, company)

    await web.sign_in(world.adviser)
    card = (await web.get(f"/bedrijven/{world.company_id}")).text
    assert 'class="timeline__bar timeline__bar--active"' in card and 'class="timeline__bar timeline__bar--suspended"' in card
    table = card[card.index("Erkenningen en hun perioden"):]
    assert "geschorst</span>" in table and str(granted_on.year) in table
    assert "Schorsing" in card and "Toekenning" in card and "Gelijke kansen op de werkvloer" in card
    assert "Stagiair afgewezen na sollicitatiegesprek" in card  # its report
    assert ">Onderzoeken <span" in card and "Besluit opstellen" in card

    await web.sign_out()
    await web.sign_in(world.admin)
    admin_card = (await web.get(f"/bedrijven/{world.company_id}")).text
    assert "Stagiair afgewezen na sollicitatiegesprek" in admin_card
    assert ">Onderzoeken <span" not in admin_card and "Besluit opstellen" not in admin_card


async def test_a_company_with_nothing_yet_has_a_plain_card(web: WebClient, tokens: TokenFactory, runtime: Runtime) -> None:
    company = await make_company(runtime, name="Nieuw Bedrijf")
    await web.sign_in_as(tokens, Role.ADVISER)
    card = (await web.get(f"/bedrijven/{company.id}")).text
    assert "Dit bedrijf heeft (nog) geen erkenningen." in card and "<svg" not in card
    assert "Er zijn geen meldingen over dit bedrijf." in card and "Besluit opstellen" not in card


