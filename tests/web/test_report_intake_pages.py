"""Nieuwe melding: staff enter a report received by phone, e-mail, letter, from an agency or a municipality,
with its channel and day of receipt; and the report's way to the case it opened (and back)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import sqlalchemy as sa

from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from tests.factories import TokenFactory, facts, make_company, substantiated_case
from tests.helpers import REPORTS, WebClient, post_form, scalar


def _entry(**overrides: str) -> dict[str, str]:
    return {
        "channel": "email", "received_on": (clock.today() - timedelta(days=2)).isoformat(),
        "company_name": "", "company_kvk_number": "", "company_establishment_number": "", "company_sbb_id": "",
        "ground": "religion", "incident_date": (clock.today() - timedelta(days=9)).isoformat(), "crebo": "",
        "summary": "Stagiaire met hoofddoek geweigerd", "confidential_reporter_name": "",
        "confidential_reporter_contact": "", "confidential_narrative": "", **overrides,
    }


async def _count(runtime: Runtime) -> int:
    return int(await scalar(runtime, "SELECT count(*) FROM report"))


async def test_an_adviser_enters_a_report_received_by_e_mail_from_the_list(
    web: WebClient, tokens: TokenFactory, runtime: Runtime
) -> None:
    company = await make_company(runtime, name="Kapsalon Knip")
    await web.sign_in_as(tokens, Role.ADVISER)
    listed = await web.get("/meldingen")
    assert 'href="/meldingen/nieuw"' in listed.text and "Nieuwe melding" in listed.text
    form = await web.get("/meldingen/nieuw")
    assert form.status_code == 200
    assert f'value="{clock.today().isoformat()}"' in form.text  # the day of receipt starts at today
    for channel in ("telefoon", "e-mail", "brief", "antidiscriminatievoorziening", "gemeente"):
        assert f">{channel[:1].upper()}{channel[1:]}</label>" in form.text, channel
    assert 'value="school_reporting_point"' not in form.text and 'value="public_form"' not in form.text
    received = clock.today() - timedelta(days=2)
    sent = await post_form(web, "/meldingen/nieuw", "/meldingen/nieuw", _entry(
        company_sbb_id=company.sbb_id, confidential_reporter_contact="06-12345678",
        confidential_narrative="Zij vertelde het aan de telefoon.",
    ))
    assert sent.status_code == 303
    report_id = sent.headers["location"].rsplit("/", 1)[-1]
    async with runtime.engine.connect() as conn:
        row = (await conn.execute(sa.text(
            "SELECT channel, received_on, company_id, status FROM report WHERE id = :id"), {"id": report_id})).one()
        kept = await conn.scalar(sa.text("SELECT narrative FROM report_confidential WHERE report_id = :id"),
                                 {"id": report_id})
    assert (row[0], row[1], row[2], row[3]) == ("email", received, company.id, "received")
    assert kept == "Zij vertelde het aan de telefoon."
    shown = await web.get(f"/meldingen/{report_id}")
    assert "De melding is ingevoerd." in shown.text and "e-mail" in shown.text
    assert "Kapsalon Knip" in shown.text


async def test_every_error_of_a_new_report_at_once_and_nothing_kept(web: WebClient, tokens: TokenFactory,
                                                                   runtime: Runtime) -> None:
    await web.sign_in_as(tokens, Role.ADVISER)
    empty = await post_form(web, "/meldingen/nieuw", "/meldingen/nieuw", _entry(
        channel="", received_on="", ground="", incident_date="", summary=""))
    assert empty.status_code == 422
    summary = empty.text.split('class="error-summary__list"')[1].split("</ul>")[0]
    for field in ("channel", "received-on", "company-name", "ground", "incident-date", "summary"):
        assert f'href="#veld-{field}"' in summary, field
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    future = await post_form(web, "/meldingen/nieuw", "/meldingen/nieuw", _entry(
        company_name="Bouw BV", received_on=tomorrow))
    assert future.status_code == 422 and "niet in de toekomst ligt" in future.text
    before = await post_form(web, "/meldingen/nieuw", "/meldingen/nieuw", _entry(
        company_name="Bouw BV", received_on=(clock.today() - timedelta(days=20)).isoformat()))
    assert before.status_code == 422 and "niet vóór de datum van het voorval" in before.text
    schools_route = await post_form(web, "/meldingen/nieuw", "/meldingen/nieuw", _entry(
        company_name="Bouw BV", channel="school_reporting_point"))
    assert schools_route.status_code == 422 and "Kies hoe de melding binnenkwam." in schools_route.text
    assert await _count(runtime) == 0


async def test_a_school_has_its_own_route_in(web: WebClient, tokens: TokenFactory) -> None:
    await web.sign_in_as(tokens, Role.SCHOOL, school_brin="25LX")
    assert (await web.get("/meldingen/nieuw")).status_code == 403


async def test_only_advisers_enter_reports_on_the_page(web: WebClient, tokens: TokenFactory) -> None:
    await web.sign_in_as(tokens, Role.ADMIN)
    assert (await web.get("/meldingen/nieuw")).status_code == 403
    assert 'href="/meldingen/nieuw"' not in (await web.get("/meldingen")).text


async def test_the_api_takes_the_new_channels_and_the_day_of_receipt(
    client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    adviser = await tokens.make(Role.ADVISER)
    body = {**facts(), "channel": "municipality", "received_on": (clock.today() - timedelta(days=1)).isoformat()}
    made = await client.post(REPORTS, json=body, headers=adviser.headers)
    assert made.status_code == 201, made.text
    assert made.json()["channel"] == "municipality" and made.json()["received_on"] == body["received_on"]
    today = await client.post(REPORTS, json={**facts(), "channel": "letter"}, headers=adviser.headers)
    assert today.json()["received_on"] == clock.today().isoformat()
    for wrong in ((clock.today() + timedelta(days=1)).isoformat(), (clock.today() - timedelta(days=30)).isoformat()):
        refused = await client.post(REPORTS, json={**body, "received_on": wrong}, headers=adviser.headers)
        assert refused.status_code == 422, wrong
        assert refused.headers["content-type"].startswith("application/problem+json")


async def test_a_substantiated_report_links_to_its_case_and_the_case_back(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    company = await make_company(runtime, name="Drukkerij Punt")
    adviser = await web.sign_in_as(tokens, Role.ADVISER)
    case_id = await substantiated_case(client, runtime, adviser, company)
    report_id = str(await scalar(runtime, "SELECT report_id FROM investigation_report WHERE investigation_id = :id",
                                 id=case_id))
    report = await web.get(f"/meldingen/{report_id}")
    assert f'href="/onderzoeken/{case_id}"' in report.text
    assert "Onderzoek bij deze melding" in report.text and "open" in report.text
    case = await web.get(f"/onderzoeken/{case_id}")
    assert f'href="/meldingen/{report_id}"' in case.text
