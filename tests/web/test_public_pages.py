"""Public pages without sign-in: the register, the anonymous report with its receipt, the certificate check."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.recognition.models import RecognitionStatus as S
from tests.factories import TokenFactory, completed_participation, make_company, make_recognition
from tests.helpers import WebClient, csrf_of, value_of, web_with

REPORT = {
    "company_name": "Garage Oost",
    "company_kvk_number": "",
    "company_establishment_number": "",
    "company_sbb_id": "",
    "ground": "ethnicity",
    "incident_date": "2025-03-14",
    "crebo": "",
    "summary": "Na het gesprek werd de stage geweigerd om mijn achternaam.",
    "confidential_narrative": "Het volledige verhaal.",
}


async def test_the_register_finds_a_company_by_one_number_or_by_name_and_town_and_shows_its_card(
    web: WebClient, runtime: Runtime,
) -> None:
    company = await make_company(runtime, name="Bakkerij De Korenschoof", postcode="3511 AB", city="Utrecht")
    await make_recognition(runtime, company, [(S.ACTIVE, date(2024, 3, 3), None)])
    for number, key in ((company.kvk_number, "KvK-nummer"), (f" {company.establishment_number} ", "vestigingsnummer"),
                        (company.sbb_id, None)):
        found = await web.get("/register", params={"number": number})
        assert found.status_code == 200
        assert f'href="/register/{company.sbb_id}"' in found.text and "1–1 van 1" in found.text
        assert "1 leerbedrijf gevonden met" in found.text
        assert (f"gevonden op {key}" in found.text) if key else ("gevonden op" not in found.text)
    by_name = await web.get("/register", params={"name_contains": "korenschoof bakk", "town": "utrecht"})
    assert "Bakkerij De Korenschoof" in by_name.text
    assert "1 leerbedrijf gevonden met ‘korenschoof bakk’ in de naam in utrecht." in by_name.text

    card = await web.get(f"/register/{company.sbb_id}")
    assert card.status_code == 200
    cells = re.findall(r'<td data-label="([^"]+)">([^<]*)</td>', card.text)
    assert cells == [("Crebo", "25180"), ("Kwalificatie", "Kok"), ("Niveau", "2"), ("Leerweg", "BOL"),
                     ("Erkend sinds", "3 maart 2024")]
    check = f"/register/controleren?company={company.sbb_id}&amp;crebo=25180&amp;pathway=bol&amp;actie=controleren"
    assert f'href="{check}"' in card.text and "/school/controleren" not in card.text  # the school's page is its own
    assert 'href="/inloggen"' in card.text  # the public navigation
    answer = await web.get(check.replace("&amp;", "&"))
    assert answer.status_code == 200
    assert "Ja. Bakkerij De Korenschoof is vandaag erkend voor Kok niveau 2 (BOL) sinds 3 maart 2024." in answer.text


async def test_not_found_says_what_was_searched_and_how_else_never_not_recognised(web: WebClient) -> None:
    by_number = await web.get("/register", params={"number": "4999 9999"})
    assert by_number.status_code == 200
    text = by_number.text
    assert "Er staat geen leerbedrijf in het register met KvK-nummer of leerbedrijf-ID 49999999." in text
    assert "zoek op een deel van de naam en de plaats" in text
    by_name = await web.get("/register", params={"name_contains": "Nergensbakker", "town": "Zeist"})
    assert "Er staat geen leerbedrijf in het register met ‘Nergensbakker’ in de naam in Zeist." in by_name.text
    assert "Zoek ook eens zonder plaats" in by_name.text and "KvK-nummer" in by_name.text
    for response in (by_number, by_name):
        assert "niet erkend" not in response.text.lower() and "geen erkenning" not in response.text.lower()


async def test_a_capped_name_search_says_so_and_how_to_narrow_it(settings, runtime: Runtime) -> None:
    for n in range(3):
        await make_company(runtime, name=f"Kapsalon Knip {n}", city="Delft")
    async with web_with(settings, register_name_search_cap=2) as web:
        capped = await web.get("/register", params={"name_contains": "kapsalon"})
        one = await web.get("/register", params={"name_contains": "knip 1", "town": "Delft"})
    assert ("Meer dan 2 leerbedrijven gevonden met ‘kapsalon’ in de naam; u ziet de 2 die het best passen. "
            "Maak de zoekvraag preciezer") in capped.text
    assert capped.text.count('class="result-list__item"') == 2
    assert "1 leerbedrijf gevonden met ‘knip 1’ in de naam in Delft." in one.text


async def test_the_register_explains_what_it_takes_and_keeps_what_was_typed(web: WebClient) -> None:
    first = await web.get("/register")
    assert first.status_code == 200 and "error-summary" not in first.text
    wrong = await web.get("/register", params={"number": "1234-abc"})
    assert wrong.status_code == 400 and 'href="#veld-number"' in wrong.text and 'role="alert"' in wrong.text
    assert "8 voor een KvK-nummer, 12 voor een vestigingsnummer" in wrong.text
    assert value_of(wrong.text, "number") == "1234-abc"
    town_alone = await web.get("/register", params={"town": "Utrecht"})
    assert town_alone.status_code == 400 and "Vul de naam of een deel ervan in." in town_alone.text
    assert value_of(town_alone.text, "town") == "Utrecht"
    short = await web.get("/register", params={"name_contains": "ab c"})
    assert short.status_code == 400 and "minstens één woord van 3 tekens" in short.text
    both = await web.get("/register", params={"number": "12345678", "name_contains": "bakkerij"})
    assert both.status_code == 400 and "Zoek op een nummer óf op de naam" in both.text


async def test_an_unknown_or_malformed_company_is_a_404_page(web: WebClient) -> None:
    html = {"Accept": "text/html"}
    for key in ("999999", "abc", "1234567890123"):
        response = await web.get(f"/register/{key}", headers=html)
        assert response.status_code == 404 and "Pagina niet gevonden" in response.text, key


async def test_an_anonymous_report_gives_its_receipt_once_and_keeps_no_address(
    web: WebClient, runtime: Runtime
) -> None:
    response = await web.submit("/melden", data=REPORT)
    assert response.status_code == 201
    receipt = re.search(r"data-receipt>([0-9A-Z-]+)<", response.text)
    assert receipt and "Schrijf deze code nu op" in response.text
    assert response.headers["cache-control"] == "no-store"
    async with runtime.engine.connect() as conn:
        row = (await conn.execute(sa.text(
            "SELECT r.channel, r.company_name_given, c.narrative FROM report r "
            "JOIN report_confidential c ON c.report_id = r.id"))).one()
        origin = (await conn.execute(sa.text(
            "SELECT origin FROM audit_event WHERE action = 'report.received' ORDER BY seq DESC LIMIT 1"))).scalar()
    assert row == ("public_form", "Garage Oost", "Het volledige verhaal.")
    assert origin is None

    # The status is asked by POST: the code never travels in a URL.
    status = await web.submit("/melden/status", data={"receipt": receipt.group(1).lower()})
    assert status.status_code == 200 and "Uw melding is ontvangen" in status.text
    assert receipt.group(1) not in status.text
    unknown = await web.submit("/melden/status", data={"receipt": "AAAA-BBBB-CCCC-DDDD-EEEE"})
    assert unknown.status_code == 404 and "We vinden geen melding met deze code" in unknown.text


async def test_a_report_with_errors_is_summarised_with_values_kept_and_nothing_stored(
    web: WebClient, runtime: Runtime
) -> None:
    entered = {**REPORT, "company_name": "", "incident_date": "2999-01-01", "summary": "x" * 501, "ground": "nope"}
    response = await web.submit("/melden", data=entered)
    assert response.status_code == 422
    summary = response.text[response.text.index('class="error-summary"'):]
    for field in ("veld-company-name", "veld-ground", "veld-incident-date", "veld-summary"):
        assert f'href="#{field}"' in summary, field
    assert "Vul ten minste één gegeven van het bedrijf in" in summary
    assert "Beschrijf het in hoogstens 500 tekens." in summary and "bijzondere tekens" not in response.text
    # The form speaks to the student as "u" throughout, also where it asks for the story.
    assert "Wat is er gebeurd, in uw eigen woorden?" in response.text and "de student" not in response.text
    assert value_of(response.text, "incident_date") == "2999-01-01"
    assert "Het volledige verhaal." in response.text
    async with runtime.engine.connect() as conn:
        assert (await conn.execute(sa.text("SELECT count(*) FROM report"))).scalar() == 0


async def test_the_anonymous_form_is_for_visitors_who_are_not_signed_in(web: WebClient, tokens: TokenFactory) -> None:
    await web.sign_in_as(tokens, Role.SCHOOL, school_brin="25LX")
    form = await web.get("/melden")
    assert "U bent ingelogd" in form.text and 'action="/melden"' not in form.text
    refused = await web.http.post("/melden", data={"_csrf": csrf_of(form.text), **REPORT})
    assert refused.status_code == 403


async def test_the_certificate_check_says_whether_a_code_is_real(web: WebClient, runtime: Runtime) -> None:
    code = await completed_participation(runtime, company_name="Kapsalon Knip", course_title="Werven zonder vooroordelen")
    found = await web.get("/certificaat", params={"code": code.lower()})
    assert found.status_code == 200
    assert "Dit certificaat is echt" in found.text and "Kapsalon Knip" in found.text
    missing = await web.get("/certificaat", params={"code": "AAAABBBBCCCCDDDD"})
    assert missing.status_code == 404 and "Er is geen certificaat met deze code" in missing.text
    assert value_of(missing.text, "code") == "AAAABBBBCCCCDDDD"
    assert (await web.get("/certificaat")).status_code == 200


async def test_public_pages_are_rate_limited_as_the_api_is_with_a_dutch_page(settings) -> None:
    limits = {"register_anon_limit": 2, "report_intake_limit": 1, "certificate_check_per_minute": 1}
    async with web_with(settings, **limits) as web:
        for _ in range(2):
            assert (await web.get("/register")).status_code == 200
        register = await web.get("/register", params={"number": "12345678"})
        assert (await web.submit("/melden", data=REPORT)).status_code == 201
        report = await web.submit("/melden", data=REPORT)
        assert (await web.get("/certificaat", params={"code": "AAAABBBBCCCCDDDD"})).status_code == 404
        certificate = await web.get("/certificaat", params={"code": "AAAABBBBCCCCDDDD"})
        assert (await web.get("/certificaat")).status_code == 200  # the empty form costs nothing
    for limited in (register, report, certificate):
        assert limited.status_code == 429, limited.request.url
        assert "Te veel verzoeken" in limited.text and limited.headers["retry-after"]
        assert limited.headers["content-type"].startswith("text/html")
