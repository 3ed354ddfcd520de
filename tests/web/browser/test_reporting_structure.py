"""The reporting structure in a browser: a school keeps its reporting point, an adviser checks it and sees the
schools without one, and a student finds it with the regional ADV on the report page — axe-checked."""

from __future__ import annotations

import pytest

from erkenning.core.caller import Role
from tests.web.browser.steps import check

pytestmark = pytest.mark.browser


async def test_school_adviser_and_student_through_the_reporting_structure(
    axe_page, signed_in, tokens, shipped_advs
) -> None:
    await signed_in(axe_page, Role.SCHOOL, school_brin="25LX")
    await axe_page.goto("/school/meldpunt")
    await check(axe_page, "school-reporting-point-new")
    await axe_page.get_by_label("Naam van de school").fill("ROC Midden Nederland")
    await axe_page.get_by_label("Gemeente van de school").fill("Utrecht")
    await axe_page.get_by_role("button", name="Meldpunt opslaan").click()
    await axe_page.get_by_text("Vul ten minste een e-mailadres").first.wait_for()
    await check(axe_page, "school-reporting-point-errors")
    await axe_page.get_by_label("E-mailadres van het meldpunt").fill("meldpunt@roc.example.nl")
    await axe_page.get_by_role("button", name="Meldpunt opslaan").click()
    await axe_page.get_by_text("Het meldpunt is opgeslagen.").wait_for()

    await tokens.make(Role.SCHOOL, school_brin="30AB")  # a school without a reporting point
    await axe_page.context.clear_cookies()
    await signed_in(axe_page, Role.ADVISER)
    await axe_page.goto("/monitoring/meldpunten")
    assert await axe_page.get_by_role("cell", name="30AB").is_visible()
    await check(axe_page, "staff-reporting-points")
    await axe_page.locator('form[action="/monitoring/meldpunten/25LX/gecontroleerd"] button').click()
    await axe_page.get_by_text("Het meldpunt staat als gecontroleerd door SBB.").wait_for()

    await axe_page.context.clear_cookies()
    await axe_page.goto("/melden")
    await axe_page.get_by_label("Uw school").fill("Midden Nederland")
    await axe_page.get_by_role("button", name="Zoeken").click()
    await axe_page.get_by_role("heading", name="Meldpunt van ROC Midden Nederland").wait_for()
    assert await axe_page.get_by_text("Antidiscriminatievoorziening Midden-Nederland", exact=True).is_visible()
    await check(axe_page, "public-where-to-report")
    await axe_page.get_by_label("Uw school").fill("")
    await axe_page.get_by_label("Of uw postcode").fill("12")
    await axe_page.get_by_role("button", name="Zoeken").click()
    await axe_page.get_by_text("Vul een postcode in zoals 3511 AB").first.wait_for()
    await check(axe_page, "public-where-to-report-errors")
