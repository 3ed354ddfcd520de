"""In a real browser: signing in and out, a form with errors, a form by keyboard only, CSRF."""

from __future__ import annotations

import pytest

from erkenning.core.caller import Role
from tests.web.browser.steps import screenshot, sign_in

pytestmark = pytest.mark.browser


async def _focused(page) -> dict:
    return await page.evaluate(
        """() => { const el = document.activeElement, style = getComputedStyle(el);
                   return {id: el.id, tag: el.tagName, name: el.getAttribute('name'), text: el.textContent.trim(),
                           outline: style.outlineStyle, shadow: style.boxShadow}; }"""
    )


async def test_sign_in_and_sign_out(page, tokens) -> None:
    adviser = await tokens.make(Role.ADVISER, name="Sanne Jansen")
    await page.goto("/bedrijven")
    assert page.url.endswith("/inloggen?volgende=/bedrijven")

    await page.get_by_label("Toegangscode").fill("erk_" + "x" * 43)
    await page.get_by_role("button", name="Inloggen").click()
    assert await page.get_by_role("alert").filter(has_text="onbekend, ingetrokken of verlopen").is_visible()
    assert await page.get_by_label("Toegangscode").input_value() == ""

    await sign_in(page, adviser)
    await page.goto("/bedrijven")
    header = page.locator("header")
    assert "Sanne Jansen" in await header.inner_text()
    cookies = {c["name"]: c for c in await page.context.cookies()}
    assert cookies["erk_session"]["httpOnly"] and cookies["erk_session"]["sameSite"] == "Lax"

    await page.get_by_role("button", name="Uitloggen").click()
    await page.wait_for_url("**/inloggen")
    assert await page.get_by_text("U bent uitgelogd.").is_visible()
    await page.goto("/")
    assert "/inloggen" in page.url


async def test_form_errors_are_summarised_linked_and_the_values_kept(page, signed_in) -> None:
    await signed_in(page, Role.ADVISER)
    await page.goto("/bedrijven/nieuw")
    await page.get_by_label("Naam", exact=True).fill("Bakkerij Het Wapen")
    await page.get_by_label("KvK-nummer").fill("1234")
    await page.get_by_label("Postcode").fill("1234 A")
    await page.get_by_label("Plaats").fill("Utrecht")
    await page.get_by_role("button", name="Registreren").click()

    summary = page.locator(".error-summary")
    assert await summary.is_visible()
    assert (await _focused(page))["id"] == "" and await summary.evaluate("el => el === document.activeElement")
    links = summary.get_by_role("link")
    assert await links.all_inner_texts() == [
        "Een KvK-nummer bestaat uit precies 8 cijfers, bijvoorbeeld 12345678.",
        "Vul het vestigingsnummer in.",
        "Vul een Nederlandse postcode in, bijvoorbeeld 1234 AB.",
        "Kies de sector.",
    ]
    # The values stay, and each link takes the focus to its field.
    assert await page.get_by_label("Naam", exact=True).input_value() == "Bakkerij Het Wapen"
    assert await page.get_by_label("KvK-nummer").input_value() == "1234"
    await links.nth(2).click()
    assert (await _focused(page))["id"] == "veld-postcode"
    await screenshot(page, "company-form-errors")


async def test_a_company_can_be_registered_with_the_keyboard_only(page, signed_in) -> None:
    await signed_in(page, Role.ADVISER)
    await page.goto("/bedrijven/nieuw")

    await page.keyboard.press("Tab")
    skip = await _focused(page)
    assert skip["text"] == "Direct naar de inhoud"
    assert await page.get_by_role("link", name="Direct naar de inhoud").is_visible()
    await page.keyboard.press("Enter")
    assert (await _focused(page))["id"] == "inhoud"

    entries = {
        "name": "Fietsenmaker De Spaak", "kvk_number": "23456789", "establishment_number": "000023456789",
        "street": "Lange Nieuwstraat", "house_number": "5", "postcode": "3512 PA", "city": "Utrecht",
    }
    for _ in range(40):
        await page.keyboard.press("Tab")
        focused = await _focused(page)
        assert focused["outline"] != "none" or focused["shadow"] != "none", f"no visible focus on {focused}"
        name = focused["name"]
        if name in entries:
            await page.keyboard.type(entries.pop(name))
        elif name == "sector":
            await page.keyboard.type("Handel")
        elif focused["tag"] == "BUTTON" and focused["text"] == "Registreren":
            break
    assert not entries, f"never reached {sorted(entries)}"
    await page.keyboard.press("Enter")

    await page.wait_for_url("**/bedrijven/*-*")
    assert await page.get_by_text("Het bedrijf is geregistreerd.").is_visible()
    card = await page.locator("main").inner_text()
    assert "Fietsenmaker De Spaak" in card and "3512 PA Utrecht" in card and "Handel" in card


async def test_a_form_post_without_the_csrf_token_is_refused(page, signed_in) -> None:
    await signed_in(page, Role.ADVISER)
    await page.goto("/bedrijven/nieuw")
    await page.locator("main input[name=_csrf]").evaluate("el => el.remove()")
    await page.get_by_label("Naam", exact=True).fill("Zonder token")
    async with page.expect_response(lambda r: r.request.method == "POST") as posted:
        await page.get_by_role("button", name="Registreren").click()
    assert (await posted.value).status == 403
    assert await page.get_by_role("heading", name="Formulier verlopen").is_visible()
