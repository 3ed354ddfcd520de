"""Every menu page of every role at 390 px (a phone): nothing scrolls sideways, axe finds nothing critical,
serious or `landmark-unique`, the menu folds, and tables read as stacked rows. On the demo data, so
the pages hold decisions, cases, reports and participations."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from erkenning.devtools import demo
from tests.web.browser.steps import AXE, PHONE, check, sign_in

pytestmark = pytest.mark.browser


async def _menu_links(page) -> list[str]:
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    toggle = nav.get_by_role("button", name="Menu")
    # Folded: one row, the links behind the button.
    assert await toggle.is_visible()
    assert not await nav.get_by_role("link").first.is_visible()
    await toggle.click()
    assert await toggle.get_attribute("aria-expanded") == "true"
    assert await nav.get_by_role("link").first.is_visible()
    return [await link.get_attribute("href") for link in await nav.get_by_role("link").all()]


async def _stacked(page) -> bool:
    """A table row on this page shows as a block of labelled lines (true where there is no table)."""
    cell = page.locator("table.table tbody td[data-label]").first
    if not await cell.count():
        return True
    shown = await cell.evaluate("c => [getComputedStyle(c).display, getComputedStyle(c, '::before').content]")
    return shown[0] == "block" and shown[1] not in ("none", "normal", "")


@pytest.mark.parametrize("key", ["adviser", "senior", "admin", "company", "school"])
async def test_every_menu_page_of_a_role_on_a_phone(new_page, runtime, key: str) -> None:
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: `make test` installs axe-core with npm (npm ci)")
    tokens = await demo.load(runtime)
    page = await new_page(viewport=PHONE, bypass_csp=True)
    await sign_in(page, SimpleNamespace(token=tokens[key]))
    links = await _menu_links(page)
    assert len(links) >= 3, links
    for href in links:
        await page.goto(href)
        await check(page, f"phone-{key}-{href.strip('/').replace('/', '-') or 'start'}")
        assert await _stacked(page), href


async def test_public_pages_on_a_phone(new_page, runtime) -> None:
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: `make test` installs axe-core with npm (npm ci)")
    await demo.load(runtime)
    page = await new_page(viewport=PHONE, bypass_csp=True)
    await page.goto("/register")
    for href in await _menu_links(page):
        await page.goto(href)
        await check(page, f"phone-public-{href.strip('/') or 'start'}")


async def test_after_a_search_the_focus_is_on_what_was_found(new_page, runtime) -> None:
    tokens = await demo.load(runtime)
    page = await new_page(viewport=PHONE)
    await sign_in(page, SimpleNamespace(token=tokens["adviser"]))
    await page.goto("/bedrijven")
    await page.get_by_label("Naam bevat").fill("Korenschoof")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/bedrijven?*")
    focused = await page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == "Tabel: Gevonden bedrijven"
    # Nothing found: the sentence that says so has the focus.
    await page.get_by_label("Naam bevat").fill("Bestaat niet BV")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**naam=Bestaat*")
    assert "geen bedrijven" in await page.evaluate("document.activeElement.textContent")
    # A page opened without searching keeps the focus where a browser puts it.
    await page.goto("/bedrijven")
    assert await page.evaluate("document.activeElement === document.body")
