"""What companies, schools and the public do on their pages, as steps for browser tests.

Each step starts from the navigation (as a person would), fills in the form by its labels, submits
it and waits for the page that follows. Flows across audiences (a school passes a report on, an
adviser investigates, the company answers the hearing and later objects) are built from these:

    await school_passes_report_on(school_page, company_sbb_id=..., summary=..., narrative=...)
    ...
    await company_answers_hearing(company_page, "Wij werven voortaan anoniem.")
    await company_objects(company_page, "Erkenning geschorst", "Wij zijn het er niet mee eens.")

Also here: signing in through the form, screenshots as test artefacts, and the axe-core check of a page.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.factories import Principal

ROOT = Path(__file__).resolve().parents[3]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
LAPTOP = {"width": 1280, "height": 800}
TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}

_AXE_RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical' || v.id === 'landmark-unique')
    .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
}"""


async def _menu(page, label: str) -> None:
    """Follow a link of the main menu; on a phone, open the folded menu first."""
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    toggle = nav.get_by_role("button", name="Menu")
    if await toggle.is_visible() and await toggle.get_attribute("aria-expanded") == "false":
        await toggle.click()
    await nav.get_by_role("link", name=label, exact=True).click()


async def open_menu_item(page, label: str) -> None:
    """Follow a link of the main menu (on a phone the folded menu is opened first)."""
    await _menu(page, label)


async def school_verifies(page, *, company: str, crebo: str, pathway: str = "bol", on: str | None = None) -> str:
    """Check one company in the register; returns the answer as shown (a sentence starting Ja. or Nee.)."""
    await _menu(page, "Controleren")
    await page.get_by_label("Leerbedrijf-ID of vestigingsnummer").fill(company)
    await page.get_by_label("Crebo-code van de opleiding").fill(crebo)
    await page.get_by_label("Leerweg").select_option(pathway)
    if on is not None:
        await page.get_by_label("Op datum").fill(on)
    await page.get_by_role("button", name="Controleren").click()
    result = page.locator("section.result")
    await result.wait_for()
    return (await result.locator("p").inner_text()).strip()


async def school_checks_file(page, content: str, tmp_path: Path) -> str:
    """Upload a CSV file on "Bestand controleren"; returns the text of the answers file it downloads."""
    upload = tmp_path / "te-controleren.csv"
    upload.write_text(content, encoding="utf-8")
    await _menu(page, "Bestand controleren")
    await page.get_by_label("CSV-bestand").set_input_files(str(upload))
    async with page.expect_download() as downloading:
        await page.get_by_role("button", name="Controleren en antwoorden downloaden").click()
    download = await downloading.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(str(saved))
    return saved.read_text(encoding="utf-8")


async def school_passes_report_on(
    page, *, summary: str, ground: str = "ethnicity", incident_date: str = "2025-03-14",
    company_sbb_id: str | None = None, company_name: str | None = None, reference: str | None = None,
    reporter_name: str | None = None, narrative: str | None = None,
) -> None:
    """Pass a report from the school's reporting point on to SBB; ends on the page of the report passed on (SBB's
    reference, its term and the next step)."""
    await _menu(page, "Meldingen")
    await page.get_by_role("link", name="Melding doorgeven").click()
    if company_sbb_id:
        await page.get_by_label("Leerbedrijf-ID").fill(company_sbb_id)
    if company_name:
        await page.get_by_label("Naam van het bedrijf").fill(company_name)
    await page.get_by_label("Waar ging de discriminatie over?").select_option(ground)
    await page.get_by_label("Wanneer gebeurde het?").fill(incident_date)
    await page.get_by_label("Wat is er gebeurd, in het kort?").fill(summary)
    if reference:
        await page.get_by_label("Uw eigen zaaknummer").fill(reference)
    if reporter_name:
        await page.get_by_label("Naam van de melder").fill(reporter_name)
    if narrative:
        await page.get_by_label("Het verhaal van de student").fill(narrative)
    await page.get_by_role("button", name="Melding doorgeven").click()
    await page.wait_for_url(re.compile(r".*/school/meldingen/[0-9a-f-]{36}$"))


async def company_answers_hearing(page, answer: str) -> None:
    """Open the (first) request for the company's reaction that is still open, and answer it."""
    await _menu(page, "Reactieverzoeken")
    await page.get_by_role("row").filter(has_text="reactie gevraagd").get_by_role("link").first.click()
    await page.get_by_label("Uw reactie", exact=True).fill(answer)
    await page.get_by_role("button", name="Reactie versturen").click()
    await page.get_by_text("Uw reactie is ontvangen.").wait_for()


