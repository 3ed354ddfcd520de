"""Company pages: the list with filters and pages, the card, the form over CompanyService."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from tests.factories import TokenFactory, make_company
from tests.helpers import WebClient, csrf_of

VALID = {
    "name": "Bakkerij Het Wapen",
    "kvk_number": "12345678",
    "establishment_number": "000011112222",
    "street": "Markt",
    "house_number": "3",
    "postcode": "3511ab",
    "city": "Utrecht",
    "sector": "voedsel_groen_gastvrijheid",
    "email": "",
    "sbb_id": "",
}


@pytest.fixture
async def adviser(web: WebClient, tokens: TokenFactory):
    return await web.sign_in_as(tokens, Role.ADVISER)


def _value_of(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert tag, name
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    assert value, name
    return html.unescape(value.group(1))


async def test_registering_a_company_redirects_to_its_card_with_a_message(
    web: WebClient, adviser, runtime: Runtime
) -> None:
    response = await web.submit("/bedrijven/nieuw", data=VALID)
    assert response.status_code == 303
    card = await web.get(response.headers["location"])
    assert "Het bedrijf is geregistreerd." in card.text
    assert "3511 AB Utrecht" in card.text and "Voedsel, groen en gastvrijheid" in card.text
    # The message shows once.
    assert "Het bedrijf is geregistreerd." not in (await web.get(response.headers["location"])).text
    async with runtime.engine.connect() as conn:
        action = (await conn.execute(sa.text("SELECT action FROM audit_event ORDER BY seq DESC LIMIT 1"))).scalar()
    assert action == "company.created"


async def test_errors_appear_in_the_summary_linked_to_their_fields_and_values_stay(web: WebClient, adviser) -> None:
    entered = {**VALID, "kvk_number": "1234", "postcode": "ABCD 12", "name": "", "email": "geen-adres"}
    response = await web.submit("/bedrijven/nieuw", data=entered)
    assert response.status_code == 422
    page = response.text
    summary = page[page.index('class="error-summary"'):page.index("</ul>", page.index('class="error-summary"'))]
    assert 'href="#veld-name"' in summary and "Vul de naam van het bedrijf in." in summary
    assert 'href="#veld-kvk-number"' in summary and "precies 8 cijfers" in summary
    assert 'href="#veld-postcode"' in summary and 'href="#veld-email"' in summary
    assert "Er zijn 4 fouten" in page
    # Summary order follows the form; each field carries its own error and keeps what was typed.
    assert summary.index("veld-name") < summary.index("veld-kvk-number") < summary.index("veld-postcode")
    assert 'id="veld-kvk-number-error"' in page and 'aria-invalid="true"' in page
    assert _value_of(page, "kvk_number") == "1234"
    assert _value_of(page, "postcode") == "ABCD 12"
    assert _value_of(page, "street") == "Markt"
    assert 'value="voedsel_groen_gastvrijheid" selected' in page


async def test_a_duplicate_establishment_number_is_an_error_on_that_field(web: WebClient, adviser) -> None:
    assert (await web.submit("/bedrijven/nieuw", data=VALID)).status_code == 303
    again = await web.submit("/bedrijven/nieuw", data={**VALID, "kvk_number": "87654321"})
    assert again.status_code == 422
    assert "Er is al een bedrijf met dit vestigingsnummer" in again.text
    assert _value_of(again.text, "kvk_number") == "87654321"


async def test_changing_a_company_saves_through_the_service(web: WebClient, adviser, runtime: Runtime) -> None:
    company = await make_company(runtime, name="Garage Oost")
    edit = await web.get(f"/bedrijven/{company.id}/wijzigen")
    assert _value_of(edit.text, "name") == "Garage Oost"
    assert "readonly" in edit.text  # the establishment number cannot change
    data = {"_csrf": csrf_of(edit.text), **{k: v for k, v in VALID.items() if k not in ("sbb_id", "establishment_number")},
            "version": "1", "name": "Garage Oost BV", "email": "info@garage.example"}
    response = await web.http.post(f"/bedrijven/{company.id}/wijzigen", data=data)
    assert response.status_code == 303
    card = (await web.get(response.headers["location"])).text
    assert "Garage Oost BV" in card and "De gegevens van het bedrijf zijn opgeslagen." in card


async def test_a_change_on_a_stale_version_shows_the_current_data(web: WebClient, adviser, runtime: Runtime) -> None:
    company = await make_company(runtime, name="Garage Oost")
    edit = await web.get(f"/bedrijven/{company.id}/wijzigen")
    data = {"_csrf": csrf_of(edit.text), **{k: v for k, v in VALID.items() if k not in ("sbb_id", "establishment_number")},
            "version": "1"}
    assert (await web.http.post(f"/bedrijven/{company.id}/wijzigen", data=data)).status_code == 303
    stale = await web.http.post(f"/bedrijven/{company.id}/wijzigen", data={**data, "name": "Anders"})
    assert stale.status_code == 409
    assert "intussen gewijzigd" in stale.text
    assert _value_of(stale.text, "version") == "2"


async def test_clearing_a_required_field_on_change_asks_for_it(web: WebClient, adviser, runtime: Runtime) -> None:
    company = await make_company(runtime)
    edit = await web.get(f"/bedrijven/{company.id}/wijzigen")
    data = {"_csrf": csrf_of(edit.text), **{k: v for k, v in VALID.items() if k not in ("sbb_id", "establishment_number")},
            "version": "1", "city": " ", "kvk_number": ""}
    response = await web.http.post(f"/bedrijven/{company.id}/wijzigen", data=data)
    assert response.status_code == 422
    assert "Vul de plaats in." in response.text and "Vul het KvK-nummer in." in response.text


async def test_the_list_filters_and_pages(web: WebClient, adviser, runtime: Runtime) -> None:
    for n in range(27):
        await make_company(runtime, name=f"Bakkerij {n:02d}", city="Zwolle")
    await make_company(runtime, name="Garage Zuid", city="Zwolle")
    first = await web.get("/bedrijven", params={"naam": "bakkerij", "plaats": "zwolle"})
    assert first.status_code == 200
    assert "1–25 van 27" in first.text and "Garage Zuid" not in first.text
    assert 'href="/bedrijven?naam=bakkerij&amp;plaats=zwolle&amp;pagina=2"' in first.text
    second = await web.get("/bedrijven", params={"naam": "bakkerij", "plaats": "zwolle", "pagina": "2"})
    assert "26–27 van 27" in second.text and "Bakkerij 26" in second.text
    assert _value_of(second.text, "naam") == "bakkerij"


async def test_a_wrong_filter_is_explained_not_failed(web: WebClient, adviser) -> None:
    response = await web.get("/bedrijven", params={"kvk": "12ab", "postcode": "nope"})
    assert response.status_code == 400
    assert 'href="#veld-kvk"' in response.text and 'href="#veld-postcode"' in response.text
    assert _value_of(response.text, "kvk") == "12ab"


async def test_a_company_sees_its_own_card_on_its_start_page(web: WebClient, tokens: TokenFactory, runtime) -> None:
    own = await make_company(runtime, name="Kapsalon Knip")
    other = await make_company(runtime, name="Kapsalon Concurrent")
    await web.sign_in_as(tokens, Role.COMPANY, company_id=own.id)
    start = await web.get("/")
    assert start.status_code == 200
    assert "Mijn bedrijf" in start.text and "Kapsalon Knip" in start.text and own.kvk_number in start.text
    assert "Kapsalon Concurrent" not in start.text
    assert (await web.get(f"/bedrijven/{other.id}")).status_code == 403
