"""The learning company's journey in the browser, through pages only (issue 18, "How it is checked"): it
answers SBB's hearing request, reads the voornemen and responds, reads the decision letter that follows,
objects with an attachment (form, check, send) and gets its reference and what happens next; it reads its
recognition history and starts an e-learning. Walked at laptop width and at 390 px: no page scrolls
sideways, and axe finds nothing critical or serious and no `landmark-unique` on any page reached.

Preconditions the company does not make itself come from the factories: its recognition, the case with
the hearing request, the voornemen, and — after its response — the senior adviser's approval and sending.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from erkenning.core.runtime import Runtime
from erkenning.letters import RENDERER
from erkenning.recognition.services.decisions import DecisionService
from tests.factories import World, as_caller, hearing_for, intended_withdrawal, make_course
from tests.web.browser.steps import (
    AXE,
    LAPTOP,
    PHONE,
    check,
    company_answers_hearing,
    company_objects,
    company_responds_to_intended_decision,
    fits_sideways,
    open_menu_item,
    sign_in,
)

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"



class Walk:
    """The pages reached, each checked the moment it is reached: axe (critical, serious and `landmark-unique`
    findings fail), no sideways scrolling at this width, and a screenshot."""

    def __init__(self, page, width: str) -> None:
        self.page, self.width, self.seen = page, width, []

    async def check(self, name: str) -> None:
        await self.page.wait_for_load_state("domcontentloaded")
        await check(self.page, f"company-journey-{self.width}-{name}")
        assert await fits_sideways(self.page), f"{name} at {self.width} scrolls sideways"
        self.seen.append(name)


async def _approve_and_send(world: World, decision_id: str) -> None:
    """What SBB does after the response: a senior adviser approves (having read it) and sends."""
    async with world.runtime.transaction() as session:
        service = DecisionService(session, world.runtime.settings, RENDERER)
        await service.approve(decision_id, as_caller(world.senior), response_read=True)
        await service.send(decision_id, as_caller(world.senior))


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "390px"])
async def test_the_company_answers_responds_reads_objects_with_an_attachment_and_gets_a_reference(
    new_page, world: World, runtime: Runtime, tmp_path: Path, viewport: dict[str, int]
) -> None:
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: `make test` installs axe-core with npm (npm ci)")
    page = await new_page(viewport=viewport, bypass_csp=True)  # axe is injected as a script of the test's own
    walk = Walk(page, "390px" if viewport is PHONE else "laptop")
    recognition = await world.granted()
    await hearing_for(runtime, world.company_id, world.senior, "Hoe werft u stagiairs?")
    decision = await intended_withdrawal(world, recognition)
    await make_course(runtime, title="Gelijke kansen online", format="e_learning",
                      online_url="https://leren.example.nl/gelijke-kansen")

    await sign_in(page, world.company)
    await page.get_by_role("heading", name="Gevraagd van u").wait_for()
    await walk.check("start")

    await page.get_by_role("link", name="SBB vraagt uw reactie").click()
    await walk.check("hearing")
    await company_answers_hearing(page, "Wij werven voortaan anoniem en met een vaste vragenlijst.")
    await walk.check("hearing-answered")

    await open_menu_item(page, "Besluiten")
    await walk.check("decisions-with-voornemen")
    await page.get_by_role("link", name="Voornemen tot intrekken van de erkenning").click()
    await page.get_by_text("SBB is van plan uw erkenning in te trekken.").wait_for()
    await walk.check("voornemen")
    await company_responds_to_intended_decision(page, "Voornemen tot intrekken van de erkenning",
                                                "Wij hebben een nieuwe praktijkopleider aangesteld.")
    await walk.check("voornemen-answered")

    await _approve_and_send(world, decision)
    await open_menu_item(page, "Besluiten")
    await walk.check("decisions")
    await page.get_by_role("link", name="Erkenning ingetrokken").click()
    letter = page.get_by_role("region", name="De brief met het besluit")
    await letter.get_by_text("Bezwaar maken", exact=True).wait_for()
    assert "Overgangsregeling" in await page.locator("main").inner_text()
    async with page.expect_download() as download:
        await page.get_by_role("link", name="Brief met het besluit downloaden").click()
    assert (await download.value).suggested_filename.endswith(".html")
    await walk.check("decision-letter")

    evidence = tmp_path / "verklaring praktijkopleider.pdf"
    evidence.write_bytes(PDF)
    await open_menu_item(page, "Besluiten")
    await page.get_by_role("link", name="Erkenning ingetrokken").click()
    await page.get_by_label("Waarom maakt u bezwaar?").fill("De praktijkopleider is vervangen; zie de verklaring.")
    await page.get_by_label("Bijlagen").set_input_files([str(evidence)])
    await page.get_by_role("button", name="Verder naar controleren").click()
    await page.get_by_role("heading", name="Controleer uw bezwaar").wait_for()
    assert "verklaring praktijkopleider.pdf" in await page.locator("main").inner_text()
    await walk.check("objection-check")
    await page.get_by_role("button", name="Wijzigen").click()
    await page.get_by_text("verklaring praktijkopleider.pdf").wait_for()  # the file stays while the text changes
    await walk.check("objection-change")
    reference = await company_objects(page, "Erkenning ingetrokken",
                                      "De praktijkopleider is vervangen; zie de verklaring.")
    assert reference
    confirmation = await page.locator("main").inner_text()
    assert "Wat gebeurt er nu?" in confirmation and "hoorzitting" in confirmation
    assert "verklaring praktijkopleider.pdf" in confirmation
    await walk.check("objection-confirmation")

    await page.get_by_role("link", name="Bezwaar intrekken").click()
    await page.get_by_text("Weet u zeker dat u uw bezwaar").wait_for()
    await walk.check("objection-withdraw-question")
    await page.get_by_role("link", name="Nee, terug naar mijn bezwaar").click()
    await page.get_by_text("Wat gebeurt er nu?").wait_for()

    await open_menu_item(page, "Erkenningen")
    await page.get_by_text("Geschiedenis").first.click()
    await page.get_by_text("nu", exact=True).first.wait_for()
    await walk.check("recognitions")

    await open_menu_item(page, "Cursussen")
    await walk.check("courses")
    await page.get_by_role("link", name="Aanmelden voor Gelijke kansen online").click()
    await walk.check("enrol")
    await page.locator("main form button[type=submit]").click()
    await page.wait_for_url("**/portaal/deelnames")
    start = page.get_by_role("link", name="Start de e-learning Gelijke kansen online")
    assert await start.get_attribute("href") == "https://leren.example.nl/gelijke-kansen"
    await walk.check("participations")
    assert len(walk.seen) == 16
