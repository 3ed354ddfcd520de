"""The reporting structure on the web: the report page first finds the school's reporting point and the
regional ADV by school or postcode; a school keeps its own reporting point; staff see the schools without one
and check the reporting points."""

from __future__ import annotations

import html

import httpx
import sqlalchemy as sa

from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.reports.models import ReportingPoint
from tests.factories import TokenFactory
from tests.helpers import WebClient, error_summary, post_form, value_of

FILLED = {
    "school_name": "ROC Midden Nederland", "municipality": "Utrecht", "email": "meldpunt@roc.example.nl",
    "phone": "", "url": "https://www.roc.example.nl/melden", "hours": "Werkdagen 9–17 uur",
}


async def _school_keeps(web: WebClient, tokens: TokenFactory, brin: str, **fields: str) -> None:
    await web.sign_in_as(tokens, Role.SCHOOL, school_brin=brin)
    saved = await web.submit("/school/meldpunt", data={**FILLED, **fields})
    assert saved.status_code == 303, saved.text
    await web.sign_out()


async def test_the_report_page_shows_the_schools_reporting_point_and_the_adv(
    web: WebClient, tokens: TokenFactory, shipped_advs: None
) -> None:
    await _school_keeps(web, tokens, "25LX")
    asked = await web.get("/melden")
    assert asked.status_code == 200 and "Waar kunt u melden?" in asked.text and 'action="/melden"' in asked.text

    by_school = html.unescape((await web.get("/melden", params={"school": "25LX"})).text)
    assert "Meldpunt van ROC Midden Nederland" in by_school and "meldpunt@roc.example.nl" in by_school
    assert "Antidiscriminatievoorziening Midden-Nederland" in by_school
    assert "Of meld het anoniem bij SBB" in by_school and "Melding versturen" in by_school  # the form beside it
    assert "Telefoon" not in by_school  # what the school did not give is left out

    by_postcode = html.unescape((await web.get("/melden", params={"postcode": "3512 JE"})).text)
    assert "Meldpunt van ROC Midden Nederland" in by_postcode
    assert "Antidiscriminatievoorziening voor Utrecht" in by_postcode

    elsewhere = html.unescape((await web.get("/melden", params={"postcode": "2511 CV"})).text)
    assert "Antidiscriminatievoorziening Haaglanden" in elsewhere and "ROC Midden Nederland" not in elsewhere
    unknown = html.unescape((await web.get("/melden", params={"postcode": "9999"})).text)
    assert "kennen wij niet" in unknown and "www.discriminatie.nl" in unknown

    wrong = await web.get("/melden", params={"postcode": "ABC"})
    assert wrong.status_code == 400 and "Vul een postcode in" in error_summary(wrong.text)


async def test_a_school_keeps_its_reporting_point_on_its_page(
    web: WebClient, tokens: TokenFactory, runtime: Runtime, shipped_advs: None
) -> None:
    await web.sign_in_as(tokens, Role.SCHOOL, school_brin="25LX")
    empty = await web.get("/school/meldpunt")
    assert "nog geen meldpunt" in empty.text

    refused = await web.submit("/school/meldpunt", data={**FILLED, "email": "", "url": "http://roc.example.nl"})
    assert refused.status_code == 422
    summary = error_summary(refused.text)
    assert "https://" in summary
    assert await _count(runtime) == 0
    unreachable = await web.submit("/school/meldpunt", data={**FILLED, "email": "", "url": ""})
    assert "ten minste een e-mailadres" in error_summary(unreachable.text)

    saved = await web.submit("/school/meldpunt", data=FILLED)
    assert saved.status_code == 303
    shown = await web.get("/school/meldpunt")
    assert "nog niet gecontroleerd" in shown.text and value_of(shown.text, "email") == "meldpunt@roc.example.nl"


async def test_staff_see_the_schools_without_and_check_a_reporting_point(
    web: WebClient, tokens: TokenFactory, runtime: Runtime, shipped_advs: None
) -> None:
    await _school_keeps(web, tokens, "30AB", school_name="Albeda", municipality="Rotterdam")
    await tokens.make(Role.SCHOOL, school_brin="12QQ")
    await web.sign_in_as(tokens, Role.ADVISER)
    listed = await web.get("/monitoring/meldpunten")
    assert listed.status_code == 200
    assert "<td>12QQ</td>" in listed.text and "Albeda" in listed.text
    assert "Antidiscriminatievoorziening Rotterdam-Rijnmond" in listed.text  # the ADVs, read-only
    assert 'href="/monitoring/meldpunten"' in (await web.get("/monitoring")).text

    checked = await post_form(web, "/monitoring/meldpunten", "/monitoring/meldpunten/30AB/gecontroleerd",
                              {"version": "1"})
    assert checked.status_code == 303
    async with runtime.session_factory() as session:
        row = (await session.exec(sa.select(ReportingPoint))).scalar_one()
    assert row.checked_at is not None
    stale = await post_form(web, "/monitoring/meldpunten", "/monitoring/meldpunten/30AB/gecontroleerd",
                            {"version": "7"})
    assert stale.status_code == 409 and "intussen gewijzigd" in stale.text


async def test_a_school_cannot_reach_the_staff_page_nor_the_public_its_page(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient
) -> None:
    assert (await web.get("/school/meldpunt")).status_code in (303, 401, 403)
    await web.sign_in_as(tokens, Role.SCHOOL, school_brin="25LX")
    assert (await web.get("/monitoring/meldpunten")).status_code == 403


async def _count(runtime: Runtime) -> int:
    async with runtime.session_factory() as session:
        return (await session.exec(sa.select(sa.func.count()).select_from(ReportingPoint))).scalar_one()
