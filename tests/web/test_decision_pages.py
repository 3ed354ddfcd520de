"""Decision and objection pages: drafting, the steps of the decision table, four eyes, deciding objections."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import httpx

from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.recognition.models import Decision, DecisionKind, DecisionRecognition, DecisionStatus, Pathway
from erkenning.vocabulary import long_date
from tests.factories import TokenFactory, World
from tests.helpers import WebClient, form_actions, post_form, scalar

UNKNOWN = "00000000-0000-4000-8000-000000000000"


async def _decision_status(runtime: Runtime, decision_id: str | UUID) -> str:
    return str(await scalar(runtime, "SELECT status FROM decision WHERE id = :id", id=str(decision_id)))


async def _draft(web: WebClient, world: World, data: dict) -> httpx.Response:
    path = f"/besluiten/nieuw?bedrijf={world.company_id}"
    return await post_form(web, path, path, data)


async def _step(web: WebClient, decision_id: str, slug: str, data: dict | None = None) -> httpx.Response:
    return await post_form(web, f"/besluiten/{decision_id}", f"/besluiten/{decision_id}/{slug}", data)


async def test_drafting_approving_and_sending_a_grant(web: WebClient, world: World, runtime: Runtime) -> None:
    application = await world.application("25180", Pathway.BBL)
    await web.sign_in(world.adviser)
    form = await web.get(f"/besluiten/nieuw?bedrijf={world.company_id}")
    assert form.status_code == 200
    assert f'value="{application}"' in form.text and "Kok (25180, BBL), nu in behandeling" in form.text

    drafted = await _draft(web, world, {
        "kind": "grant", "recognition_ids": [str(application)], "grounds": "Voldoet aan de criteria.",
        "legal_basis": "art. 7.2.10 WEB",
    })
    assert drafted.status_code == 303
    decision_id = drafted.headers["location"].rsplit("/", 1)[1]
    page = await web.get(drafted.headers["location"])
    assert "Het concept-besluit is opgeslagen." in page.text and "concept</span>" in page.text
    assert form_actions(page.text) == {
        f"/besluiten/{decision_id}/goedkeuren", f"/besluiten/{decision_id}/niet-doorzetten", "/uitloggen"
    }
    assert (await _step(web, decision_id, "goedkeuren")).status_code == 303
    sent = await _step(web, decision_id, "versturen")
    assert sent.status_code == 303
    assert await _decision_status(runtime, decision_id) == "sent"
    after = (await web.get(sent.headers["location"])).text
    assert "Het besluit is verstuurd en gaat in." in after and "Bezwaar kan tot en met" in after
    assert await scalar(runtime, "SELECT status FROM recognition WHERE id = :id", id=str(application)) == "active"


async def test_a_draft_with_errors_is_explained_on_its_fields_and_keeps_the_input(
    web: WebClient, world: World, runtime: Runtime
) -> None:
    recognition = await world.granted()
    await web.sign_in(world.adviser)
    empty = await _draft(web, world, {"kind": "", "grounds": "", "legal_basis": ""})
    assert empty.status_code == 422
    for field in ("kind", "recognition-ids", "grounds", "legal-basis"):
        assert f'href="#veld-{field}"' in empty.text
    suspension = await _draft(web, world, {
        "kind": "suspend", "recognition_ids": [str(recognition)], "criterion_code": "non_discrimination", "grounds": "Onveilige werkplek", "legal_basis": "WEB",
    })
    assert suspension.status_code == 422
    assert "Geef bij een schorsing een einddatum" in suspension.text and 'href="#veld-effective-until"' in suspension.text
    assert f'value="{recognition}" checked' in suspension.text and "Onveilige werkplek</textarea>" in suspension.text
    assert await scalar(runtime, "SELECT count(*) FROM decision") == 1  # only the grant of the world


async def test_a_decision_that_does_not_fit_the_recognition_is_refused_on_that_field(
    web: WebClient, world: World, runtime: Runtime
) -> None:
    recognition = await world.granted()
    await web.sign_in(world.adviser)
    again = await _draft(web, world, {
        "kind": "grant", "recognition_ids": [str(recognition)], "grounds": "Nogmaals", "legal_basis": "WEB",
    })
    assert again.status_code == 422
    assert "past niet bij de huidige status" in again.text and 'href="#veld-recognition-ids"' in again.text
    assert await scalar(runtime, "SELECT count(*) FROM decision") == 1


async def test_a_harmful_decision_is_first_intended_and_four_eyes_hold(
    web: WebClient, world: World, runtime: Runtime, app
) -> None:
    recognition = await world.granted()
    await web.sign_in(world.senior)
    drafted = await _draft(web, world, {
        "kind": "suspend", "recognition_ids": [str(recognition)], "criterion_code": "non_discrimination", "grounds": "Onveilige werkplek",
        "legal_basis": "art. 7.2.10 WEB", "until_reinstated": "ja",
        "placements_until": (clock.today() + timedelta(days=60)).isoformat(),
    })
    assert drafted.status_code == 303
    decision_id = drafted.headers["location"].rsplit("/", 1)[1]
    page = await web.get(f"/besluiten/{decision_id}")
    # The drafter may put it to the company, never approve it.
    assert f"/besluiten/{decision_id}/voornemen" in form_actions(page.text)
    assert f"/besluiten/{decision_id}/goedkeuren" not in form_actions(page.text)
    assert (await _step(web, decision_id, "voornemen")).status_code == 303
    early = await _step(web, decision_id, "goedkeuren")
    assert early.status_code == 403 and "vier ogen" in early.text
    recorded = await _step(web, decision_id, "reactie", {"text": "Wij zijn het er niet mee eens."})
    assert recorded.status_code == 303
    refused = await _step(web, decision_id, "goedkeuren")
    assert refused.status_code == 403 and "een senior adviseur die het niet zelf heeft opgesteld" in refused.text
    assert await _decision_status(runtime, decision_id) == "intended"

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as http:
        other = WebClient(http)
        await other.sign_in(world.senior2)
        page = await other.get(f"/besluiten/{decision_id}")
        assert "Wij zijn het er niet mee eens." in page.text
        assert "Ik heb de reactie van het bedrijf op het voornemen gelezen" in page.text
        unread = await _step(other, decision_id, "goedkeuren")
        assert unread.status_code == 409 and "vink aan dat u die heeft gelezen" in unread.text
        assert await _decision_status(runtime, decision_id) == "intended"
        assert (await _step(other, decision_id, "goedkeuren", {"response_read": "ja"})).status_code == 303
    assert await _decision_status(runtime, decision_id) == "approved"
    assert await scalar(runtime, "SELECT response_read_by FROM decision WHERE id = :id", id=decision_id) == \
        world.senior2.id


async def test_approval_before_the_response_term_ends_is_explained_with_the_date(
    web: WebClient, world: World, runtime: Runtime
) -> None:
    recognition = await world.granted()
    await web.sign_in(world.adviser)
    drafted = await _draft(web, world, {
        "kind": "withdraw", "recognition_ids": [str(recognition)], "criterion_code": "non_discrimination", "grounds": "Ernstige signalen", "legal_basis": "WEB",
        "placements_until": (clock.today() + timedelta(days=30)).isoformat(),
    })
    decision_id = drafted.headers["location"].rsplit("/", 1)[1]
    await _step(web, decision_id, "voornemen")
    await web.sign_out()
    await web.sign_in(world.senior)
    page = await web.get(f"/besluiten/{decision_id}")
    assert f"/besluiten/{decision_id}/goedkeuren" not in form_actions(page.text)
    refused = await _step(web, decision_id, "goedkeuren")
    assert refused.status_code == 409 and "mag tot en met" in refused.text and "reageren op het voornemen" in refused.text
    assert await _decision_status(runtime, decision_id) == "intended"


async def test_changing_a_draft_and_not_after_it_was_approved(web: WebClient, world: World, runtime: Runtime) -> None:
    application = await world.application()
    await web.sign_in(world.adviser)
    drafted = await _draft(web, world, {
        "kind": "grant", "recognition_ids": [str(application)], "grounds": "Eerste versie", "legal_basis": "WEB",
    })
    decision_id = drafted.headers["location"].rsplit("/", 1)[1]
    edit = await web.get(f"/besluiten/{decision_id}/wijzigen")
    assert "Eerste versie</textarea>" in edit.text
    changed = await post_form(web, f"/besluiten/{decision_id}/wijzigen", f"/besluiten/{decision_id}/wijzigen",
                              {"grounds": "Tweede versie", "legal_basis": "art. 7.2.10 WEB"})
    assert changed.status_code == 303
    assert "Tweede versie" in (await web.get(f"/besluiten/{decision_id}")).text
    await _step(web, decision_id, "goedkeuren")
    late = await post_form(web, f"/besluiten/{decision_id}/wijzigen", f"/besluiten/{decision_id}/wijzigen",
                           {"grounds": "Derde versie", "legal_basis": "WEB"})
    assert late.status_code == 409 and "Alleen een concept-besluit kan worden gewijzigd." in late.text
    assert "Derde versie" not in (await web.get(f"/besluiten/{decision_id}")).text


async def test_the_list_filters_decisions_by_status(web: WebClient, world: World) -> None:
    await world.granted()
    await web.sign_in(world.admin)
    sent = await web.get("/besluiten", params={"status": "sent"})
    assert sent.status_code == 200 and "Toekenning" in sent.text and "1–1 van 1" in sent.text
    drafts = await web.get("/besluiten", params={"status": "draft"})
    assert "Toekenning" not in drafts.text


async def test_decisions_are_not_for_companies_and_an_unknown_one_is_404(
    web: WebClient, world: World, tokens: TokenFactory
) -> None:
    recognition = await world.granted()
    decision = await world.decide("impose_conditions", [recognition])
    await web.sign_in(world.company)
    assert (await web.get("/besluiten")).status_code == 403
    assert (await web.get(f"/besluiten/{decision}")).status_code == 403
    await web.sign_out()
    await web.sign_in(world.adviser)
    assert (await web.get(f"/besluiten/{UNKNOWN}")).status_code == 404
    assert (await web.get(f"/besluiten/nieuw?bedrijf={UNKNOWN}")).status_code == 404


# ---------------------------------------------------------------- objections


async def _objection(client: httpx.AsyncClient, world: World) -> tuple[str, UUID]:
    recognition = await world.granted()
    decision = await world.decide("withdraw", [recognition])
    response = await client.post(f"/api/v1/portal/decisions/{decision}/objections",
                                 json={"grounds": "Wij hebben nooit iemand afgewezen."}, headers=world.company.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"], recognition


async def test_who_prepared_the_decision_cannot_decide_the_objection(
    web: WebClient, world: World, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    objection_id, _ = await _objection(client, world)
    await web.sign_in(world.adviser)  # drafted the contested decision
    listed = await web.get("/bezwaren")
    assert f'href="/bezwaren/{objection_id}"' in listed.text
    page = await web.get(f"/bezwaren/{objection_id}")
    assert "Wij hebben nooit iemand afgewezen." in page.text
    assert f"/bezwaren/{objection_id}/beslissen" not in form_actions(page.text)
    assert "Een collega beslist op dit bezwaar" in page.text
    refused = await post_form(web, f"/bezwaren/{objection_id}", f"/bezwaren/{objection_id}/beslissen",
                              {"outcome": "rejected", "reason": "Ongegrond"})
    assert refused.status_code == 403 and "art. 7:5 Awb" in refused.text
    assert await scalar(runtime, "SELECT status FROM objection WHERE id = :id", id=objection_id) == "pending"


async def test_upholding_an_objection_restores_the_recognition(
    web: WebClient, world: World, client: httpx.AsyncClient, runtime: Runtime, tokens: TokenFactory
) -> None:
    objection_id, recognition = await _objection(client, world)
    await web.sign_in_as(tokens, Role.ADVISER)
    missing = await post_form(web, f"/bezwaren/{objection_id}", f"/bezwaren/{objection_id}/beslissen",
                              {"reason": "Terecht"})
    assert missing.status_code == 422 and 'href="#veld-beslissen-outcome"' in missing.text
    decided = await post_form(web, f"/bezwaren/{objection_id}", f"/bezwaren/{objection_id}/beslissen",
                              {"outcome": "upheld", "reason": "Het onderzoek was onvolledig."})
    assert decided.status_code == 303
    page = (await web.get(decided.headers["location"])).text
    assert "gegrond</span>" in page and "Het onderzoek was onvolledig." in page
    # The restoration is part of the beslissing op bezwaar (art. 7:11 Awb): no decision to restore, a date.
    assert "Hersteld met ingang van" in page and "Besluit tot herstel" not in page
    assert await scalar(runtime, "SELECT status FROM recognition WHERE id = :id", id=str(recognition)) == "active"
    assert f'href="/bezwaren/{objection_id}"' not in (await web.get("/bezwaren")).text  # no longer pending
    assert f'href="/bezwaren/{objection_id}"' in (await web.get("/bezwaren", params={"status": "alle"})).text


async def test_the_approver_sees_the_whole_scope_and_the_letter_before_it_is_sent(
    web: WebClient, world: World, runtime: Runtime, app
) -> None:
    recognition = await world.granted()
    effective = clock.today() + timedelta(days=20)
    placements = effective + timedelta(days=45)
    await web.sign_in(world.adviser)
    drafted = await _draft(web, world, {
        "kind": "withdraw", "recognition_ids": [str(recognition)], "criterion_code": "non_discrimination", "grounds": "De werkplek is niet veilig.",
        "legal_basis": "art. 7.2.10 WEB", "effective_from": effective.isoformat(),
        "placements_until": placements.isoformat(),
    })
    decision_id = drafted.headers["location"].rsplit("/", 1)[1]
    await _step(web, decision_id, "voornemen")
    await _step(web, decision_id, "reactie", {"text": "Wij zijn het oneens."})
    kenmerk = await scalar(runtime, "SELECT kenmerk FROM decision WHERE id = :id", id=decision_id)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as http:
        senior = WebClient(http)
        await senior.sign_in(world.senior)
        page = (await senior.get(f"/besluiten/{decision_id}")).text
        # The scope: the recognition, its status before and after, the dates, the transition arrangement.
        assert "Wat dit besluit doet" in page and "Kok" in page
        assert ">erkend<" in page and ">ingetrokken<" in page
        assert long_date(effective) in page and long_date(placements) in page
        # The letter as it would go today, on the same page, and as a download.
        assert "De brief zoals die vandaag zou worden verstuurd" in page and kenmerk in page
        assert "SBB trekt de erkenning van uw bedrijf als leerbedrijf in" in page
        assert f"/besluiten/{decision_id}/brief" in page
        preview = await senior.get(f"/besluiten/{decision_id}/brief")
        assert preview.status_code == 200 and "concept" in preview.headers["content-disposition"]
        approved = await _step(senior, decision_id, "goedkeuren", {"response_read": "ja"})
        assert approved.status_code == 303
        sent = await _step(senior, decision_id, "versturen")
        assert sent.status_code == 303
        after = (await senior.get(f"/besluiten/{decision_id}")).text
        assert "De brief zoals die is verstuurd" in after and "SHA-256" in after
        kept = await senior.get(f"/besluiten/{decision_id}/brief")
        assert kept.headers["content-disposition"] == f'attachment; filename="{kenmerk}.html"'
    sha = await scalar(runtime, "SELECT sha256 FROM letter WHERE decision_id = :id AND kind = 'decision'",
                       id=decision_id)
    assert sha in after and await _decision_status(runtime, decision_id) == "sent"
    assert await scalar(runtime, "SELECT sent_by FROM decision WHERE id = :id", id=decision_id) == world.senior.id


async def test_a_decision_sent_before_letters_were_kept_still_shows_and_says_so(
    web: WebClient, world: World, runtime: Runtime, client
) -> None:
    recognition = await world.granted()
    async with runtime.transaction() as session:
        earlier = Decision(
            company_id=world.company_id, kind=DecisionKind.IMPOSE_CONDITIONS, status=DecisionStatus.SENT,
            grounds="Van voor de brieven.", legal_basis="art. 7.2.10 WEB", effective_from=clock.today(),
            drafted_by=world.adviser.id, sent_on=clock.today(), sent_at=clock.now(),
            objection_deadline=clock.today() + timedelta(days=42),
        )
        session.add(earlier)
        await session.flush()
        session.add(DecisionRecognition(decision_id=earlier.id, recognition_id=recognition))
    await web.sign_in(world.adviser)
    page = await web.get(f"/besluiten/{earlier.id}")
    assert page.status_code == 200 and "geen brief bewaard" in page.text and earlier.kenmerk in page.text
    missing = await client.get(f"/api/v1/backoffice/decisions/{earlier.id}/letter", headers=world.adviser.headers)
    assert missing.status_code == 404


async def test_the_draft_form_groups_the_fields_of_each_kind_and_reads_only_those_of_the_kind_chosen(
    web: WebClient, world: World, runtime: Runtime
) -> None:
    application = await world.application("25180", Pathway.BOL)
    await web.sign_in(world.adviser)
    form = (await web.get(f"/besluiten/nieuw?bedrijf={world.company_id}")).text
    assert 'type="radio" id="veld-kind" name="kind" value="grant"' in form
    assert 'data-when-values="suspend"' in form and "<legend class=\"fieldset__legend\">Alleen bij een schorsing" in form
    assert 'data-when-values="suspend withdraw"' in form
    # An end date left in the suspension's fieldset does not count against a grant.
    drafted = await _draft(web, world, {
        "kind": "grant", "recognition_ids": [str(application)], "grounds": "Voldoet.", "legal_basis": "art. 7.2.10 WEB",
        "effective_until": (clock.today() + timedelta(days=30)).isoformat(), "until_reinstated": "ja",
    })
    assert drafted.status_code == 303, drafted.text
    decision_id = drafted.headers["location"].rsplit("/", 1)[1]
    assert await scalar(runtime, "SELECT effective_until FROM decision WHERE id = :id", id=decision_id) is None


async def test_a_draft_reports_every_error_at_once(web: WebClient, world: World, runtime: Runtime) -> None:
    recognition = await world.granted("25180", on=clock.today() - timedelta(days=200))
    await web.sign_in(world.adviser)
    before = await scalar(runtime, "SELECT count(*) FROM decision")
    refused = await _draft(web, world, {
        "kind": "suspend", "recognition_ids": [str(recognition)], "grounds": "", "legal_basis": "",
        "effective_from": (clock.today() + timedelta(days=10)).isoformat(),
        "effective_until": (clock.today() + timedelta(days=5)).isoformat(),
    })
    assert refused.status_code == 422
    summary = refused.text.split('class="error-summary__list"')[1].split("</ul>")[0]
    for field in ("grounds", "legal-basis", "effective-until", "placements-until"):
        assert f'href="#veld-{field}"' in summary, field
    assert "De einddatum ligt na de ingangsdatum." in summary
    assert await scalar(runtime, "SELECT count(*) FROM decision") == before
