"""In a real browser: a school checks one company and a CSV file; a company lands on a waiting list."""

from __future__ import annotations

import csv
import io

import pytest

from erkenning.core.caller import Role
from tests.factories import (
    SUSPENSION_AND_WITHDRAWAL,
    enrol_company,
    make_company,
    make_course,
    make_recognition,
    make_session,
)
from tests.web.browser.steps import company_enrols, report_anonymously, school_checks_file, school_verifies, screenshot

pytestmark = pytest.mark.browser


async def test_a_school_checks_one_company_and_then_a_whole_file(page, signed_in, runtime, tmp_path) -> None:
    bakery = await make_company(runtime, name="Bakkerij De Korenschoof")
    await make_recognition(runtime, bakery, SUSPENSION_AND_WITHDRAWAL)
    await signed_in(page, Role.SCHOOL, name="ROC Midden")

    answer = await school_verifies(page, company=bakery.sbb_id, crebo="25180", pathway="bol", on="2025-05-01")
    assert answer == (
        "Ja. Bakkerij De Korenschoof was op 1 mei 2025 erkend voor Kok niveau 2 (BOL) sinds 1 januari 2024, "
        "tot 1 maart 2026."
    )
    await screenshot(page, "school-verify-answer")
    suspended = await school_verifies(page, company=bakery.establishment_number, crebo="25180", on="2026-04-01")
    assert suspended.startswith("Nee.") and "geschorst sinds 1 maart 2026, tot 1 juni 2026" in suspended

    answers = await school_checks_file(page, (
        "company;crebo;pathway;date\n"
        f"{bakery.sbb_id};25180;bol;01-05-2025\n"
        f"{bakery.sbb_id};25180;bol;2027-02-01\n"
        f"{bakery.sbb_id};25180;bbl;2025-05-01\n"
    ), tmp_path)
    rows = list(csv.DictReader(io.StringIO(answers), delimiter=";"))
    assert [(r["regel"], r["datum"], r["erkend"], r["status"]) for r in rows] == [
        ("2", "2025-05-01", "ja", "erkend"),
        ("3", "2027-02-01", "nee", "ingetrokken"),
        ("4", "2025-05-01", "nee", "geen erkenning"),
    ]
    # A file with a bad line is refused whole, line by line.
    bad = tmp_path / "fout.csv"
    bad.write_text("company,crebo,pathway\n123,2518,bol\n", encoding="utf-8")
    await page.get_by_label("CSV-bestand").set_input_files(str(bad))
    await page.get_by_role("button", name="Controleren en antwoorden downloaden").click()
    assert await page.get_by_role("alert").filter(has_text="Er staan fouten in 1 regel").is_visible()
    assert await page.get_by_role("cell", name="Een crebo-code bestaat uit precies 5 cijfers.").is_visible()


async def test_a_company_enrols_in_a_full_session_and_lands_on_the_waiting_list(page, signed_in, runtime) -> None:
    course = await make_course(runtime, title="Werven zonder vooroordelen")
    full = await make_session(runtime, course, capacity=1)
    await enrol_company(runtime, (await make_company(runtime)).id, session_id=full)
    await signed_in(page, Role.COMPANY, name="Kapsalon Knip")

    warned, message = await company_enrols(page, course="Werven zonder vooroordelen", trainer="Sanne Jansen")
    assert warned is not None and "Deze bijeenkomst is vol" in warned
    assert message.startswith("De bijeenkomst is vol: u staat op de wachtlijst.")
    row = page.get_by_role("row").filter(has_text="Werven zonder vooroordelen")
    assert "op de wachtlijst" in await row.inner_text() and "Sanne Jansen" in await row.inner_text()
    await screenshot(page, "company-waiting-list")


async def test_an_anonymous_report_and_its_status(page) -> None:
    receipt = await report_anonymously(page, company_name="Garage Oost", summary="Stage geweigerd na gesprek.")
    assert len(receipt) == 24
    await screenshot(page, "public-receipt")
    await page.get_by_role("link", name="De status van een melding bekijken").click()
    await page.get_by_label("Ontvangstcode").fill(receipt)
    await page.get_by_role("button", name="Status bekijken").click()
    assert await page.get_by_role("heading", name="Uw melding is ontvangen").is_visible()
    assert receipt not in page.url
