"""School pages: checking one company, checking a CSV file, subscriptions and the webhook, passing reports on."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from erkenning.companies.models import Company
from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.recognition.models import RecognitionStatus as S
from erkenning.reports.schemas import assessment_due
from erkenning.vocabulary import long_date
from tests.factories import (
    SUSPENSION_AND_WITHDRAWAL,
    Principal,
    TokenFactory,
    build_world,
    make_company,
    make_recognition,
)
from tests.helpers import WebClient, csrf_of, error_summary, value_of, web_with

PUBLIC_HOOK = "https://93.184.216.34/erkenning"  # an address literal: no name to resolve in the test


@pytest.fixture
async def school(web: WebClient, tokens: TokenFactory) -> Principal:
    return await web.sign_in_as(tokens, Role.SCHOOL, school_brin="25LX", email="stagebureau@roc.example")


@pytest.fixture
async def bakery(runtime: Runtime) -> Company:
    company = await make_company(runtime, name="Bakkerij De Korenschoof")
    await make_recognition(runtime, company, SUSPENSION_AND_WITHDRAWAL)
    return company


async def test_checking_one_company_for_a_qualification_and_date(web: WebClient, school, bakery: Company) -> None:
    today = await web.get("/school/controleren", params={
        "company": bakery.sbb_id, "crebo": "25180", "pathway": "bol", "date": "2025-05-01", "actie": "controleren"})
    assert today.status_code == 200
    assert "Ja. Bakkerij De Korenschoof was op 1 mei 2025 erkend voor Kok niveau 2 (BOL) sinds 1 januari 2024" in today.text
    suspended = await web.get("/school/controleren", params={
        "company": bakery.establishment_number, "crebo": "25180", "pathway": "bol", "date": "2026-04-01",
        "actie": "controleren"})
    assert "Niet erkend" in suspended.text and "geschorst sinds 1 maart 2026, tot 1 juni 2026" in suspended.text
    other_pathway = await web.get("/school/controleren", params={
        "company": bakery.sbb_id, "crebo": "25180", "pathway": "bbl", "actie": "controleren"})
    assert "Nee. Bakkerij De Korenschoof had vandaag geen erkenning voor Kok niveau 2 (BBL)." in other_pathway.text


async def test_a_wrong_question_is_explained_with_the_values_kept(web: WebClient, school, bakery: Company) -> None:
    prefilled = await web.get("/school/controleren", params={"company": bakery.sbb_id})
    assert prefilled.status_code == 200 and "error-summary" not in prefilled.text
    assert value_of(prefilled.text, "company") == bakery.sbb_id
    wrong = await web.get("/school/controleren", params={
        "company": "12ab", "crebo": "2518", "pathway": "", "actie": "controleren"})
    assert wrong.status_code == 400
    summary = error_summary(wrong.text)
    assert 'href="#veld-company"' in summary and 'href="#veld-crebo"' in summary and "Kies de leerweg." in summary
    assert value_of(wrong.text, "crebo") == "2518"
    unknown = await web.get("/school/controleren", params={
        "company": "99999999", "crebo": "25180", "pathway": "bol", "actie": "controleren"})
    assert unknown.status_code == 400
    assert "Er staat geen leerbedrijf in het register met KvK-nummer of leerbedrijf-ID 99999999." in unknown.text
    assert "zoek het bedrijf in het register op naam en plaats of op het KvK-nummer" in unknown.text


async def test_a_kvk_number_checks_the_company_of_its_only_establishment(
    web: WebClient, school, bakery: Company, runtime: Runtime
) -> None:
    ask = {"company": bakery.kvk_number, "crebo": "25180", "pathway": "bol", "date": "2025-05-01",
           "actie": "controleren"}
    answer = await web.get("/school/controleren", params=ask)
    assert answer.status_code == 200
    assert "Ja. Bakkerij De Korenschoof was op 1 mei 2025 erkend voor Kok niveau 2 (BOL)" in answer.text
    await make_company(runtime, name="Bakkerij De Korenschoof, filiaal", kvk_number=bakery.kvk_number)
    two = await web.get("/school/controleren", params=ask)
    assert two.status_code == 400 and 'href="#veld-company"' in two.text
    assert f"Bij KvK-nummer {bakery.kvk_number} horen 2 vestigingen." in two.text and "Ja." not in two.text


async def _upload(web: WebClient, content: str, name: str = "lijst.csv"):
    form = await web.get("/school/bestand")
    return await web.http.post("/school/bestand", data={"_csrf": csrf_of(form.text)},
                               files={"bestand": (name, content.encode(), "text/csv")})


async def test_a_csv_file_is_answered_as_a_csv_file_in_order(
    web: WebClient, school, bakery: Company, runtime: Runtime
) -> None:
    other = await _recognised_for_bbl(runtime)
    upload = (
        "\ufeffcompany;crebo;pathway;date\r\n"
        f"{bakery.sbb_id};25180;BOL;01-05-2025\r\n"
        "\r\n"
        f"{bakery.establishment_number};25180;bol;2026-04-01\r\n"
        f"{other};25180;bbl;\r\n"
        "99999999;25180;bol;2025-05-01\r\n"
    )
    response = await _upload(web, upload)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="erkenningen-')
    rows = list(csv.DictReader(io.StringIO(response.text), delimiter=";"))
    assert list(rows[0]) == ["regel", "leerbedrijf", "crebo", "leerweg", "datum", "erkend", "status", "sinds", "tot",
                             "lopende_stages_tot"]
    assert [(r["regel"], r["leerbedrijf"], r["datum"], r["erkend"], r["status"], r["sinds"], r["tot"]) for r in rows] == [
        ("2", bakery.sbb_id, "2025-05-01", "ja", "erkend", "2024-01-01", "2026-03-01"),
        ("4", bakery.establishment_number, "2026-04-01", "nee", "geschorst", "2026-03-01", "2026-06-01"),
        ("5", other, rows[2]["datum"], "ja", "erkend", "2020-01-01", ""),
        ("6", "99999999", "2025-05-01", "nee", "geen erkenning", "", ""),
    ]
    assert rows[0]["leerweg"] == "bol" and rows[2]["leerweg"] == "bbl"


async def test_dutch_column_names_are_taken_and_an_answers_file_can_be_checked_again(
    web: WebClient, school, bakery: Company
) -> None:
    dutch = await _upload(web, f"leerbedrijf,crebo,leerweg,datum\n{bakery.sbb_id},25180,bol,01-05-2025\n")
    assert dutch.status_code == 200
    again = await _upload(web, dutch.text)  # the answers' own columns: regel, leerbedrijf, crebo, leerweg, datum, …
    assert again.status_code == 200
    rows = list(csv.DictReader(io.StringIO(again.text)))
    assert [(r["regel"], r["leerbedrijf"], r["datum"], r["erkend"]) for r in rows] == [
        ("2", bakery.sbb_id, "2025-05-01", "ja")
    ]


async def _recognised_for_bbl(runtime: Runtime) -> str:
    """A second company, recognised for BBL since 2020 (its SBB id)."""
    company = await make_company(runtime, name="Garage Oost")
    await make_recognition(runtime, company, [(S.ACTIVE, date(2020, 1, 1), None)], pathway="bbl")
    return str(company.sbb_id)


async def test_bad_lines_are_reported_by_number_and_nothing_is_answered(web: WebClient, school) -> None:
    upload = "company,crebo,pathway,date\n123,25180,bol,\n456,2518,bol,\n,25180,bol,\n789,25180,bus,2025-02-30\n"
    response = await _upload(web, upload)
    assert response.status_code == 422 and response.headers["content-type"].startswith("text/html")
    assert "Er staan fouten in 3 regels van het bestand." in error_summary(response.text)
    table = response.text[response.text.index('id="fouten"'):]
    for line, text in (("3", "precies 5 cijfers"), ("4", "Vul het leerbedrijf-ID"), ("5", "bol of bbl")):
        assert f"<tr><td>{line}</td>" in table and text in table, line


async def test_a_file_without_its_columns_or_too_long_is_refused_whole_and_counted(
    settings, tokens: TokenFactory
) -> None:
    async with web_with(settings, register_batch_max_items=2, register_batch_limit=4) as web:
        await web.sign_in_as(tokens, Role.SCHOOL, school_brin="25LX")
        no_header = await _upload(web, "123;25180;bol\n")
        assert no_header.status_code == 422 and "De eerste regel noemt de kolom leerbedrijf niet." in no_header.text
        too_long = await _upload(web, "company,crebo,pathway\n1,25180,bol\n2,25180,bol\n3,25180,bol\n")
        assert too_long.status_code == 422 and "Controleer hoogstens 2 regels per keer." in too_long.text
        form = await web.get("/school/bestand")
        missing = await web.http.post("/school/bestand", data={"_csrf": csrf_of(form.text)},
                                      files={"bestand": ("", b"", "application/octet-stream")})
        assert missing.status_code == 422 and "Kies een CSV-bestand." in missing.text
        # Every upload counts against the batch limit, as a batch in the API does.
        assert (await _upload(web, "company,crebo,pathway\n1,25180,bol\n")).status_code == 200
        limited = await _upload(web, "company,crebo,pathway\n1,25180,bol\n")
    assert limited.status_code == 429 and "Te veel verzoeken" in limited.text


async def test_an_upload_without_the_csrf_token_is_refused(web: WebClient, school) -> None:
    response = await web.http.post("/school/bestand", files={"bestand": ("l.csv", b"company,crebo,pathway\n", "text/csv")})
    assert response.status_code == 403 and "Formulier verlopen" in response.text


async def test_school_pages_are_for_schools(web: WebClient, tokens: TokenFactory) -> None:
    await web.sign_in_as(tokens, Role.COMPANY)
    for path in ("/school/controleren", "/school/bestand", "/school/abonnementen", "/school/webhook",
                 "/school/meldingen", "/school/meldingen/nieuw"):
        assert (await web.get(path)).status_code == 403, path


async def test_following_a_company_by_e_mail_and_stopping(web: WebClient, school, bakery: Company, runtime) -> None:
    response = await web.submit("/school/abonnementen", data={"company": bakery.establishment_number, "channel": "email",
                                                              "email": ""})
    assert response.status_code == 303
    page = (await web.get("/school/abonnementen")).text
    assert "U volgt dit bedrijf nu." in page and "Bakkerij De Korenschoof" in page and "stagebureau@roc.example" in page
    again = await web.submit("/school/abonnementen", data={"company": bakery.sbb_id, "channel": "email", "email": ""})
    assert again.status_code == 422 and "U volgt dit bedrijf al." in again.text
    async with runtime.engine.connect() as conn:
        subscription = (await conn.execute(sa.text("SELECT id FROM school_subscription"))).scalar()
    stopped = await web.submit("/school/abonnementen", f"/school/abonnementen/{subscription}/opzeggen")
    assert stopped.status_code == 303
    assert "U volgt dit bedrijf niet meer." in (await web.get("/school/abonnementen")).text


async def test_following_needs_a_known_company_and_a_webhook_for_webhook_notices(web: WebClient, school, bakery) -> None:
    unknown = await web.submit("/school/abonnementen", data={"company": "99999999", "channel": "email", "email": ""})
    assert unknown.status_code == 422 and "Er is geen leerbedrijf met dit nummer" in unknown.text
    assert value_of(unknown.text, "company") == "99999999"
    hookless = await web.submit("/school/abonnementen", data={"company": bakery.sbb_id, "channel": "webhook", "email": ""})
    assert hookless.status_code == 422 and "Stel eerst een webhook in" in error_summary(hookless.text)


async def test_the_webhook_secret_is_shown_once(web: WebClient, school, bakery: Company) -> None:
    bad = await web.submit("/school/webhook", data={"url": "http://93.184.216.34/x"})
    assert bad.status_code == 422 and "Het adres moet met https:// beginnen." in bad.text
    internal = await web.submit("/school/webhook", data={"url": "https://10.0.0.8/x"})
    assert internal.status_code == 422 and "vanaf internet bereikbaar" in internal.text
    set_ = await web.submit("/school/webhook", data={"url": PUBLIC_HOOK})
    assert set_.status_code == 200 and "data-secret" in set_.text
    secret = set_.text.split("data-secret>")[1].split("<")[0]
    assert len(secret) > 20
    later = await web.get("/school/webhook")
    assert secret not in later.text and f"…{secret[-4:]}" in later.text and PUBLIC_HOOK in later.text
    follows = await web.submit("/school/abonnementen", data={"company": bakery.sbb_id, "channel": "webhook", "email": ""})
    assert follows.status_code == 303
    deleted = await web.submit("/school/webhook", "/school/webhook/verwijderen")
    assert deleted.status_code == 303 and "Stel een webhook in" in (await web.get("/school/abonnementen")).text


async def test_another_schools_subscription_is_not_found(
    web: WebClient, school, bakery, tokens: TokenFactory, runtime: Runtime
) -> None:
    await web.submit("/school/abonnementen", data={"company": bakery.sbb_id, "channel": "email", "email": ""})
    async with runtime.engine.connect() as conn:
        subscription = (await conn.execute(sa.text("SELECT id FROM school_subscription"))).scalar()
    await web.sign_out()
    await web.sign_in_as(tokens, Role.SCHOOL, school_brin="30AB")
    page = await web.get("/school/abonnementen")
    assert "Bakkerij De Korenschoof" not in page.text
    refused = await web.http.post(f"/school/abonnementen/{subscription}/opzeggen", data={"_csrf": csrf_of(page.text)})
    assert refused.status_code == 404


REPORT = {
    "company_name": "", "company_kvk_number": "", "company_establishment_number": "", "company_sbb_id": "",
    "ground": "religion", "incident_date": "2025-03-14", "crebo": "25180",
    "summary": "Stage geweigerd vanwege hoofddoek.", "school_reference": "MP-2025/014",
    "confidential_reporter_name": "Student A", "confidential_reporter_contact": "a@student.example",
    "confidential_narrative": "Het hele verhaal.",
}


async def test_passing_a_report_on_with_its_confidential_part(
    web: WebClient, school, bakery: Company, runtime: Runtime
) -> None:
    response = await web.submit("/school/meldingen/nieuw", data={**REPORT, "company_sbb_id": bakery.sbb_id})
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/school/meldingen/[0-9a-f-]{36}", location)
    shown = await web.get(location)
    listed = (await web.get("/school/meldingen")).text
    due = long_date(assessment_due(clock.now(), 10))  # the term's own rules: tests/reports/test_intake.py
    reference = re.search(r"<h1>Melding (SBB-M-\d{4}-\d{6})</h1>", shown.text)
    assert reference is not None, shown.text
    text = " ".join(re.sub(r"<[^>]+>", " ", shown.text).split())
    assert "De melding is doorgegeven aan SBB. Bewaar het kenmerk" in text
    assert f"SBB beoordeelt de melding binnen 10 werkdagen: uiterlijk op {due} ." in text
    assert "Eerst beoordeelt SBB de melding, binnen de termijn hierboven. Daarna kan SBB uw meldpunt om een reactie" in text
    assert f"Noem het kenmerk {reference.group(1)}" in text and "MP-2025/014" in text
    assert reference.group(1) in listed and "MP-2025/014" in listed and "ontvangen" in listed
    assert due in listed
    for page_text in (shown.text, listed):
        assert "Het hele verhaal." not in page_text and "Student A" not in page_text
    async with runtime.engine.connect() as conn:
        row = (await conn.execute(sa.text(
            "SELECT r.channel, r.school_brin, r.company_id, c.reporter_name, c.narrative FROM report r "
            "JOIN report_confidential c ON c.report_id = r.id"))).one()
    assert row == ("school_reporting_point", "25LX", bakery.id, "Student A", "Het hele verhaal.")


async def test_a_report_with_errors_keeps_every_value(web: WebClient, school, runtime: Runtime) -> None:
    response = await web.submit("/school/meldingen/nieuw", data={**REPORT, "school_reference": "zaak #1",
                                                                 "company_kvk_number": "123"})
    assert response.status_code == 422
    summary = error_summary(response.text)
    assert 'href="#veld-company-kvk-number"' in summary and 'href="#veld-school-reference"' in summary
    assert value_of(response.text, "confidential_narrative") == "Het hele verhaal."
    assert value_of(response.text, "school_reference") == "zaak #1"
    async with runtime.engine.connect() as conn:
        assert (await conn.execute(sa.text("SELECT count(*) FROM report"))).scalar() == 0


async def test_a_school_sees_only_the_reports_it_passed_on(web: WebClient, school, tokens: TokenFactory) -> None:
    await web.submit("/school/meldingen/nieuw", data={**REPORT, "company_name": "Garage Oost"})
    await web.sign_out()
    await web.sign_in_as(tokens, Role.SCHOOL, school_brin="30AB")
    assert "MP-2025/014" not in (await web.get("/school/meldingen")).text


async def test_a_suspension_says_until_when_running_placements_may_continue(
    web: WebClient, school, runtime: Runtime, tokens: TokenFactory
) -> None:
    world = await build_world(runtime, tokens)
    recognition_id = await world.granted(on=clock.today() - timedelta(days=100))
    start, placements = clock.today() + timedelta(days=5), clock.today() + timedelta(days=50)
    await world.decide("withdraw", [recognition_id], effective_from=start, placements_until=placements)
    company = await world.company_row()
    answer = await web.get("/school/controleren", params={
        "company": company.sbb_id, "crebo": "25180", "pathway": "bol", "date": (start + timedelta(days=1)).isoformat(),
        "actie": "controleren"})
    assert "ingetrokken sinds" in answer.text
    assert f"mogen die afmaken tot en met {long_date(placements)}" in answer.text
