"""The advisers' journey through the pages only, on a laptop and on a phone (390 px wide):

an adviser enters a report received by phone ("Nieuwe melding"), takes it, assesses it as substantiated and
follows the link to the case the worker opened; asks the company for its side and records its answer;
proposes a suspension (the form shows the fields of that outcome only, and every error at once); a senior
adviser finds the proposal on "Mijn werk", reads its scope and the intended decision's letter, approves it
and sees the result; the worker puts the intended decision to the company, and the case links to it.

No API call: preconditions (the company, its recognition, the people) come from factories and the worker
runs in burst mode, as it runs beside the app. On every page reached axe finds nothing critical or serious
and no duplicate landmark (`landmark-unique`), and the page does not scroll sideways.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.recognition.models import RecognitionStatus
from erkenning.vocabulary import long_date
from tests.factories import make_company, make_recognition
from tests.helpers import drain_queue
from tests.web.browser.steps import AXE, LAPTOP, PHONE, check, fits_sideways, open_menu_item

pytestmark = pytest.mark.browser

async def _inspect(page, name: str) -> None:
    """axe (nothing critical, serious or `landmark-unique`) and the screenshot; and at any width, not only a
    phone's, that the page does not scroll sideways."""
    await check(page, name)
    assert await fits_sideways(page), f"{name} scrolls sideways at {page.viewport_size['width']} px"


