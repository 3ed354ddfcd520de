"""In a real browser: staff sign in at the real OpenID provider of `erkenning dev` (Node, `oidc-provider`);
a company's contact signs in with the link from the mail catcher, once, in the browser that asked."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from erkenning.core.auth.contacts import ContactService
from erkenning.core.caller import Caller, Role
from erkenning.core.runtime import Runtime
from erkenning.devtools.oidc import PASSWORD
from tests.factories import make_company
from tests.helpers import MailCatcher, drain_queue
from tests.web.browser.steps import screenshot

pytestmark = pytest.mark.browser

ADMIN = Caller(principal_id=None, role=Role.ADMIN, name="test admin")


async def _at_provider(page, login: str) -> None:
    """From our sign-in page through the provider's own form."""
    await page.goto("/inloggen")
    await page.get_by_role("link", name="Inloggen met uw SBB-account").click()
    await page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/interaction/"))
    await page.get_by_label("Gebruikersnaam").fill(login)
    await page.get_by_label("Wachtwoord").fill(PASSWORD)
    await page.get_by_role("button", name="Inloggen").click()


async def _rows(runtime: Runtime, sql: str, **params) -> list[sa.RowMapping]:
    async with runtime.engine.connect() as conn:
        return list((await conn.execute(sa.text(sql), params)).mappings().all())


async def test_staff_member_signs_in_at_the_provider_and_lands_on_mijn_werk(new_page, sso, runtime) -> None:
    page = await new_page()
    await _at_provider(page, "fatima")
    await page.get_by_role("heading", level=1, name="Mijn werk").wait_for()
    assert "Welkom, Fatima el Amrani" in await page.locator("main").inner_text()
    assert "Senior adviseur" in await page.locator("header").inner_text()
    await screenshot(page, "sign-in-staff-mijn-werk")

    principal = (await _rows(runtime, "SELECT * FROM principal WHERE oidc_subject = 'senior'"))[0]
    assert (principal["role"], principal["email"], principal["oidc_issuer"]) == (
        "senior_adviser", "fatima.elamrani@sbb.example", sso.issuer,
    )
    sessions = await _rows(runtime, "SELECT method FROM web_session WHERE principal_id = :p", p=principal["id"])
    assert [s["method"] for s in sessions] == ["oidc"]

    # A second sign-in finds the same principal (four eyes and "who did this" keep naming one person).
    other = await new_page()
    await _at_provider(other, "fatima")
    await other.get_by_role("heading", level=1, name="Mijn werk").wait_for()
    assert len(await _rows(runtime, "SELECT id FROM principal WHERE oidc_subject = 'senior'")) == 1


async def test_a_colleague_without_a_mapped_role_is_refused_and_audited(page, sso, runtime) -> None:
    await _at_provider(page, "gast")
    heading = page.get_by_role("heading", level=1, name="Uw account heeft geen rol in erkenning")
    await heading.wait_for()
    assert not await page.get_by_role("button", name="Uitloggen").count()
    assert await _rows(runtime, "SELECT id FROM principal WHERE oidc_subject = 'guest'") == []
    refused = await _rows(
        runtime, "SELECT result, detail FROM audit_event WHERE action = 'session.refused' ORDER BY seq DESC LIMIT 1"
    )
    assert refused[0]["result"] == "denied"
    assert refused[0]["detail"] == {"reason": "unmapped_role", "method": "oidc", "oidc_subject": "guest"}


async def test_sign_out_ends_the_session_here_and_at_the_provider(page, sso, runtime) -> None:
    await _at_provider(page, "sanne")
    await page.get_by_role("heading", level=1, name="Mijn werk").wait_for()

    await page.get_by_role("button", name="Uitloggen").click()
    # RP-initiated logout: the provider asks, then sends the browser back to our sign-in page.
    await page.get_by_role("button", name="Uitloggen bij SBB").click()
    await page.wait_for_url("**/inloggen")
    assert await _rows(runtime, "SELECT id FROM web_session") == []
    await page.goto("/")
    assert "/inloggen" in page.url

    # The provider's session ended too: signing in again asks for the password.
    await page.get_by_role("link", name="Inloggen met uw SBB-account").click()
    await page.get_by_label("Wachtwoord").wait_for()


