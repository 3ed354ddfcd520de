"""Investigation pages: the case list, and exactly the steps the transition table allows, as forms."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.recognition.models import RecognitionStatus
from erkenning.vocabulary import long_date
from tests.factories import TokenFactory, heard_case, make_company, make_recognition, substantiated_case
from tests.helpers import CASES, WebClient, form_actions, post_form, scalar

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
async def company(runtime: Runtime):
    return await make_company(runtime, name="Restaurant De Gouden Lepel")


async def _status(runtime: Runtime, case_id: str) -> str:
    return str(await scalar(runtime, "SELECT status FROM investigation WHERE id = :id", id=case_id))


async def _step(web: WebClient, case_id: str, slug: str, data: dict | None = None) -> httpx.Response:
    return await post_form(web, f"/onderzoeken/{case_id}", f"/onderzoeken/{case_id}/{slug}", data)


async def test_my_cases_are_listed_with_their_next_deadline(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime, company
) -> None:
    adviser = await web.sign_in_as(tokens, Role.ADVISER, name="Anna Adviseur")
    other = await tokens.make(Role.ADVISER)
    case_id = await substantiated_case(client, runtime, adviser, company)
    await substantiated_case(client, runtime, other, await make_company(runtime, name="Bakkerij Anders"))
    mine = await web.get("/onderzoeken")
    assert mine.status_code == 200
    assert f'href="/onderzoeken/{case_id}"' in mine.text and "Restaurant De Gouden Lepel" in mine.text
    assert "Bakkerij Anders" not in mine.text
    lead = clock.today() + timedelta(weeks=8)
    assert str(lead.year) in mine.text and "Anna Adviseur" in mine.text
    everyone = await web.get("/onderzoeken", params={"wie": "iedereen"})
    assert "Bakkerij Anders" in everyone.text


async def test_a_case_shows_its_reports_deadlines_timeline_and_only_the_allowed_steps(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime, company
) -> None:
    adviser = await web.sign_in_as(tokens, Role.ADVISER)
    case_id = await substantiated_case(client, runtime, adviser, company)
    page = await web.get(f"/onderzoeken/{case_id}")
    assert page.status_code == 200
    text = page.text
    assert "Onderzoek naar Restaurant De Gouden Lepel" in text
    assert "Stagiair afgewezen na sollicitatiegesprek" in text  # the report's summary
    assert "doorlooptijd van het onderzoek" in text and "werkdagen" in text
    assert "Onderzoek geopend" in text
    assert form_actions(text) == {
        f"/onderzoeken/{case_id}/{slug}" for slug in ("horen", "beoordelen", "pauzeren")
    } | {"/uitloggen"}
    # The confidential part of the report never shows on the case.
    assert "Het verhaal van de student" not in text and "Melder" not in text


async def test_another_adviser_sees_no_steps_and_a_posted_step_changes_nothing(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime, company
) -> None:
    owner = await tokens.make(Role.ADVISER, name="Eigenaar")
    case_id = await substantiated_case(client, runtime, owner, company)
    await web.sign_in_as(tokens, Role.ADVISER)
    page = await web.get(f"/onderzoeken/{case_id}")
    assert form_actions(page.text) == {"/uitloggen"}
    assert "toegewezen aan Eigenaar" in page.text
    refused = await _step(web, case_id, "horen", {"question": "Wat is er gebeurd?"})
    assert refused.status_code == 403
    assert "Alleen de adviseur aan wie het onderzoek is toegewezen" in refused.text
    assert await _status(runtime, case_id) == "open"


async def test_requesting_a_hearing_needs_a_question_then_moves_the_case(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime, company
) -> None:
    adviser = await web.sign_in_as(tokens, Role.ADVISER)
    case_id = await substantiated_case(client, runtime, adviser, company)
    empty = await _step(web, case_id, "horen", {"question": " "})
    assert empty.status_code == 422
    assert 'href="#veld-horen-question"' in empty.text and "Vul de vraag aan het bedrijf in." in empty.text
    assert await _status(runtime, case_id) == "open"

    asked = await _step(web, case_id, "horen", {"question": "Hoe verliep de selectie van stagiairs?"})
    assert asked.status_code == 303
    assert await _status(runtime, case_id) == "hearing"
    page = await web.get(asked.headers["location"])
    assert "De vraag is naar het bedrijf verstuurd." in page.text
    assert "Hoe verliep de selectie van stagiairs?" in page.text and "reactie van het bedrijf" in page.text
    assert form_actions(page.text) >= {f"/onderzoeken/{case_id}/reactie", f"/onderzoeken/{case_id}/pauzeren"}

    answered = await _step(web, case_id, "reactie", {"answer": "Per telefoon: de kandidaat paste niet."})
    assert answered.status_code == 303
    assert await _status(runtime, case_id) == "assessment"


async def test_a_proposal_shows_the_services_objections_on_its_fields_and_keeps_the_input(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime, company
) -> None:
    adviser = await web.sign_in_as(tokens, Role.ADVISER)
    case_id = await substantiated_case(client, runtime, adviser, company)
    await _step(web, case_id, "beoordelen", {"reason": "Feiten zijn duidelijk"})
    incomplete = await _step(web, case_id, "voorstel", {
        "outcome": "improvement_agreement", "findings": "Selectie op naam",
        "recommended_topics": ["discrimination_free_recruitment", "equal_opportunities"],
    })
    assert incomplete.status_code == 422
    text = incomplete.text
    assert 'href="#veld-voorstel-measures"' in text and 'href="#veld-voorstel-follow-up-on"' in text
    assert "Selectie op naam</textarea>" in text
    assert 'value="discrimination_free_recruitment" checked' in text and 'value="equal_opportunities" checked' in text
    assert 'value="improvement_agreement" checked' in text
    assert await _status(runtime, case_id) == "assessment"

    follow_up = (clock.today() + timedelta(days=90)).isoformat()
    proposed = await _step(web, case_id, "voorstel", {
        "outcome": "improvement_agreement", "findings": "Selectie op naam", "measures": "Anoniem solliciteren",
        "follow_up_on": follow_up, "recommended_topics": ["discrimination_free_recruitment"],
    })
    assert proposed.status_code == 303
    assert await _status(runtime, case_id) == "proposed"
    page = await web.get(f"/onderzoeken/{case_id}")
    assert "discriminatievrij werven en selecteren" in page.text and "Anoniem solliciteren" in page.text
    # An adviser never approves; pausing is all that is left.
    assert form_actions(page.text) == {f"/onderzoeken/{case_id}/pauzeren", "/uitloggen"}
    assert "wacht op goedkeuring" in page.text


async def test_an_adverse_proposal_without_a_hearing_is_not_offered_and_refused_if_posted(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime, company
) -> None:
    adviser = await web.sign_in_as(tokens, Role.ADVISER)
    case_id = await substantiated_case(client, runtime, adviser, company)
    await _step(web, case_id, "beoordelen", {"reason": "Geen hoor nodig"})
    form = (await web.get(f"/onderzoeken/{case_id}")).text
    assert 'value="unfounded"' in form and 'value="improvement_agreement"' in form
    assert 'value="withdrawal"' not in form and 'value="suspension"' not in form
    assert "dit bedrijf is niet gehoord" in form
    refused = await _step(web, case_id, "voorstel", {
        "outcome": "withdrawal", "findings": "Ernstig", "effective_from": clock.today().isoformat(),
    })
    assert refused.status_code == 422
    assert "Deze uitkomst kan nu niet worden voorgesteld" in refused.text
    assert await _status(runtime, case_id) == "assessment"


async def test_a_proposal_reports_every_error_at_once_and_reads_only_the_fields_of_its_outcome(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime, company
) -> None:
    adviser = await web.sign_in_as(tokens, Role.ADVISER)
    case = await heard_case(client, runtime, adviser, company, phone=True)
    case_id = case["case_id"]
    page = (await web.get(f"/onderzoeken/{case_id}")).text
    assert 'value="suspension"' in page and 'data-when-values="suspension withdrawal"' in page
    everything_missing = await _step(web, case_id, "voorstel", {"outcome": "suspension", "findings": ""})
    assert everything_missing.status_code == 422
    summary = everything_missing.text.split('class="error-summary__list"')[1].split("</ul>")[0]
    for field in ("findings", "recognition-ids", "effective-from", "placements-until"):
        assert f'href="#veld-voorstel-{field}"' in summary, field
    assert "Er zijn 4 fouten in het formulier" in everything_missing.text
    assert await _status(runtime, case_id) == "assessment"
    # A value left in the fields of another outcome (hidden by the script) is not read.
    proposed = await _step(web, case_id, "voorstel", {
        "outcome": "unfounded", "findings": "Niet aangetoond", "placements_until": "2000-01-01",
        "effective_until": "nonsense",
    })
    assert proposed.status_code == 303
    assert await _status(runtime, case_id) == "proposed"


async def test_four_eyes_the_proposer_cannot_approve_another_senior_can(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime, company, app
) -> None:
    proposer = await web.sign_in_as(tokens, Role.SENIOR_ADVISER)
    case_id = await substantiated_case(client, runtime, proposer, company)
    await _step(web, case_id, "beoordelen", {"reason": "Duidelijk"})
    assert (await _step(web, case_id, "voorstel", {"outcome": "unfounded", "findings": "Niet aangetoond"})).status_code == 303
    own = await web.get(f"/onderzoeken/{case_id}")
    assert f"/onderzoeken/{case_id}/goedkeuren" not in form_actions(own.text)
    assert f"/onderzoeken/{case_id}/terugsturen" in form_actions(own.text)
    refused = await _step(web, case_id, "goedkeuren")
    assert refused.status_code == 403
    assert "U heeft dit voorstel zelf gedaan" in refused.text and "vier ogen" in refused.text
    assert await _status(runtime, case_id) == "proposed"

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as http:
        other = WebClient(http)
        await other.sign_in_as(tokens, Role.SENIOR_ADVISER)
        page = await other.get(f"/onderzoeken/{case_id}")
        assert f"/onderzoeken/{case_id}/goedkeuren" in form_actions(page.text)
        approved = await _step(other, case_id, "goedkeuren")
        assert approved.status_code == 303
    assert await _status(runtime, case_id) == "approved"


async def test_a_senior_sends_a_proposal_back_with_a_reason(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime, company
) -> None:
    adviser = await tokens.make(Role.ADVISER)
    case_id = await substantiated_case(client, runtime, adviser, company)
    await web.sign_in_as(tokens, Role.SENIOR_ADVISER)
    await _step(web, case_id, "beoordelen", {"reason": "Duidelijk"})
    await _step(web, case_id, "voorstel", {"outcome": "unfounded", "findings": "Niet aangetoond"})
    await web.sign_out()
    await web.sign_in_as(tokens, Role.SENIOR_ADVISER)
    missing = await _step(web, case_id, "terugsturen", {"reason": ""})
    assert missing.status_code == 422 and 'href="#veld-terugsturen-reason"' in missing.text
    back = await _step(web, case_id, "terugsturen", {"reason": "Hoor het bedrijf eerst"})
    assert back.status_code == 303
    assert await _status(runtime, case_id) == "assessment"
    assert "Hoor het bedrijf eerst" in (await web.get(f"/onderzoeken/{case_id}")).text


async def test_holding_and_resuming_a_case(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime, company
) -> None:
    adviser = await web.sign_in_as(tokens, Role.ADVISER)
    case_id = await substantiated_case(client, runtime, adviser, company)
    held = await _step(web, case_id, "pauzeren", {"reason": "Wacht op politieonderzoek"})
    assert held.status_code == 303 and await _status(runtime, case_id) == "on_hold"
    page = await web.get(f"/onderzoeken/{case_id}")
    assert form_actions(page.text) == {f"/onderzoeken/{case_id}/hervatten", "/uitloggen"}
    assert "Wacht op politieonderzoek" in page.text
    resumed = await _step(web, case_id, "hervatten")
    assert resumed.status_code == 303 and await _status(runtime, case_id) == "open"


async def test_a_senior_assigns_a_case_to_an_adviser(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime, company
) -> None:
    first = await tokens.make(Role.ADVISER)
    second = await tokens.make(Role.ADVISER, name="Bram Tweede")
    case_id = await substantiated_case(client, runtime, first, company)
    await web.sign_in_as(tokens, Role.SENIOR_ADVISER)
    page = await web.get(f"/onderzoeken/{case_id}")
    assert "Bram Tweede" in page.text  # an option of the assignment form
    assigned = await _step(web, case_id, "toewijzen", {"adviser_id": str(second.id)})
    assert assigned.status_code == 303
    assert str(await scalar(runtime, "SELECT assigned_to FROM investigation WHERE id = :id", id=case_id)) == str(second.id)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COMPANY])
async def test_investigations_are_for_advisers_only(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime, company, role: Role
) -> None:
    case_id = await substantiated_case(client, runtime, await tokens.make(Role.ADVISER), company)
    await web.sign_in_as(tokens, role, **({"company_id": company.id} if role is Role.COMPANY else {}))
    assert (await web.get("/onderzoeken")).status_code == 403
    assert (await web.get(f"/onderzoeken/{case_id}")).status_code == 403


async def test_an_unknown_case_or_step_is_a_404_page(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime, company
) -> None:
    adviser = await web.sign_in_as(tokens, Role.ADVISER)
    case_id = await substantiated_case(client, runtime, adviser, company)
    assert (await web.get(f"/onderzoeken/{UNKNOWN}")).status_code == 404
    assert (await _step(web, case_id, "opblazen")).status_code == 404


async def test_the_approver_reads_the_scope_and_the_intended_decisions_letter_before_approving(
    web: WebClient, tokens: TokenFactory, client: httpx.AsyncClient, runtime: Runtime, company
) -> None:
    recognition = await make_recognition(
        runtime, company, [(RecognitionStatus.ACTIVE, clock.today() - timedelta(days=400), None)],
        crebo="25180", qualification="Kok", level=2,
    )
    adviser = await tokens.make(Role.ADVISER)
    case_id = (await heard_case(client, runtime, adviser, company, phone=True))["case_id"]
    starts = clock.today() + timedelta(days=14)
    proposed = await client.post(f"{CASES}/{case_id}/proposal", headers=adviser.headers, json={
        "outcome": "suspension", "findings": "Afwijzing op grond van afkomst is aannemelijk.",
        "recognition_ids": [str(recognition.id)], "effective_from": starts.isoformat(),
        "placements_until": (starts + timedelta(days=60)).isoformat(),
    })
    assert proposed.status_code == 200, proposed.text
    await web.sign_in_as(tokens, Role.SENIOR_ADVISER)
    page = (await web.get(f"/onderzoeken/{case_id}")).text
    scope, steps = page.index("Wat het voorstel met de erkenningen doet"), page.index('id="stappen"')
    assert scope < steps  # read before the button
    assert "Kok <span class=\"muted\">(crebo 25180, niveau 2)</span>" in page and "geschorst" in page
    assert long_date(starts) in page
    letter = page[page.index("De brief met het voornemen"):steps]
    assert "CONCEPT-V" in letter and "Afwijzing op grond van afkomst is aannemelijk." in letter and "25180" in letter
    assert f"/onderzoeken/{case_id}/goedkeuren" in form_actions(page)
    assert await scalar(runtime, "SELECT count(*) FROM decision") == 0  # a preview drafts nothing
    approved = await _step(web, case_id, "goedkeuren")
    assert approved.status_code == 303 and approved.headers["location"] == f"/onderzoeken/{case_id}"
    after = await web.get(f"/onderzoeken/{case_id}")
    assert "Het voorstel is goedgekeurd en wordt uitgevoerd." in after.text
