"""axe-core on the main pages of the public, schools and companies (no serious or critical WCAG 2.1 A/AA
violations), with their screenshots; and nothing sticks out sideways on a tablet."""

from __future__ import annotations

from datetime import date

import pytest

from erkenning.core.caller import Role
from tests.factories import (
    SUSPENSION_AND_WITHDRAWAL,
    build_world,
    completed_participation,
    enrol_company,
    heard_case,
    hearing_for,
    make_company,
    make_course,
    make_recognition,
    make_session,
)
from tests.helpers import drain_queue
from tests.web.browser.steps import AXE, TABLET, check, sign_in

pytestmark = pytest.mark.browser


async def test_public_pages(axe_page, runtime) -> None:
    bakery = await make_company(runtime, name="Bakkerij De Korenschoof")
    await make_recognition(runtime, bakery, SUSPENSION_AND_WITHDRAWAL)
    code = await completed_participation(runtime)
    pages = {
        "public-register": f"/register?number={bakery.kvk_number}",
        "public-register-by-name": "/register?name_contains=korenschoof&town=Utrecht",
        "public-register-nothing": "/register?number=49999999",
        "public-verify": f"/register/controleren?company={bakery.sbb_id}&crebo=25180&pathway=bol&actie=controleren",
        "public-card": f"/register/{bakery.sbb_id}",
        "public-certificate": f"/certificaat?code={code}",
        "public-privacy": "/privacy",
    }
    for name, path in pages.items():
        await axe_page.goto(path)
        await check(axe_page, name)
    await axe_page.goto("/melden")
    await axe_page.get_by_role("button", name="Melding versturen").click()
    await check(axe_page, "public-report-errors")


async def test_school_pages(axe_page, signed_in, runtime, tmp_path) -> None:
    bakery = await make_company(runtime, name="Bakkerij De Korenschoof")
    await make_recognition(runtime, bakery, SUSPENSION_AND_WITHDRAWAL)
    await signed_in(axe_page, Role.SCHOOL, name="ROC Midden", email="stage@roc.example")
    await axe_page.goto("/school/abonnementen")
    await axe_page.get_by_label("Leerbedrijf-ID of vestigingsnummer").fill(str(bakery.sbb_id))
    await axe_page.get_by_role("button", name="Volgen").click()
    pages = {
        "school-start": "/",
        "school-verify": f"/school/controleren?company={bakery.sbb_id}&crebo=25180&pathway=bol&actie=controleren",
        "school-subscriptions": "/school/abonnementen",
        "school-webhook": "/school/webhook",
    }
    for name, path in pages.items():
        await axe_page.goto(path)
        await check(axe_page, name)
    await axe_page.goto("/school/meldingen/nieuw")
    await axe_page.get_by_role("button", name="Melding doorgeven").click()
    await check(axe_page, "school-report-errors")
    bad = tmp_path / "fout.csv"
    bad.write_text("company,crebo,pathway\n1,2518,bol\n", encoding="utf-8")
    await axe_page.goto("/school/bestand")
    await axe_page.get_by_label("CSV-bestand").set_input_files(str(bad))
    await axe_page.get_by_role("button", name="Controleren en antwoorden downloaden").click()
    await check(axe_page, "school-batch-errors")


async def test_the_reporting_side_answers_sbbs_question(axe_page, signed_in, runtime, tokens, client) -> None:
    """Wederhoor: the receipt page and the school's reports page, each with SBB's question and its form."""
    adviser = await tokens.make(Role.ADVISER)
    school = await signed_in(axe_page, Role.SCHOOL, school_brin="25LX", email="stage@roc.example")
    made = await heard_case(client, runtime, adviser, await make_company(runtime), school=school, anonymous=True)
    asked = await client.post(f"/api/v1/backoffice/investigations/{made['case_id']}/reporter-question",
                              json={"question": "Het bedrijf noemt het rooster. Wat zegt de student?"},
                              headers=adviser.headers)
    assert asked.status_code == 200, asked.text
    await axe_page.goto("/school/meldingen")
    await axe_page.get_by_role("button", name="Reactie versturen").click()  # empty: the error on its field
    await check(axe_page, "school-reaction-errors")
    await axe_page.goto("/")
    await axe_page.get_by_role("button", name="Uitloggen").click()
    await axe_page.goto("/melden/status")
    await axe_page.get_by_label("Ontvangstcode").fill(made["receipt"])
    await axe_page.get_by_role("button", name="Status bekijken").click()
    await check(axe_page, "public-receipt-question")


async def test_company_pages(axe_page, runtime, tokens) -> None:
    world = await build_world(runtime, tokens)
    await make_course(runtime, title="Welkom bij SBB", format="e_learning", for_new_companies=True)
    kok = await world.granted(on=date(2024, 3, 3))
    await drain_queue(runtime.settings)  # the new company's invitation: "Voor u geselecteerd"
    suspension = await world.decide("suspend", [kok], until_reinstated=True)
    await hearing_for(runtime, world.company_id, world.senior, "Hoe werft u stagiairs?")
    course = await make_course(runtime, title="Werven zonder vooroordelen")
    full = await make_session(runtime, course, capacity=1)
    await enrol_company(runtime, (await make_company(runtime)).id, session_id=full)
    await completed_participation(runtime, course_title="Gelijke kansen", company_id=world.company_id)
    await sign_in(axe_page, world.company)
    pages = {
        "company-start": "/",
        "company-recognitions": "/portaal/erkenningen",
        "company-courses": "/portaal/cursussen",
        "company-enrol-full": f"/portaal/cursussen/aanmelden?bijeenkomst={full}",
        "company-participations": "/portaal/deelnames",
    }
    for name, path in pages.items():
        await axe_page.goto(path)
        await check(axe_page, name)
    await axe_page.goto("/portaal/cursussen")
    selected = axe_page.get_by_role("region", name="Voor u geselecteerd")
    assert await selected.get_by_role("link", name="Aanmelden voor Welkom bij SBB").is_visible()
    await selected.get_by_role("button", name="Deze selectie verbergen").click()
    await axe_page.get_by_text("De uitnodiging is verborgen.").wait_for()
    await check(axe_page, "company-courses-invitation-hidden")
    await axe_page.goto(f"/portaal/besluiten/{suspension}")
    await axe_page.get_by_role("button", name="Verder naar controleren").click()
    await check(axe_page, "company-objection-errors")
    await axe_page.goto("/portaal/reactieverzoeken")
    await axe_page.get_by_role("row").filter(has_text="reactie gevraagd").get_by_role("link").click()
    await check(axe_page, "company-hearing")


async def test_company_and_school_pages_fit_a_tablet(new_page, signed_in, runtime, tokens) -> None:
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: `make test` installs axe-core with npm (npm ci)")
    world = await build_world(runtime, tokens)
    await world.granted(on=date(2024, 3, 3))
    company_page = await new_page(viewport=TABLET, bypass_csp=True)
    await sign_in(company_page, world.company)
    school_page = await new_page(viewport=TABLET, bypass_csp=True)
    await signed_in(school_page, Role.SCHOOL)
    for page, path, name in (
        (company_page, "/portaal/erkenningen", "company-recognitions-tablet"),
        (school_page, "/school/meldingen/nieuw", "school-report-tablet"),
    ):
        await page.goto(path)
        await check(page, name)
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
