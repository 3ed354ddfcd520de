"""Report pages: the list, triage through forms, the confidential part behind a stated purpose."""

from __future__ import annotations

import re

import httpx
import pytest
import sqlalchemy as sa

from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from tests.factories import TokenFactory, confidential, facts, make_company, school_report
from tests.helpers import WebClient, csrf_of

UNKNOWN = "00000000-0000-4000-8000-000000000000"


async def _report(client: httpx.AsyncClient, tokens: TokenFactory, about=None, **overrides) -> str:
    """A report passed on by a school, about the company `about` (or as `overrides` name it)."""
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    body = {**facts(about), **overrides, "school_reference": "MP-2026-7", "confidential": confidential("x")}
    return str((await school_report(client, school, body))["id"])


async def _post(web: WebClient, report_id: str, action: str, data: dict | None = None) -> httpx.Response:
    page = await web.get(f"/meldingen/{report_id}")
    return await web.http.post(f"/meldingen/{report_id}/{action}", data={"_csrf": csrf_of(page.text), **(data or {})})


async def _status(runtime: Runtime, report_id: str) -> tuple[str, str | None]:
    async with runtime.engine.connect() as conn:
        row = (await conn.execute(sa.text("SELECT status, assigned_to FROM report WHERE id = :id"),
                                  {"id": report_id})).one()
    return row[0], str(row[1]) if row[1] else None


