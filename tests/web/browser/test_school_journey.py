"""In a real browser, through pages only: a school checks a company by KvK number and by part of the name plus
town, opens the card and its "Controleer" link, downloads a batch CSV with Dutch column names and passes a report
on (reference, term, next step); the public searches the register and reads a not-found answer that is about the
search. Each journey at laptop width and at 390 px: no page scrolls sideways, and axe finds nothing critical,
serious or `landmark-unique` on any page reached."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from erkenning.core.caller import Role
from erkenning.recognition.models import Pathway
from erkenning.recognition.models import RecognitionStatus as S
from tests.factories import make_company, make_recognition
from tests.web.browser.steps import (
    AXE,
    LAPTOP,
    PHONE,
    check,
    open_menu_item,
    school_checks_file,
    school_passes_report_on,
)

pytestmark = pytest.mark.browser

WIDTHS = [pytest.param(LAPTOP, id="laptop"), pytest.param(PHONE, id="390px")]


async def page_is_fine(page, name: str) -> None:
    """The shared check (axe: critical, serious, landmark-unique; at 390 px no sideways scrolling), per width."""
    await check(page, f"{name}-{page.viewport_size['width']}")


async def _search_by_number(page, number: str) -> None:
    await page.get_by_label("KvK-nummer, vestigingsnummer of leerbedrijf-ID").fill(number)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Zoeken op nummer").click()
    await page.get_by_role("heading", name="Zoekresultaat").wait_for()


async def _search_by_name(page, name: str, town: str) -> None:
    await page.get_by_label("Naam of een deel ervan").fill(name)
    await page.get_by_role("textbox", name="Plaats").fill(town)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Zoeken op naam").click()
    await page.get_by_role("heading", name="Zoekresultaat").wait_for()


async def _bakery(runtime):
    bakery = await make_company(runtime, name="Bakkerij De Korenschoof", city="Utrecht", postcode="3511 AB",
                                kvk_number="61234567")
    await make_recognition(runtime, bakery, [(S.ACTIVE, date(2024, 3, 3), None)])
    await make_recognition(runtime, bakery, [(S.ACTIVE, date(2023, 9, 1), None)], crebo="25200",
                           qualification="Autotechnicus", level=3, pathway=Pathway.BBL)
    await make_company(runtime, name="Korenschoof Catering", city="Amersfoort")
    return bakery


@pytest.mark.parametrize("viewport", WIDTHS)
async def test_a_school_finds_checks_downloads_and_passes_a_report_on(
    new_page, signed_in, runtime, tmp_path, viewport
) -> None:
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: `make test` installs axe-core with npm (npm ci)")
    bakery = await _bakery(runtime)
    page = await new_page(viewport=viewport, bypass_csp=True)  # axe is a script of the test's own
    await signed_in(page, Role.SCHOOL, name="ROC Midden")

    # By KvK number, in the register's one number field; focus lands on the results.
    await open_menu_item(page, "Register")
    await page_is_fine(page, "school-register")
    await _search_by_number(page, "6123 4567")
    assert await page.evaluate("document.activeElement.dataset.results !== undefined")
    results = page.locator("[data-results]")
    assert "1 leerbedrijf gevonden met KvK-nummer of leerbedrijf-ID 61234567." in await results.inner_text()
    assert "gevonden op KvK-nummer" in await results.inner_text()
    await page_is_fine(page, "school-register-by-kvk")

    # By part of the name plus town: only the bakery in Utrecht, not the caterer in Amersfoort.
    await _search_by_name(page, "koren", "utrecht")
    names = await page.locator(".result-list__name").all_inner_texts()
    assert names == ["Bakkerij De Korenschoof"]
    await page_is_fine(page, "school-register-by-name")

    # The card: each recognition's crebo, qualification, level and pathway, with a "Controleer" link.
    await page.get_by_role("link", name="Bakkerij De Korenschoof").click()
    await page.get_by_role("heading", name="Bakkerij De Korenschoof", level=1).wait_for()
    rows = [" ".join((await row.inner_text()).split()) for row in await page.locator("tbody tr").all()]
    assert len(rows) == 2
    assert all(part in rows[0] for part in ("25180", "Kok", "2", "BOL", "3 maart 2024", "Controleer")), rows[0]
    assert all(part in rows[1] for part in ("25200", "Autotechnicus", "3", "BBL", "1 september 2023")), rows[1]
    await page_is_fine(page, "school-card")
    await page.get_by_role("link", name="Controleer Autotechnicus niveau 3 (BBL)").click()
    answer = page.locator("section.result")
    await answer.wait_for()
    assert (await answer.locator("p").inner_text()).startswith(
        "Ja. Bakkerij De Korenschoof is vandaag erkend voor Autotechnicus niveau 3 (BBL) sinds 1 september 2023"
    )
    assert "/school/controleren" in page.url
    await page_is_fine(page, "school-verify-from-card")

    # A whole file, with the Dutch column names in and out.
    await open_menu_item(page, "Bestand controleren")
    await page_is_fine(page, "school-batch")
    answers = await school_checks_file(page, (
        "leerbedrijf;crebo;leerweg;datum\n"
        f"{bakery.sbb_id};25180;bol;01-05-2025\n"
        f"{bakery.establishment_number};25200;BBL;\n"
    ), tmp_path)
    table = list(csv.reader(io.StringIO(answers), delimiter=";"))
    assert table[0] == ["regel", "leerbedrijf", "crebo", "leerweg", "datum", "erkend", "status", "sinds", "tot",
                        "lopende_stages_tot"]
    assert [(r[0], r[5], r[6], r[7]) for r in table[1:]] == [
        ("2", "ja", "erkend", "2024-03-03"), ("3", "ja", "erkend", "2023-09-01"),
    ]

    # Passing a report on: SBB's reference, the term within which SBB acts, and the next step.
    await open_menu_item(page, "Meldingen")
    await page_is_fine(page, "school-reports")
    await page.get_by_role("link", name="Melding doorgeven").click()
    await page_is_fine(page, "school-report-form")
    await school_passes_report_on(page, summary="Stage geweigerd na het noemen van een hoofddoek.",
                                  company_sbb_id=bakery.sbb_id, ground="religion", reference="MP-2026/031")
    heading = await page.get_by_role("heading", level=1).inner_text()
    reference = re.fullmatch(r"Melding (SBB-M-\d{4}-\d{6})", heading.strip())
    assert reference is not None, heading
    term = await page.locator("[data-term]").inner_text()
    assert re.match(r"SBB beoordeelt de melding binnen 10 werkdagen: uiterlijk op \d{1,2} \w+ \d{4}\.", term), term
    assert (await page.locator("[data-next-step]").inner_text()).startswith("Eerst beoordeelt SBB de melding")
    await page_is_fine(page, "school-report-passed-on")
    await page.get_by_role("link", name="Terug naar de meldingen").click()
    assert await page.get_by_role("link", name=reference.group(1)).is_visible()
    await page_is_fine(page, "school-reports-after")


@pytest.mark.parametrize("viewport", WIDTHS)
async def test_the_public_searches_the_register_and_a_not_found_is_about_the_search(
    new_page, runtime, viewport
) -> None:
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: `make test` installs axe-core with npm (npm ci)")
    bakery = await _bakery(runtime)
    page = await new_page(viewport=viewport, bypass_csp=True)
    await page.goto("/")
    await open_menu_item(page, "Register")
    await page_is_fine(page, "public-register")

    await _search_by_number(page, "49999999")
    nothing = await page.locator("[data-results]").inner_text()
    assert "Er staat geen leerbedrijf in het register met KvK-nummer of leerbedrijf-ID 49999999." in nothing
    assert "zoek op een deel van de naam en de plaats" in nothing and "niet erkend" not in nothing.lower()
    await page_is_fine(page, "public-register-not-found-number")

    await _search_by_name(page, "Korenschoof Bakkerij", "Zeist")
    nothing = await page.locator("[data-results]").inner_text()
    assert "Er staat geen leerbedrijf in het register met ‘Korenschoof Bakkerij’ in de naam in Zeist." in nothing
    assert "Zoek ook eens zonder plaats" in nothing and "niet erkend" not in nothing.lower()
    await page_is_fine(page, "public-register-not-found-name")

    await _search_by_name(page, "Korenschoof Bakkerij", "")
    await page.get_by_role("link", name="Bakkerij De Korenschoof").click()
    await page_is_fine(page, "public-card")
    await page.get_by_role("link", name="Controleer Kok niveau 2 (BOL)").click()
    answer = page.locator("section.result")
    await answer.wait_for()
    assert (await answer.locator("p").inner_text()).startswith(
        "Ja. Bakkerij De Korenschoof is vandaag erkend voor Kok niveau 2 (BOL) sinds 3 maart 2024"
    )
    assert "/register/controleren" in page.url and bakery.sbb_id in page.url
    await page_is_fine(page, "public-verify")

    # A malformed number is explained at its field, the value kept.
    await page.goto("/register")
    await page.get_by_label("KvK-nummer, vestigingsnummer of leerbedrijf-ID").fill("12-abc")
    await page.get_by_role("button", name="Zoeken op nummer").click()
    assert await page.get_by_role("alert").filter(has_text="Vul alleen cijfers in").is_visible()
    await page_is_fine(page, "public-register-error")