async def _ask_for_link(page, address: str) -> None:
    await page.goto("/inloggen")
    await page.get_by_label("E-mailadres").fill(address)
    await page.get_by_role("button", name="Stuur mij een inloglink").click()
    await page.get_by_role("heading", level=1, name="Kijk in uw e-mail").wait_for()


def _link_path(mail: MailCatcher, address: str) -> str:
    [message] = mail.to(address)
    match = re.search(r"https?://[^/\s]+(/inloggen/link/\S+)", MailCatcher.text(message))
    assert match, MailCatcher.text(message)
    return match.group(1)


async def test_company_contact_signs_in_with_the_link_once_and_only_in_the_browser_that_asked(
    new_page, runtime, settings, mail
) -> None:
    company = await make_company(runtime, name="Bakkerij Het Gouden Korenaar")
    async with runtime.transaction() as session:
        await ContactService(session).add(ADMIN, email="hr@korenaar.example", name="Ilse de Boer", company_id=company.id)

    page = await new_page()
    await _ask_for_link(page, "HR@korenaar.example")
    # An unknown address gets the very same page, and no e-mail.
    stranger = await new_page()
    await _ask_for_link(stranger, "niemand@example.org")
    await drain_queue(settings)
    assert mail.to("niemand@example.org") == []
    path = _link_path(mail, "hr@korenaar.example")

    # Another browser (a forwarded or intercepted link) cannot use it, and does not spend it.
    await stranger.goto(path)
    assert await stranger.get_by_text("werkt alleen in de browser waarin u hem heeft aangevraagd").is_visible()
    assert not await stranger.get_by_role("button", name="Inloggen").count()

    await page.goto(path)
    await page.get_by_role("button", name="Inloggen").click()
    await page.get_by_role("heading", level=1, name="Mijn bedrijf").wait_for()
    assert "Ilse de Boer" in await page.locator("header").inner_text()
    await screenshot(page, "sign-in-company-link")

    # Once only.
    again = await new_page()
    await again.goto(path)
    assert await again.get_by_text("werkt").first.is_visible()
    await page.goto(path)
    assert await page.get_by_text("Deze link is al gebruikt").is_visible()
    methods = await _rows(runtime, "SELECT method FROM web_session")
    assert [m["method"] for m in methods] == ["email_link"]


async def test_the_link_no_longer_works_after_fifteen_minutes(new_page, runtime, settings, mail) -> None:
    """The server runs in its own process, so its clock cannot be moved: the link's own time is moved back
    instead, by the 15 minutes it lasts and one more, as if the person opened it 16 minutes later."""
    company = await make_company(runtime, name="Bakkerij De Late Link")
    async with runtime.transaction() as session:
        await ContactService(session).add(ADMIN, email="hr@latelink.example", name="Ilse Laat", company_id=company.id)
    page = await new_page()
    await _ask_for_link(page, "hr@latelink.example")
    await drain_queue(settings)
    path = _link_path(mail, "hr@latelink.example")
    [link] = await _rows(runtime, "SELECT expires_at - created_at AS lasts FROM sign_in_link")
    assert link["lasts"].total_seconds() == settings.sign_in_link_minutes * 60 == 15 * 60
    async with runtime.engine.begin() as conn:
        await conn.execute(sa.text("UPDATE sign_in_link SET created_at = created_at - interval '16 minutes', "
                                   "expires_at = expires_at - interval '16 minutes'"))
    await page.goto(path)
    assert await page.get_by_text("Deze link is verlopen").is_visible()
    assert not await page.get_by_role("button", name="Inloggen").count()
    assert await _rows(runtime, "SELECT id FROM web_session") == []