async def test_the_list_shows_reports_with_their_company_and_filters_by_assignment(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    company = await make_company(runtime, name="Garage De Zuid")
    report_id = await _report(client, tokens, company)
    await _report(client, tokens, None, company={"name": "Onbekend Bouw BV"})
    adviser = await web.sign_in_as(tokens, Role.ADVISER)
    listed = await web.get("/meldingen")
    assert listed.status_code == 200
    assert "Garage De Zuid" in listed.text and "Onbekend Bouw BV" in listed.text and "1–2 van 2" in listed.text
    assert "afkomst of huidskleur" in listed.text and "ontvangen</span>" in listed.text
    assert "Het verhaal van de student" not in listed.text
    assert (await _post(web, report_id, "toewijzen")).status_code == 303
    mine = await web.get("/meldingen", params={"toegewezen": "mij"})
    assert "Garage De Zuid" in mine.text and "Onbekend Bouw BV" not in mine.text
    assert (await _status(runtime, report_id))[1] == str(adviser.id)


async def test_a_report_shows_its_facts_and_the_other_reports_about_the_company(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    company = await make_company(runtime, name="Hotel Zeezicht")
    await _report(client, tokens, company)
    report_id = await _report(client, tokens, company, summary="Stagiaire geweigerd vanwege hoofddoek", ground="religion")
    await web.sign_in_as(tokens, Role.ADVISER)
    response = await web.get(f"/meldingen/{report_id}")
    assert response.status_code == 200
    text = response.text
    assert "Stagiaire geweigerd vanwege hoofddoek" in text and "godsdienst of levensovertuiging" in text
    assert "meldpunt van een mbo-school (BRIN 25LX, kenmerk MP-2026-7)" in text
    assert "Herhaalde meldingen" in text and "1 in de afgelopen 24 maanden" in text
    assert f'href="/bedrijven/{company.id}"' in text
    # Not assigned to this adviser: no way to the confidential part, but the report can be taken.
    assert "Toon vertrouwelijke gegevens" not in text and "Melding oppakken" in text


async def test_the_confidential_part_shows_only_after_a_stated_purpose_and_the_read_is_audited(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    report_id = await _report(client, tokens, await make_company(runtime))
    await web.sign_in_as(tokens, Role.ADVISER)
    await _post(web, report_id, "toewijzen")
    before = await web.get(f"/meldingen/{report_id}")
    assert "Toon vertrouwelijke gegevens" in before.text and "Het verhaal van de student" not in before.text

    missing = await _post(web, report_id, "vertrouwelijk", {"purpose": ""})
    assert missing.status_code == 422 and 'href="#veld-inzage-purpose"' in missing.text
    assert "Het verhaal van de student" not in missing.text

    shown = await _post(web, report_id, "vertrouwelijk", {"purpose": "triage"})
    assert shown.status_code == 200
    assert "Het verhaal van de student x" in shown.text and "Melder x" in shown.text
    assert "U ziet deze gegevens voor: beoordeling van de melding" in shown.text
    assert shown.headers["cache-control"] == "no-store"
    async with runtime.engine.connect() as conn:
        purpose = (await conn.execute(sa.text(
            "SELECT purpose FROM audit_event WHERE action = 'report.confidential_read' AND object_id = :id "
            "AND result = 'success'"), {"id": report_id})).scalar_one()
    assert purpose == "triage"


async def test_another_adviser_cannot_open_the_confidential_part(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    report_id = await _report(client, tokens, await make_company(runtime))
    senior = await tokens.make(Role.SENIOR_ADVISER)
    assigned = await tokens.make(Role.ADVISER)
    response = await client.post(f"/api/v1/backoffice/reports/{report_id}/assign",
                                 json={"adviser_id": str(assigned.id)}, headers=senior.headers)
    assert response.status_code == 200
    await web.sign_in_as(tokens, Role.ADVISER)
    page = await web.get(f"/meldingen/{report_id}")
    assert "Toon vertrouwelijke gegevens" not in page.text and "Melding oppakken" not in page.text
    refused = await web.http.post(f"/meldingen/{report_id}/vertrouwelijk",
                                  data={"_csrf": csrf_of(page.text), "purpose": "triage"})
    assert refused.status_code == 404 and "Het verhaal van de student" not in refused.text


async def test_triage_through_the_forms_substantiates_the_report(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    company = await make_company(runtime)
    report_id = await _report(client, tokens, company)
    await web.sign_in_as(tokens, Role.ADVISER)
    assert (await _post(web, report_id, "toewijzen")).status_code == 303
    started = await _post(web, report_id, "beoordeling-starten")
    assert started.status_code == 303
    page = await web.get(started.headers["location"])
    assert "De beoordeling van de melding is gestart." in page.text
    assert 'value="substantiated"' in page.text and 'value="referred"' in page.text

    empty = await _post(web, report_id, "beoordeling", {"outcome": "substantiated", "reason": "  "})
    assert empty.status_code == 422
    assert 'href="#veld-beoordeling-reason"' in empty.text and "Vul de motivering in." in empty.text
    assert 'value="substantiated" checked' in empty.text
    assert (await _status(runtime, report_id))[0] == "in_triage"

    done = await _post(web, report_id, "beoordeling", {"outcome": "substantiated", "reason": "Aannemelijk"})
    assert done.status_code == 303
    assert (await _status(runtime, report_id))[0] == "substantiated"
    after = await web.get(done.headers["location"])
    assert "De uitkomst van de beoordeling is vastgelegd." in after.text and "gegrond</span>" in after.text


async def test_a_referral_needs_the_body_it_goes_to(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    report_id = await _report(client, tokens, None, company={"name": "Onbekend BV"})
    await web.sign_in_as(tokens, Role.SENIOR_ADVISER)
    await _post(web, report_id, "beoordeling-starten")
    page = (await web.get(f"/meldingen/{report_id}")).text
    # Without a company the report cannot be substantiated: that outcome is not offered.
    assert 'value="substantiated"' not in page and "Koppel de melding eerst aan een bedrijf" in page
    missing = await _post(web, report_id, "beoordeling", {"outcome": "referred", "reason": "Politiezaak"})
    assert missing.status_code == 422 and 'href="#veld-beoordeling-referred-to"' in missing.text
    referred = await _post(web, report_id, "beoordeling",
                           {"outcome": "referred", "reason": "Politiezaak", "referred_to": "police"})
    assert referred.status_code == 303
    assert (await _status(runtime, report_id))[0] == "referred"


async def test_matching_a_report_to_a_company_by_its_number(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    company = await make_company(runtime, name="Drukkerij Letter")
    report_id = await _report(client, tokens, None, company={"name": "Drukkerij"})
    await web.sign_in_as(tokens, Role.SENIOR_ADVISER)
    unknown = await _post(web, report_id, "koppelen", {"number": "999999999999"})
    assert unknown.status_code == 422 and "geen bedrijf met dit nummer" in unknown.text
    assert re.search(r'name="number"[^>]*value="999999999999"|value="999999999999"[^>]*name="number"', unknown.text)
    matched = await _post(web, report_id, "koppelen", {"number": company.establishment_number})
    assert matched.status_code == 303
    page = await web.get(f"/meldingen/{report_id}")
    assert "Drukkerij Letter" in page.text and "De melding is aan het bedrijf gekoppeld." in page.text


async def test_a_step_the_adviser_may_not_take_is_refused_with_a_message_and_changes_nothing(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    report_id = await _report(client, tokens, await make_company(runtime))
    await web.sign_in_as(tokens, Role.ADVISER)
    refused = await _post(web, report_id, "beoordeling-starten")
    assert refused.status_code == 403
    assert "Alleen de adviseur aan wie de melding is toegewezen" in refused.text
    assert (await _status(runtime, report_id)) == ("received", None)


@pytest.mark.parametrize("role", [Role.COMPANY, Role.SCHOOL])
async def test_reports_are_not_for_companies_or_schools(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime, role: Role
) -> None:
    report_id = await _report(client, tokens, await make_company(runtime))
    await web.sign_in_as(tokens, role, **({"school_brin": "25LX"} if role is Role.SCHOOL else {}))
    assert (await web.get("/meldingen")).status_code == 403
    assert (await web.get(f"/meldingen/{report_id}")).status_code == 403


async def test_an_unknown_report_is_a_404_page(web: WebClient, tokens: TokenFactory) -> None:
    await web.sign_in_as(tokens, Role.ADVISER)
    response = await web.get(f"/meldingen/{UNKNOWN}")
    assert response.status_code == 404 and "Pagina niet gevonden" in response.text


async def test_an_admin_reads_reports_but_has_no_steps(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    report_id = await _report(client, tokens, await make_company(runtime))
    await web.sign_in_as(tokens, Role.ADMIN)
    page = await web.get(f"/meldingen/{report_id}")
    assert page.status_code == 200 and "Melding oppakken" not in page.text and "Toewijzen" not in page.text
    assert (await web.http.post(f"/meldingen/{report_id}/toewijzen", data={"_csrf": csrf_of(page.text)})).status_code == 403