async def company_responds_to_intended_decision(page, decision: str, response: str) -> str:
    """Open the (first) decision titled `decision`, still an intended decision, read its letter's address,
    and give the company's response (zienswijze); the page's address is returned."""
    await _menu(page, "Besluiten")
    await page.get_by_role("link", name=decision).first.click()
    await page.get_by_text("Dit is een voornemen").wait_for()
    await page.get_by_role("link", name="Brief met het voornemen downloaden").wait_for()
    await page.get_by_label("Uw reactie (zienswijze)").fill(response)
    await page.get_by_role("button", name="Reactie versturen").click()
    await page.get_by_text("Uw reactie op het voornemen is ontvangen.").wait_for()
    return page.url


async def company_objects(page, decision: str, grounds: str, files: list[Path] | None = None) -> str:
    """Object to the (first) decision whose title is `decision` (e.g. "Erkenning geschorst"), with `files`
    attached: the form, the check of the answers, sending. Returns the objection's reference as shown."""
    await _menu(page, "Besluiten")
    await page.get_by_role("link", name=decision).first.click()
    await page.get_by_label("Waarom maakt u bezwaar?").fill(grounds)
    if files:
        await page.get_by_label("Bijlagen").set_input_files([str(f) for f in files])
    await page.get_by_role("button", name="Verder naar controleren").click()
    await page.get_by_role("heading", name="Controleer uw bezwaar").wait_for()
    await page.get_by_role("button", name="Bezwaar versturen").click()
    await page.get_by_text("Uw bezwaar is ontvangen.").wait_for()
    return (await page.locator("[data-reference]").inner_text()).strip()


async def company_enrols(page, *, course: str, trainer: str | None = None) -> tuple[str | None, str]:
    """Enrol in the first session of `course` open for enrolment, from the catalogue.

    Returns the warning the enrolment page gave before sending (a full session: the waiting list), if
    any, and the message shown after it on "Mijn cursussen".
    """
    await _menu(page, "Cursussen")
    section = page.locator("section.card").filter(has=page.get_by_role("heading", name=course))
    choose = section.get_by_role("link", name="Aanmelden").or_(section.get_by_role("link", name="Op de wachtlijst"))
    await choose.first.click()
    warning = page.locator("main .notification--warning")
    before = (await warning.inner_text()).strip() if await warning.count() else None
    if trainer:
        await page.get_by_label("Naam van de praktijkopleider die deelneemt").fill(trainer)
    await page.locator("main form button[type=submit]").click()
    await page.wait_for_url("**/portaal/deelnames")
    return before, (await page.locator("main .notification").first.inner_text()).strip()


async def report_anonymously(page, *, company_name: str, summary: str, ground: str = "ethnicity",
                             incident_date: str = "2025-03-14") -> str:
    """The public form without signing in; returns the receipt code shown (once)."""
    await page.goto("/melden")
    await page.get_by_label("Naam van het bedrijf").fill(company_name)
    await page.get_by_label("Waar ging de discriminatie over?").select_option(ground)
    await page.get_by_label("Wanneer gebeurde het?").fill(incident_date)
    await page.get_by_label("Wat is er gebeurd, in het kort?").fill(summary)
    await page.get_by_role("button", name="Melding versturen").click()
    return (await page.locator("[data-receipt]").inner_text()).strip()


# ---------------------------------------------------------------- signing in, screenshots, the accessibility check


async def sign_in(page, principal: Principal) -> None:
    """Through the sign-in form, as a person would."""
    await page.goto("/inloggen")
    await page.get_by_label("Toegangscode").fill(principal.token)
    await page.get_by_role("button", name="Inloggen").click()
    await page.wait_for_url(lambda url: "/inloggen" not in url)


async def screenshot(page, name: str) -> Path:
    """Save the whole page as a test artefact under artifacts/screenshots/ (not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def check(page, name: str) -> None:
    """Run axe on the page as it is now (critical, serious and `landmark-unique` findings fail) and save its
    screenshot; on a phone-sized viewport, also that nothing makes the page scroll sideways."""
    # A click that follows a link returns once the new page is committed, not parsed: without this wait
    # axe's script tag could be added before the page has a <head> (a failure seen once under load).
    await page.wait_for_load_state("domcontentloaded")
    await page.add_script_tag(path=str(AXE))
    violations = await page.evaluate(_AXE_RUN)
    await screenshot(page, name)
    assert violations == [], f"{name}: {violations}"
    if (page.viewport_size or {}).get("width", 1280) <= PHONE["width"]:
        assert await fits_sideways(page), f"{name}: the page scrolls sideways at {PHONE['width']} px"


async def fits_sideways(page) -> bool:
    """Nothing on the page sticks out to the right (no sideways scrolling)."""
    return bool(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))
