"""axe-core on the main pages (no serious or critical WCAG 2.1 A/AA violations) and their screenshots."""

from __future__ import annotations

from datetime import timedelta

import pytest

from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.letters import RENDERER
from erkenning.recognition.schemas import DecisionCreate
from erkenning.recognition.services.decisions import DecisionService
from tests.factories import as_caller, build_world, make_company
from tests.web.browser.steps import AXE, TABLET, check

pytestmark = pytest.mark.browser


async def test_public_and_error_pages(axe_page) -> None:
    await axe_page.goto("/inloggen")
    await check(axe_page, "sign-in")
    await axe_page.get_by_role("button", name="Inloggen").click()
    await check(axe_page, "sign-in-error")
    await axe_page.goto("/bestaat-niet")
    await check(axe_page, "not-found")


async def test_back_office_pages(axe_page, signed_in, runtime) -> None:
    company = await make_company(runtime, name="Bakkerij De Korenschoof", street="Korenmarkt", house_number="12")
    for n in range(3):
        await make_company(runtime, name=f"Bakkerij {n}")
    await signed_in(axe_page, Role.ADMIN, name="Beheerder SBB")
    pages = {
        "start-admin": "/",
        "companies": "/bedrijven?naam=bakkerij",
        "company-card": f"/bedrijven/{company.id}",
        "company-edit": f"/bedrijven/{company.id}/wijzigen",
        "accounts": "/beheer/accounts",
        "audit": "/beheer/audit",
    }
    for name, path in pages.items():
        await axe_page.goto(path)
        await check(axe_page, name)
    await axe_page.goto("/bedrijven/nieuw")
    await axe_page.get_by_role("button", name="Registreren").click()
    await check(axe_page, "company-form-errors")


async def test_company_start_page_on_a_tablet(new_page, signed_in, runtime) -> None:
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: `make test` installs axe-core with npm (npm ci)")
    page = await new_page(viewport=TABLET, bypass_csp=True)
    company = await make_company(runtime, name="Kapsalon Knip", street="Voorstraat", house_number="7")
    await signed_in(page, Role.COMPANY, company_id=company.id, name="Kapsalon Knip")
    await page.goto("/")
    await check(page, "start-company-tablet")
    # Nothing sticks out sideways on a tablet.
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


async def test_decision_pages_with_their_scope_and_letter(axe_page, new_page, signed_in, runtime, tokens) -> None:
    world = await build_world(runtime, tokens)
    recognition = await world.granted()
    async with runtime.transaction() as session:
        service = DecisionService(session, runtime.settings, RENDERER)
        drafted = await service.draft(DecisionCreate(
            kind="withdraw", recognition_ids=[recognition], grounds="De werkplek is niet veilig.",
            legal_basis="art. 7.2.10 WEB", effective_from=clock.today() + timedelta(days=30),
            criterion_code="non_discrimination",
        ), as_caller(world.adviser))
        await service.intend(drafted.id, as_caller(world.adviser))
        await service.record_response(drafted.id, "Wij zijn het oneens.", as_caller(world.adviser))
    sent = await world.decide("suspend", [await world.granted("25181")], until_reinstated=True)
    await signed_in(axe_page, Role.SENIOR_ADVISER, name="Senior die goedkeurt")
    await axe_page.goto(f"/besluiten/{drafted.id}")
    await check(axe_page, "decision-approval-with-letter")
    await axe_page.goto(f"/besluiten/{sent}")
    await check(axe_page, "decision-sent-with-letter")
    portal = await new_page(bypass_csp=True)
    await signed_in(portal, Role.COMPANY, company_id=world.company_id, name="Het leerbedrijf")
    await portal.goto(f"/portaal/besluiten/{drafted.id}")
    await check(portal, "portal-intended-decision")


async def test_sign_in_pages(axe_page, new_page, signed_in, runtime) -> None:
    """The ways in: the link asked for, a link that does not work here, and the contacts a company keeps."""
    await axe_page.goto("/inloggen")
    await axe_page.get_by_label("E-mailadres").fill("geen-adres")
    await axe_page.get_by_role("button", name="Stuur mij een inloglink").click()
    await check(axe_page, "sign-in-link-error")
    await axe_page.get_by_label("E-mailadres").fill("iemand@example.org")
    await axe_page.get_by_role("button", name="Stuur mij een inloglink").click()
    await check(axe_page, "sign-in-link-sent")
    await axe_page.goto("/inloggen/link/" + "0" * 32 + ".x")
    await check(axe_page, "sign-in-link-unknown")
    company = await new_page(bypass_csp=True)
    await signed_in(company, Role.COMPANY)
    await company.goto("/portaal/contactpersonen")
    await company.get_by_label("Naam").fill("Ilse de Boer")
    await company.get_by_label("E-mailadres").fill("hr@korenaar.example")
    await company.get_by_role("button", name="Toevoegen").click()
    await company.get_by_text("De contactpersoon is toegevoegd").wait_for()
    await check(company, "company-contacts")
