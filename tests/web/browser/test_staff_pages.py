"""SBB staff in a real browser: a report triaged and investigated through the pages, a proposal approved
by another senior adviser (never by its proposer); axe and screenshots of the main back-office pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from erkenning.core import clock
from erkenning.core.caller import Role
from tests.factories import (
    build_world,
    confidential,
    facts,
    heard_case,
    make_company,
    post_course,
    post_session,
    school_report,
)
from tests.helpers import drain_queue, enrol
from tests.web.browser.staff_steps import (
    approve,
    case_for_report,
    may_approve,
    propose,
    record_answer,
    request_hearing,
    show_confidential,
    triage_report,
)
from tests.web.browser.steps import AXE, TABLET, check, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
async def axe_pages(new_page):
    """A page that may run axe (the test's own script, which the pages' CSP would rightly refuse)."""
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: `make test` installs axe-core with npm (npm ci)")

    async def open_page(**kwargs):
        return await new_page(bypass_csp=True, **kwargs)

    return open_page


async def test_a_report_is_triaged_investigated_and_approved_by_another_senior(
    axe_pages, signed_in, tokens, client, runtime, settings
) -> None:
    company = await make_company(runtime, name="Autobedrijf Van Dam")
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    report = await school_report(client, school, {**facts(company), "confidential": confidential("b")})
    report_id = str(report["id"])

    adviser = await axe_pages()
    await signed_in(adviser, Role.ADVISER, name="Sanne Adviseur")
    await adviser.goto(f"/meldingen/{report_id}")
    await check(adviser, "report")
    await triage_report(adviser, report_id)
    await show_confidential(adviser, report_id)
    assert await adviser.get_by_text("Het verhaal van de student b").is_visible()
    await check(adviser, "report-confidential")

    await drain_queue(settings)  # the worker opens the case on the triaging adviser's name
    case_id = await case_for_report(runtime, report_id)
    await adviser.goto("/")
    await check(adviser, "start-adviser")
    await adviser.get_by_role("link", name="Autobedrijf Van Dam").first.click()
    await adviser.wait_for_url(f"**/onderzoeken/{case_id}")
    await check(adviser, "investigation-open")

    await request_hearing(adviser, case_id, "Hoe verliep de selectie van stagiairs in maart?")
    await record_answer(adviser, case_id, "Per brief: de kandidaat is afgewezen om zijn taalniveau.")
    # An improvement agreement without its measures: the service's objection lands on the field.
    await adviser.get_by_role("radio", name="verbeterafspraken", exact=True).check()
    await adviser.get_by_role("textbox", name="Bevindingen").fill("Selectie op naam is aannemelijk.")
    await adviser.get_by_role("button", name="Voorstel indienen").click()
    summary = adviser.locator(".error-summary")
    await summary.wait_for()
    assert "Beschrijf de verbeterafspraken." in await summary.inner_text()
    assert await adviser.get_by_role("textbox", name="Bevindingen").input_value() == "Selectie op naam is aannemelijk."
    await check(adviser, "investigation-proposal-errors")
    await propose(
        adviser, case_id, outcome="verbeterafspraken", findings="Selectie op naam is aannemelijk.",
        measures="Anoniem solliciteren; gesprek met de praktijkopleider.",
        follow_up_on=clock.today() + timedelta(days=90), topics=["discriminatievrij werven en selecteren"],
    )
    assert not await may_approve(adviser, case_id)  # an adviser, and the proposer: never

    senior = await axe_pages()
    await signed_in(senior, Role.SENIOR_ADVISER, name="Senior Twee")
    await senior.goto("/")
    approvals = senior.locator("section", has=senior.get_by_role("heading", name="Ter goedkeuring"))
    assert "Autobedrijf Van Dam" in await approvals.inner_text()
    await check(senior, "start-senior")
    await approve(senior, case_id)
    await drain_queue(settings)  # the worker carries the outcome out: follow-up scheduled, case closed
    await senior.reload()
    assert await senior.get_by_text("Controle van de verbeterafspraken gepland").is_visible()
    await check(senior, "investigation-closed")


async def test_the_reporting_side_is_asked_and_its_reaction_recorded_on_the_case_page(
    axe_page, signed_in, client, runtime
) -> None:
    page = axe_page
    adviser = await signed_in(page, Role.ADVISER, name="Sanne Adviseur")
    made = await heard_case(client, runtime, adviser, await make_company(runtime, name="Garage Oost"), phone=True)
    await page.goto(f"/onderzoeken/{made['case_id']}")
    await page.get_by_role("textbox", name="Vraag aan de meldende kant").fill(
        "Het bedrijf zegt dat het rooster vol was. Herkent de student dat?")
    await page.get_by_role("button", name="Vraag voorleggen").click()
    await page.get_by_text("De vraag is aan de meldende kant voorgelegd.").wait_for()
    assert not await page.get_by_role("button", name="Voorstel indienen").count()  # the term runs
    await check(page, "investigation-reporter-asked")
    await page.get_by_role("textbox", name="Reactie van de melder").fill("De student herkent dit niet.")
    await page.get_by_role("button", name="Reactie vastleggen").click()
    await page.get_by_text("De reactie van de meldende kant is vastgelegd.").wait_for()
    assert await page.get_by_role("button", name="Voorstel indienen").count() == 1
    await check(page, "investigation-reporter-reacted")


async def test_the_main_back_office_pages_pass_axe(axe_pages, tokens, client, runtime) -> None:
    world = await build_world(runtime, tokens)
    granted = await world.granted(on=clock.today() - timedelta(days=900))
    second = await world.granted("25181")
    await world.decide("suspend", [second], effective_until=clock.today() + timedelta(days=60))
    withdrawn = await world.decide("withdraw", [granted])
    objection = await client.post(f"/api/v1/portal/decisions/{withdrawn}/objections",
                                  json={"grounds": "Wij zijn het niet eens met de intrekking."},
                                  headers=world.company.headers)
    assert objection.status_code == 201, objection.text
    course = await post_course(client, world.adviser, title="Werven zonder vooroordelen")
    session = await post_session(client, world.adviser, course["id"], capacity=1)
    for _ in range(2):
        assert (await enrol(client, await tokens.make(Role.COMPANY), session_id=session["id"])).status_code == 201

    page = await axe_pages()
    await sign_in(page, world.senior2)
    pages = {
        "company-card-history": f"/bedrijven/{world.company_id}",
        "assessments": f"/erkenningen/{granted}/beoordeling",
        "reports": "/meldingen",
        "investigations": "/onderzoeken?wie=iedereen",
        "decisions": "/besluiten",
        "decision": f"/besluiten/{withdrawn}",
        "objections": "/bezwaren",
        "objection": f"/bezwaren/{objection.json()['id']}",
        "courses": "/cursussen",
        "course": f"/cursussen/{course['id']}",
        "course-session": f"/cursussen/bijeenkomsten/{session['id']}",
    }
    for name, path in pages.items():
        await page.goto(path)
        await check(page, name)
    await page.goto(f"/besluiten/nieuw?bedrijf={world.company_id}")
    await page.get_by_role("button", name="Concept opslaan").click()
    await page.locator(".error-summary").wait_for()
    await check(page, "decision-form-errors")
    await page.goto("/cursussen/nieuw")
    await page.get_by_role("button", name="Toevoegen").click()
    await page.locator(".error-summary").wait_for()
    await check(page, "course-form-errors")

    tablet = await axe_pages(viewport=TABLET)
    await sign_in(tablet, world.adviser)
    await tablet.goto(f"/bedrijven/{world.company_id}")
    await check(tablet, "company-card-history-tablet")
    assert await tablet.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