async def _press(page, button: str, confirmation: str) -> None:
    await page.get_by_role("button", name=button).click()
    await page.get_by_text(confirmation).wait_for()


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
async def test_an_adviser_takes_a_phoned_in_report_to_an_intended_decision_through_the_pages(
    new_page, signed_in, runtime, settings, viewport
) -> None:
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: `make test` installs axe-core with npm (npm ci)")
    size = "phone" if viewport is PHONE else "laptop"
    company = await make_company(runtime, name="Bakkerij De Korenschoof", email="info@korenschoof.example")
    await make_recognition(runtime, company, [(RecognitionStatus.ACTIVE, clock.today() - timedelta(days=500), None)],
                           crebo="25180", qualification="Kok", level=2)

    # Intake: the report came in by phone two days ago.
    adviser = await new_page(viewport=viewport, bypass_csp=True)
    await signed_in(adviser, Role.ADVISER, name="Sanne Adviseur")
    await _inspect(adviser, f"journey-{size}-01-my-work")
    await open_menu_item(adviser, "Meldingen")
    await _inspect(adviser, f"journey-{size}-02-reports")
    await adviser.get_by_role("link", name="Nieuwe melding").click()
    await _inspect(adviser, f"journey-{size}-03-new-report")
    await adviser.get_by_role("button", name="Melding invoeren").click()  # empty: every error at once
    summary = adviser.locator("[data-error-summary]")
    await summary.wait_for()
    assert await summary.get_by_role("link").count() >= 5
    await _inspect(adviser, f"journey-{size}-04-new-report-errors")
    await adviser.get_by_role("radio", name="Telefoon").check()
    await adviser.get_by_label("Datum van ontvangst").fill((clock.today() - timedelta(days=2)).isoformat())
    await adviser.get_by_label("Leerbedrijf-ID").fill(company.sbb_id)
    await adviser.get_by_label("Waar ging de discriminatie over?").select_option("ethnicity")
    await adviser.get_by_label("Wanneer gebeurde het?").fill((clock.today() - timedelta(days=6)).isoformat())
    await adviser.get_by_label("Wat is er gebeurd, in het kort?").fill("Stagiair afgewezen na het noemen van zijn achternaam")
    await adviser.get_by_label("Het verhaal van de student").fill("De moeder belde: het gesprek duurde twee minuten.")
    await _press(adviser, "Melding invoeren", "De melding is ingevoerd.")
    await _inspect(adviser, f"journey-{size}-05-report")
    report_url = adviser.url

    # Assessment (beoordeling): take it, start, substantiated; the worker opens the case.
    await _press(adviser, "Melding oppakken", "De melding is toegewezen.")
    await _press(adviser, "Beoordeling starten", "De beoordeling van de melding is gestart.")
    await _inspect(adviser, f"journey-{size}-06-assessment")
    await adviser.get_by_role("radio", name="gegrond", exact=True).check()
    await adviser.get_by_role("textbox", name="Motivering").fill("Aannemelijk: het verhaal is concreet en recent.")
    await _press(adviser, "Uitkomst vastleggen", "De uitkomst van de beoordeling is vastgelegd.")
    await drain_queue(settings)
    await adviser.goto(report_url)
    case_link = adviser.get_by_role("region", name="Onderzoek bij deze melding").get_by_role("link")
    await _inspect(adviser, f"journey-{size}-07-report-with-case")
    await case_link.click()
    await adviser.get_by_role("heading", name="Onderzoek naar Bakkerij De Korenschoof").wait_for()
    await _inspect(adviser, f"journey-{size}-08-case")
    assert await adviser.get_by_role("link", name=long_date(clock.today() - timedelta(days=2))).count()  # back to it

    # Hearing: the question, and the answer the company gave by phone.
    await adviser.get_by_role("textbox", name="Vraag aan het bedrijf").fill("Waarom is de stagiair afgewezen?")
    await _press(adviser, "Vraag versturen", "De vraag is naar het bedrijf verstuurd.")
    await drain_queue(settings)
    await adviser.get_by_role("textbox", name="Reactie van het bedrijf").fill("Per telefoon: het rooster was vol.")
    await _press(adviser, "Reactie vastleggen", "De reactie van het bedrijf is vastgelegd.")
    await _inspect(adviser, f"journey-{size}-09-heard")

    # Proposal: only the fields of the outcome chosen; every error at once.
    improvement = adviser.get_by_role("group", name="Bij verbeterafspraken")
    measure = adviser.get_by_role("group", name="Bij schorsing of intrekking")
    assert not await improvement.is_visible() and not await measure.is_visible()
    await adviser.get_by_role("radio", name="schorsing van de erkenning", exact=True).check()
    assert await measure.is_visible() and not await improvement.is_visible()
    await adviser.get_by_role("button", name="Voorstel indienen").click()
    await adviser.get_by_text("Er zijn 4 fouten in het formulier").wait_for()
    await _inspect(adviser, f"journey-{size}-10-proposal-errors")
    starts = clock.today() + timedelta(days=21)
    await adviser.get_by_role("textbox", name="Bevindingen").fill("Afwijzing op grond van afkomst is aannemelijk.")
    await adviser.get_by_role("checkbox", name="Kok (25180, BOL), nu erkend").check()
    await adviser.get_by_label("Ingangsdatum").fill(starts.isoformat())
    await adviser.get_by_label("Lopende stages en leerbanen mogen doorgaan tot en met").fill(
        (starts + timedelta(days=60)).isoformat())
    await _press(adviser, "Voorstel indienen", "Het voorstel is ingediend.")
    await _inspect(adviser, f"journey-{size}-11-proposed")

    # Approval by a senior adviser, who reads the scope and the letter first.
    senior = await new_page(viewport=viewport, bypass_csp=True)
    await signed_in(senior, Role.SENIOR_ADVISER, name="Pieter Senior")
    await senior.get_by_role("link", name="Voorstel in het onderzoek naar Bakkerij De Korenschoof").click()
    scope = senior.get_by_role("region", name="Erkenningen in het voorstel")
    assert "crebo 25180, niveau 2" in await scope.inner_text() and "geschorst" in await scope.inner_text()
    await senior.get_by_role("heading", name="De brief met het voornemen, zoals het bedrijf hem na goedkeuring krijgt").wait_for()
    assert "Afwijzing op grond van afkomst is aannemelijk." in await senior.locator(".letter-preview").inner_text()
    await _inspect(senior, f"journey-{size}-12-approval")
    await _press(senior, "Voorstel goedkeuren", "Het voorstel is goedgekeurd en wordt uitgevoerd.")
    await _inspect(senior, f"journey-{size}-13-approved")

    # The intended decision: the worker puts it to the company; the page shows it without a reload and says so.
    await drain_queue(settings)
    await senior.get_by_role("status").filter(has_text="Het voorstel is uitgevoerd").wait_for(timeout=30_000)
    await senior.get_by_role("link", name="Besluit bekijken").click()
    await senior.get_by_role("heading", name="Besluit: schorsing", exact=True).wait_for()
    await senior.get_by_text("voornemen", exact=False).first.wait_for()
    await _inspect(senior, f"journey-{size}-14-intended-decision")
