"""Hearing the reporting side (wederhoor) on the pages: the adviser puts the question and records a reaction on
the case page, the school answers on its reports page, the anonymous reporter on the receipt page; and the
privacy statements say what the code does (who reads, how long it is kept, whom to ask)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import httpx

from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.reports.states import CONFIDENTIAL_READERS
from erkenning.web.privacy import readers
from erkenning.workflows import deadlines
from tests.factories import TokenFactory, heard_case, make_company
from tests.helpers import MailCatcher, WebClient, drain_queue, form_actions, post_form, value_of, web_with

CASES = "/api/v1/backoffice/investigations"
QUESTION = "Het bedrijf zegt dat de stage stopte om het rooster. Wat zegt de student daarvan?"


async def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.url.path}: {response.status_code} {response.text}"
    return response.json()


async def test_the_adviser_puts_the_question_and_records_a_reaction_on_the_case_page(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime,
) -> None:
    adviser = await web.sign_in_as(tokens, Role.ADVISER, name="Anna Adviseur")
    company = await make_company(runtime, name="Garage De Snelle Sleutel")
    made = await heard_case(client, runtime, adviser, company, phone=True)
    case = f"/onderzoeken/{made['case_id']}"

    page = await web.get(case)
    assert f"{case}/meldende-kant" in form_actions(page.text)
    assert f"{case}/voorstel" in form_actions(page.text)  # nothing asked yet: a proposal may come now
    leaky = await post_form(web, case, f"{case}/meldende-kant", {"question": f"{QUESTION} ({company.name})"})
    assert leaky.status_code == 422 and "Noem geen gegevens van het bedrijf" in leaky.text
    assert value_of(leaky.text, "question").endswith(f"({company.name})")  # kept, to correct
    asked = await post_form(web, case, f"{case}/meldende-kant", {"question": QUESTION})
    assert asked.status_code == 303
    page = await web.get(case)
    assert "De vraag is aan de meldende kant voorgelegd." in page.text
    assert "Wederhoor van de meldende kant" in page.text and QUESTION in page.text
    assert "reactie gevraagd" in page.text and "De meldende kant kan nog reageren" in page.text
    actions = form_actions(page.text)
    assert f"{case}/voorstel" not in actions and f"{case}/meldende-kant" not in actions  # the term runs
    record = f"{case}/reactie-melder/{made['phone_report']}"
    assert record in actions

    empty = await post_form(web, case, record, {"reaction": ""})
    assert empty.status_code == 422 and "Vul de reactie in." in empty.text
    done = await post_form(web, case, record, {"reaction": "De student zegt: het rooster was nooit vol."})
    assert done.status_code == 303
    page = await web.get(case)
    assert "De reactie van de meldende kant is vastgelegd." in page.text
    assert "Reactie van de meldende kant ontvangen" in page.text  # on the timeline, with its text
    assert "“De student zegt: het rooster was nooit vol.”" in page.text.replace("&#34;", '"')
    assert f"{case}/voorstel" in form_actions(page.text)  # every side reacted: the proposal may come
    assert "Weeg mee wat de meldende kant zei" in page.text


async def test_the_school_answers_the_question_on_its_reports_page(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime, settings: Settings,
    mail: MailCatcher,
) -> None:
    adviser = await tokens.make(Role.ADVISER)
    school = await tokens.make(Role.SCHOOL, school_brin="25LX", email="meldpunt@roc.example")
    made = await heard_case(client, runtime, adviser, await make_company(runtime), school=school)
    asked = await _ok(await client.post(f"{CASES}/{made['case_id']}/reporter-question", json={"question": QUESTION},
                                        headers=adviser.headers))
    [term] = [d for d in asked["deadlines"] if d["kind"] == "reporter_reaction"]
    await drain_queue(settings)
    mail.clear()
    # Halfway: the school has not reacted, its contact is reminded by e-mail.
    with clock.travel(datetime.fromisoformat(term["remind_at"]) - clock.now() + timedelta(minutes=1)):
        await deadlines.sweep(runtime)
        await drain_queue(settings)
    [reminder] = mail.to("meldpunt@roc.example")
    assert reminder["Subject"].startswith("Herinnering") and QUESTION in MailCatcher.text(reminder)

    await web.sign_in(school)
    listed = await web.get("/school/meldingen")
    assert "Vragen van SBB (hoor en wederhoor)" in listed.text and QUESTION in listed.text
    assert "uw zaaknummer MP-2026/7" in listed.text and "Wie uw reactie leest" in listed.text
    action = f"/school/meldingen/{made['school_report']}/reactie"
    assert action in form_actions(listed.text)
    sent = await post_form(web, "/school/meldingen", action, {"reaction": "De student herkent dit niet."})
    assert sent.status_code == 303
    after = await web.get("/school/meldingen")
    assert "Uw reactie is naar SBB gestuurd." in after.text and "De student herkent dit niet." in after.text
    assert action not in form_actions(after.text)
    again = await post_form(web, "/school/meldingen", action, {"reaction": "Nog iets."})
    assert again.status_code == 409 and "Reageren kan niet meer" in again.text

    # Another school: the question is not on its page, and its post is refused as for no report at all.
    await web.sign_out()
    await web.sign_in_as(tokens, Role.SCHOOL, school_brin="31GH")
    assert QUESTION not in (await web.get("/school/meldingen")).text
    assert (await post_form(web, "/school/meldingen", action, {"reaction": "x"})).status_code == 404


async def test_the_anonymous_reporter_answers_on_the_receipt_page(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime,
) -> None:
    adviser = await tokens.make(Role.ADVISER)
    made = await heard_case(client, runtime, adviser, await make_company(runtime), anonymous=True)
    await _ok(await client.post(f"{CASES}/{made['case_id']}/reporter-question", json={"question": QUESTION},
                                headers=adviser.headers))
    receipt = made["receipt"]

    status = await post_form(web, "/melden/status", "/melden/status", {"receipt": receipt})
    assert status.status_code == 200
    assert "SBB vraagt uw reactie op de kant van het bedrijf" in status.text and QUESTION in status.text
    assert "/melden/reactie" in form_actions(status.text)
    assert receipt not in status.text  # the code is not put back into the page

    wrong = await post_form(web, "/melden/status", "/melden/reactie",
                            {"receipt": "AAAA-BBBB-CCCC-DDDD-EEEE", "reaction": "x"})
    assert wrong.status_code == 404 and "We vinden geen melding met deze code" in wrong.text
    answered = await post_form(web, "/melden/status", "/melden/reactie",
                               {"receipt": receipt, "reaction": "Het rooster was niet de reden."})
    assert answered.status_code == 200
    assert "Uw reactie is ontvangen." in answered.text and "Het rooster was niet de reden." in answered.text
    assert "/melden/reactie" not in form_actions(answered.text) and receipt not in answered.text
    twice = await post_form(web, "/melden/status", "/melden/reactie", {"receipt": receipt, "reaction": "Nog eens."})
    assert twice.status_code == 409 and "Reageren kan niet meer" in twice.text

    detail = await _ok(await client.get(f"{CASES}/{made['case_id']}", headers=adviser.headers))
    assert [(r["route"], r["reaction"]) for r in detail["reporter_reactions"]] == [
        ("receipt", "Het rooster was niet de reden.")]


async def test_the_privacy_statements_name_who_reads_how_long_it_is_kept_and_whom_to_ask(
    settings: Settings, tokens: TokenFactory, runtime: Runtime,
) -> None:
    """GDPR art. 13: the statements come from the code (the readers `handles` lets through) and the settings."""
    assert CONFIDENTIAL_READERS == {Role.ADVISER: False, Role.SENIOR_ADVISER: True}
    terms = {"retention_not_substantiated_months": 9, "retention_referred_months": 7,
             "retention_investigated_years": 6, "retention_receipt_months": 4, "privacy_contact": "fg@sbb.test"}
    async with web_with(settings, **terms) as web:
        form = (await web.get("/melden")).text
        text = re.sub(r"\s+", " ", form)
        assert "de adviseur praktijkleren aan wie de melding is toegewezen en alle senior adviseurs van SBB" in text
        assert readers() in text
        for term in ("9 maanden", "7 maanden", "6 jaar", "4 maanden", "fg@sbb.test"):
            assert term in text, term
        assert "alleen de adviseur van SBB die de melding behandelt" not in text  # the old, untrue statement
        full = re.sub(r"\s+", " ", (await web.get("/privacy")).text)
        for term in ("adviseur praktijkleren aan wie de melding is toegewezen", "senior adviseurs", "9 maanden",
                     "7 maanden", "6 jaar", "4 maanden", "fg@sbb.test", "Autoriteit Persoonsgegevens",
                     "artikel 13", "/melden/status", "voorbereiding van hoor en wederhoor"):
            assert term in full, term
        assert 'href="/privacy"' in form  # the footer of every page
        school = await tokens.make(Role.SCHOOL, school_brin="25LX")
        await web.sign_in(school)
        school_form = re.sub(r"\s+", " ", (await web.get("/school/meldingen/nieuw")).text)
        assert "alle senior adviseurs van SBB" in school_form and "6 jaar" in school_form
        assert "SBB neemt zelf geen contact op met de student" in school_form


async def test_the_company_reads_who_sees_its_answer_and_nothing_of_the_reporting_side(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime,
) -> None:
    adviser = await tokens.make(Role.ADVISER)
    company = await make_company(runtime)
    made = await heard_case(client, runtime, adviser, company, phone=True)
    await _ok(await client.post(f"{CASES}/{made['case_id']}/reporter-question", json={"question": QUESTION},
                                headers=adviser.headers))
    await _ok(await client.post(f"{CASES}/{made['case_id']}/reporter-reactions/{made['phone_report']}",
                                json={"reaction": "Reactie van de melder."}, headers=adviser.headers))
    await web.sign_in(await tokens.make(Role.COMPANY, company_id=company.id))
    page = re.sub(r"\s+", " ", (await web.get(f"/portaal/reactieverzoeken/{made['case_id']}")).text)
    assert "Wie uw reactie leest" in page and "uw reactie zelf gaat niet mee" in page
    assert "Wie de melding deed, krijgt u niet te zien." in page
    for hidden in (QUESTION, "Reactie van de melder.", "Aan de telefoon."):
        assert hidden not in page
