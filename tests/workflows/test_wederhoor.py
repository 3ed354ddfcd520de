"""Hearing both sides (hoor en wederhoor) through the API with the clock moved: after the company answered,
the adviser puts the substance of its answer to the reporting side of each report, a school answers on its
route, the anonymous reporter lets the term pass (reminded before, "no reaction" after), the reactions reach
the timeline and the proposal, and neither side ever sees the other's identity."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import sqlalchemy as sa
from sqlmodel import select

from erkenning.companies.models import Company
from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.workflows import deadlines
from erkenning.workflows.models import ReporterReaction
from tests.factories import (
    Principal,
    TokenFactory,
    assigned_report,
    case_of,
    facts,
    make_company,
    open_case,
    school_report,
)
from tests.helpers import CASES, HEARINGS, MailCatcher, act, drain_queue, step, substantiate
from tests.helpers import PUBLIC_REPORTS as PUBLIC

SCHOOLS = "/api/v1/register/school"
RECEIPT_REACTION = "/api/v1/register/reports/reaction"
TAG = uuid4().hex[:8]
# The reporting side's identity (the confidential part): never in anything the company receives.
REPORTER_NAME, REPORTER_MAIL, REPORTER_PHONE = f"Naam{TAG} Melder", f"melder{TAG}@student.example", f"06-{TAG}"
NARRATIVE = f"Verhaal{TAG} van de student"
SCHOOL_REACTION = f"Reactie{TAG}: de student bleef wel op tijd komen; het rooster was nooit het probleem."
# The company's own words: the reporting side gets the adviser's wording of them, never these.
COMPANY_ANSWER = f"Antwoord{TAG}: wij hebben de stage beeindigd wegens roosterproblemen."
QUESTION = ("Het bedrijf zegt dat de stage eindigde om problemen met het rooster. Herkent de student dat, "
            "en wat wil de student daarover kwijt?")


async def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.url.path}: {response.status_code} {response.text}"
    return response.json()


async def _detail(client: httpx.AsyncClient, who: Principal, case_id: str) -> dict[str, Any]:
    return await _ok(await client.get(f"{CASES}/{case_id}", headers=who.headers))


async def _case_with_a_school_and_an_anonymous_report(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, adviser: Principal, company: Company,
    school: Principal,
) -> tuple[str, str, str, str]:
    """(case id, the school's report id, the anonymous report id, its receipt code), the company heard."""
    passed_on = await school_report(client, school, {
        **facts(company), "school_reference": f"MP-{TAG}",
        "confidential": {"reporter_name": REPORTER_NAME, "reporter_contact": REPORTER_MAIL, "narrative": NARRATIVE},
    })
    anonymous = await _ok(await client.post(PUBLIC, json={
        **facts(company),
        "confidential": {"narrative": f"{NARRATIVE} (anoniem), bel {REPORTER_PHONE}"},
    }), 201)
    async with runtime.session_factory() as session:
        anonymous_id = str((await session.exec(sa.text(
            "SELECT id FROM report WHERE channel = 'public_form' ORDER BY created_at DESC LIMIT 1"
        ))).scalar_one())
    for report_id in (str(passed_on["id"]), anonymous_id):
        await _ok(await act(client, adviser, report_id, "assign", {"adviser_id": str(adviser.id)}))
        await substantiate(client, adviser, report_id)
    await drain_queue(settings)
    case, same = await case_of(runtime, anonymous_id), await case_of(runtime, str(passed_on["id"]))
    assert case is not None and same is not None and case.id == same.id
    case_id = str(case.id)
    await _ok(await client.post(f"{CASES}/{case_id}/assign", json={"adviser_id": str(adviser.id)},
                                headers=adviser.headers))
    return case_id, str(passed_on["id"]), anonymous_id, anonymous["receipt"]


def _absent(text: str, markers: tuple[str, ...], where: str) -> None:
    found = [m for m in markers if m and m in text]
    assert not found, f"{found} in {where}"


async def test_the_reporting_side_is_heard_through_the_school_and_the_receipt_and_neither_sees_the_other(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, adviser: Principal, company: Company,
    company_user: Principal, school: Principal, tokens: TokenFactory, mail: MailCatcher,
) -> None:
    other_school = await tokens.make(Role.SCHOOL, school_brin="31GH", email="meldpunt@ander.example")
    case_id, school_report_id, anonymous_id, receipt = await _case_with_a_school_and_an_anonymous_report(
        client, runtime, settings, adviser, company, school
    )
    company_side: list[httpx.Response] = []  # every answer the company gets
    reporting_side: list[httpx.Response] = []  # every answer a school or the anonymous reporter gets

    # Before the company was heard there is nothing to put to the reporting side.
    early = await step(client, adviser, case_id, "reporter-question", {"question": QUESTION})
    assert early.status_code == 409, early.text

    # The company is heard and answers in its portal.
    await _ok(await step(client, adviser, case_id, "hearing", {"question": "Wat is uw kant van het verhaal?"}))
    company_side.append(await client.post(f"{HEARINGS}/{case_id}/answer", json={"answer": COMPANY_ANSWER},
                                          headers=company_user.headers))
    assert company_side[-1].status_code == 200, company_side[-1].text
    await drain_queue(settings)
    mail.clear()

    # The question may not hand the reporting side the company's data it did not report itself.
    for leaky in (f"{QUESTION} (KvK {company.kvk_number})", f"{QUESTION} Mail {company.email}.",
                  f"{QUESTION} Het gaat om {company.name}."):
        refused = await step(client, adviser, case_id, "reporter-question", {"question": leaky})
        assert refused.status_code == 422, refused.text
        _absent(refused.text, (company.kvk_number, company.email or "", company.name), "the refusal")
    assert (await step(client, adviser, case_id, "reporter-question", {"question": "a\x07b"})).status_code == 422

    asked = await _ok(await step(client, adviser, case_id, "reporter-question", {"question": QUESTION}))
    assert asked["status"] == "assessment" and asked["reporter_round_open"] is True
    by_report = {r["report_id"]: r for r in asked["reporter_reactions"]}
    assert {by_report[school_report_id]["route"], by_report[anonymous_id]["route"]} == {"school", "receipt"}
    assert all(r["status"] == "asked" and r["question"] == QUESTION for r in by_report.values())
    [term] = [d for d in asked["deadlines"] if d["kind"] == "reporter_reaction"]
    assert term["working_days_left"] == settings.reporter_reaction_term_working_days
    assert "proposed" not in [m["to"] for m in asked["allowed_moves"]]
    waiting = await step(client, adviser, case_id, "proposal", {"outcome": "unfounded", "findings": "f"})
    assert waiting.status_code == 409 and "reporting side" in waiting.json()["detail"]
    again = await step(client, adviser, case_id, "reporter-question", {"question": QUESTION})
    assert again.status_code == 409  # one round at a time

    # The school's contact is e-mailed the question; nobody else hears of it.
    await drain_queue(settings)
    [request] = mail.messages
    assert request["To"] == "meldpunt@roc.example" and "hoor en wederhoor" in request["Subject"]
    assert QUESTION in MailCatcher.text(request) and f"MP-{TAG}" in MailCatcher.text(request)
    assert "senior adviseurs" in MailCatcher.text(request)  # who reads the reaction (GDPR art. 13)

    # The school sees the question about its own report only; another school sees nothing.
    listed = await client.get(f"{SCHOOLS}/reactions", headers=school.headers)
    [item] = (await _ok(listed))["items"]
    assert item["report_id"] == school_report_id and item["open_for_reaction"] and item["due_at"]
    assert item["school_reference"] == f"MP-{TAG}"
    assert (await _ok(await client.get(f"{SCHOOLS}/reactions", headers=other_school.headers)))["items"] == []
    foreign = await client.post(f"{SCHOOLS}/reports/{school_report_id}/reaction", json={"reaction": "x"},
                                headers=other_school.headers)
    assert foreign.status_code == 404
    not_its_route = await client.post(f"{SCHOOLS}/reports/{anonymous_id}/reaction", json={"reaction": "x"},
                                      headers=school.headers)
    assert not_its_route.status_code == 404
    answered = await client.post(f"{SCHOOLS}/reports/{school_report_id}/reaction", json={"reaction": SCHOOL_REACTION},
                                 headers=school.headers)
    assert (await _ok(answered))["status"] == "answered" and answered.json()["open_for_reaction"] is False
    twice = await client.post(f"{SCHOOLS}/reports/{school_report_id}/reaction", json={"reaction": "nog eens"},
                              headers=school.headers)
    assert twice.status_code == 409
    reporting_side += [listed, answered]

    # The anonymous reporter sees the question by the receipt code (and nothing by a wrong one).
    seen = await client.post(RECEIPT_REACTION, json={"receipt": receipt})
    [question] = (await _ok(seen))["reactions"]
    assert question["question"] == QUESTION and question["open_for_reaction"] and question["reaction"] is None
    assert (await client.post(RECEIPT_REACTION, json={"receipt": "AAAA-BBBB-CCCC-DDDD-EEEE"})).status_code == 404
    reporting_side.append(seen)

    # Halfway through the term: a reminder to whoever has not reacted (the anonymous reporter has no address).
    detail = await _detail(client, adviser, case_id)
    [term] = [d for d in detail["deadlines"] if d["kind"] == "reporter_reaction"]
    remind_at, due_at = (datetime.fromisoformat(term[k]) for k in ("remind_at", "due_at"))
    mail.clear()
    with clock.travel(remind_at - clock.now() + timedelta(minutes=1)):
        assert await deadlines.sweep(runtime) == (1, 0)
        await drain_queue(settings)
    assert mail.messages == []  # the school already reacted; nobody to write to for the receipt
    detail = await _detail(client, adviser, case_id)
    [reminder] = [e for e in detail["timeline"] if e["kind"] == "reminder_sent"
                  and e["data"].get("deadline") == "reporter_reaction"]
    assert reminder["data"]["receipt"] == 1 and reminder["data"]["school"] == 0
    assert {r["report_id"]: r["reminded_at"] is not None for r in detail["reporter_reactions"]} == {
        anonymous_id: True, school_report_id: False,
    }

    # The term passes: "no reaction" on the timeline, the round closes, the case can proceed.
    with clock.travel(due_at - clock.now() + timedelta(minutes=1)):
        assert await deadlines.sweep(runtime) == (0, 1)
        await drain_queue(settings)
        late = await client.post(f"{RECEIPT_REACTION}/answer", json={"receipt": receipt, "reaction": "te laat"})
        assert late.status_code == 409
        after = await client.post(RECEIPT_REACTION, json={"receipt": receipt})
    [closed] = (await _ok(after))["reactions"]
    assert closed["status"] == "no_reaction" and not closed["open_for_reaction"] and closed["due_at"] is None
    reporting_side += [after]
    detail = await _detail(client, adviser, case_id)
    assert detail["reporter_round_open"] is False
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds.count("reporter_reaction_requested") == kinds.count("reporter_round_closed") == 1
    [reacted] = [e for e in detail["timeline"] if e["kind"] == "reporter_reacted"]
    [silent] = [e for e in detail["timeline"] if e["kind"] == "reporter_no_reaction"]
    assert reacted["data"]["report_id"] == school_report_id and reacted["actor_role"] == "school"
    assert silent["data"]["report_id"] == anonymous_id
    [term] = [d for d in detail["deadlines"] if d["kind"] == "reporter_reaction"]
    assert term["status"] == "cancelled"  # not every side reacted
    assert {r["report_id"]: (r["status"], r["reaction"]) for r in detail["reporter_reactions"]} == {
        school_report_id: ("answered", SCHOOL_REACTION), anonymous_id: ("no_reaction", None),
    }

    # The proposal weighs the reactions: its grounds quote the school's, the event names both.
    findings = (f"Het bedrijf stelt dat het rooster de reden was. Het meldpunt van de school schrijft: "
                f"\u201c{SCHOOL_REACTION}\u201d. De anonieme melder reageerde niet binnen de termijn.")
    proposal = {"outcome": "unfounded", "findings": findings}
    proposed = await _ok(await step(client, adviser, case_id, "proposal", proposal))
    assert SCHOOL_REACTION in proposed["findings"]
    assert [r["reaction"] for r in proposed["reporter_reactions"] if r["status"] == "answered"] == [SCHOOL_REACTION]
    [event] = [e for e in proposed["timeline"] if e["kind"] == "proposed"]
    assert event["data"]["reporter_reactions"] == {"answered": [school_report_id], "no_reaction": [anonymous_id]}

    # Identities stay apart: nothing of the reporter reaches the company, nothing of the company's own data
    # or words (beyond what the reporting side reported itself) reaches the reporting side.
    company_side += [await client.get(HEARINGS, headers=company_user.headers),
                     await client.get(f"{HEARINGS}/{case_id}", headers=company_user.headers)]
    reporter = (REPORTER_NAME, REPORTER_MAIL, REPORTER_PHONE, NARRATIVE, SCHOOL_REACTION)
    for response in company_side:
        assert response.status_code == 200
        _absent(response.text, (*reporter, f"MP-{TAG}", school_report_id, anonymous_id),
                f"the company's {response.request.url.path}")
    await drain_queue(settings)
    to_company = [MailCatcher.text(m) + m["Subject"] for m in mail.messages if m["To"] == company.email]
    for text in to_company:
        _absent(text, reporter, "an e-mail to the company")
    company_data = (company.kvk_number, company.email or "", company.name, company.sbb_id or "", COMPANY_ANSWER)
    for response in reporting_side:
        _absent(response.text, company_data, f"the reporting side's {response.request.url.path}")
    for message in mail.to("meldpunt@roc.example"):
        _absent(MailCatcher.text(message), company_data, "an e-mail to the school")
    # The school's answers hold nothing of the other report; the receipt's nothing of the school's.
    for response in reporting_side[:2]:
        _absent(response.text, (anonymous_id, REPORTER_PHONE), "the school's answer")
    for response in reporting_side[2:]:
        _absent(response.text, (school_report_id, SCHOOL_REACTION, REPORTER_NAME, f"MP-{TAG}"), "the receipt's answer")


async def test_an_adviser_records_the_reaction_to_a_report_they_entered_and_others_do_not_read_it(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, adviser: Principal, company: Company,
    company_user: Principal, tokens: TokenFactory, mail: MailCatcher,
) -> None:
    colleague = await tokens.make(Role.ADVISER)
    report_id = await assigned_report(client, adviser, company)
    await substantiate(client, adviser, report_id)
    await drain_queue(settings)
    case = await case_of(runtime, report_id)
    assert case is not None
    case_id = str(case.id)
    await _ok(await client.post(f"{CASES}/{case_id}/assign", json={"adviser_id": str(adviser.id)},
                                headers=adviser.headers))
    await _ok(await step(client, adviser, case_id, "hearing", {"question": "Uw kant?"}))
    await _ok(await client.post(f"{HEARINGS}/{case_id}/answer", json={"answer": COMPANY_ANSWER},
                                headers=company_user.headers))
    await drain_queue(settings)
    mail.clear()
    assert (await step(client, colleague, case_id, "reporter-question", {"question": QUESTION})).status_code == 403
    [reaction] = (await _ok(await step(client, adviser, case_id, "reporter-question", {"question": QUESTION})))[
        "reporter_reactions"]
    assert reaction["route"] == "adviser"
    await drain_queue(settings)
    assert mail.messages == []  # no address to write to: the adviser asks by phone or letter

    # Halfway through the term the adviser is reminded to chase the reaction (and record it).
    [term] = [d for d in (await _detail(client, adviser, case_id))["deadlines"] if d["kind"] == "reporter_reaction"]
    with clock.travel(datetime.fromisoformat(term["remind_at"]) - clock.now() + timedelta(minutes=1)):
        assert await deadlines.sweep(runtime) == (1, 0)
        await drain_queue(settings)
    [reminder] = mail.messages
    assert reminder["To"] == "adviseur@sbb.example" and "vastleggen" in reminder["Subject"]
    assert case_id in MailCatcher.text(reminder)

    url = f"reporter-reactions/{report_id}"
    assert (await step(client, colleague, case_id, url, {"reaction": "x"})).status_code == 403
    assert (await step(client, adviser, case_id, f"reporter-reactions/{uuid4()}", {"reaction": "x"})).status_code == 404
    recorded = await _ok(await step(client, adviser, case_id, url, {"reaction": SCHOOL_REACTION}))
    assert recorded["reporter_round_open"] is False  # every side reacted: the round is over, the term met
    assert [d["status"] for d in recorded["deadlines"] if d["kind"] == "reporter_reaction"] == ["met"]
    [event] = [e for e in recorded["timeline"] if e["kind"] == "reporter_reacted"]
    assert event["actor_id"] == str(adviser.id) and event["data"]["route"] == "adviser"

    # Another adviser sees that a reaction came, not what it says (as for the confidential part).
    seen_by_colleague = await _detail(client, colleague, case_id)
    [withheld] = seen_by_colleague["reporter_reactions"]
    assert withheld["reaction"] is None and withheld["reaction_withheld"] is True
    assert SCHOOL_REACTION not in str(seen_by_colleague)
    async with runtime.session_factory() as session:
        rows = (await session.exec(select(ReporterReaction))).all()
    assert [r.recorded_by for r in rows] == [adviser.id]


async def test_a_case_assessed_without_hearing_the_company_puts_nothing_to_the_reporting_side(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, adviser: Principal,
) -> None:
    company = await make_company(runtime)
    case_id = await open_case(client, runtime, settings, adviser, company)
    await _ok(await step(client, adviser, case_id, "assessment", {"reason": "Duidelijk"}))
    refused = await step(client, adviser, case_id, "reporter-question", {"question": QUESTION})
    assert refused.status_code == 409 and "not heard" in refused.json()["detail"]
    assert (await _detail(client, adviser, case_id))["reporter_moves"] == []
