"""The objection procedure step by step (chapters 6 and 7 Awb): paper and late objections (art. 6:9(2),
6:11), the decision term and its one extension (art. 7:10), its reminder and escalation, the hearing or a
ground of art. 7:3 to leave it out, the beslissing op bezwaar's letter with the appeal clause (art. 8:7) and
no new objection against it (art. 7:1); reopening a decision spends its intended decision (art. 4:8)."""

from datetime import date, timedelta
from uuid import UUID

import httpx

from erkenning.core import calendar, clock
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.letters import courts
from erkenning.recognition import deadlines
from erkenning.recognition.models import Decision
from erkenning.recognition.states import postal_grace_end
from erkenning.recognition.tasks import SYSTEM
from tests.factories import World, decision_body
from tests.helpers import DECISIONS, PORTAL, MailCatcher, drain_queue

OBJECTIONS = "/api/v1/backoffice/objections"


async def _suspension(world: World, crebo: str = "25180") -> tuple[UUID, Decision]:
    recognition_id = await world.granted(crebo)
    decision_id = await world.decide("suspend", [recognition_id], until_reinstated=True)
    async with world.runtime.session_factory() as session:
        decision = await session.get(Decision, decision_id)
    assert decision is not None and decision.objection_deadline is not None
    return decision_id, decision


async def _on_paper(client: httpx.AsyncClient, world: World, decision_id: UUID, **dates: date) -> httpx.Response:
    body = {"grounds": "Per post ontvangen.", **{k: v.isoformat() for k, v in dates.items()}}
    return await client.post(f"{DECISIONS}/{decision_id}/objections", json=body, headers=world.adviser.headers)


async def _decide(client: httpx.AsyncClient, objection_id: str, outcome: str, world: World) -> httpx.Response:
    body = {"outcome": outcome, "reason": "Zie het dossier."}
    return await client.post(f"{OBJECTIONS}/{objection_id}/decide", json=body, headers=world.senior2.headers)


async def test_a_posted_objection_received_within_a_week_after_the_term_is_on_time(
    client: httpx.AsyncClient, world: World
) -> None:
    decision_id, decision = await _suspension(world)
    deadline = decision.objection_deadline
    assert deadline is not None
    grace = postal_grace_end(deadline)
    with clock.travel(grace - clock.today()):
        # Through the portal the term has passed (422); on paper, posted on the last day, it is on time.
        portal = await client.post(f"{PORTAL}/decisions/{decision_id}/objections", json={"grounds": "Nee."},
                                   headers=world.company.headers)
        future = await _on_paper(client, world, decision_id, received_on=grace + timedelta(days=1))
        after_receipt = await _on_paper(client, world, decision_id, received_on=grace, postmarked_on=grace)
        filed = await _on_paper(client, world, decision_id, received_on=grace, postmarked_on=deadline)
    assert portal.status_code == 422
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "received_on"
    assert after_receipt.status_code == 201 and after_receipt.json()["timely"] is False  # posted too late
    # … which is still pending: the one posted in time is refused as a second pending objection.
    assert filed.status_code == 409
    objection = after_receipt.json()
    withdrawn = await client.post(f"{OBJECTIONS}/{objection['id']}/withdraw", headers=world.adviser.headers)
    assert withdrawn.status_code == 200
    with clock.travel(grace - clock.today()):
        filed = await _on_paper(client, world, decision_id, received_on=grace, postmarked_on=deadline)
    assert filed.status_code == 201, filed.text
    assert (filed.json()["filed_via"], filed.json()["timely"], filed.json()["late_excused"]) == ("post", True, None)
    assert filed.json()["decide_by"] == calendar.term_end(deadline, weeks=6).isoformat()


async def test_a_late_objection_is_judged_only_once_found_admissible_with_a_reason(
    client: httpx.AsyncClient, world: World, settings: Settings, mail: MailCatcher
) -> None:
    decision_id, decision = await _suspension(world)
    assert decision.objection_deadline is not None
    late_day = postal_grace_end(decision.objection_deadline) + timedelta(days=10)
    with clock.travel(late_day - clock.today()):
        # The decision became final meanwhile; a late objection is still recorded (art. 6:11 Awb).
        async with world.runtime.transaction() as session:
            await deadlines.finalise_due(session, settings, SYSTEM, clock.today())
        filed = await _on_paper(client, world, decision_id, received_on=late_day, postmarked_on=late_day)
        assert filed.status_code == 201, filed.text
        objection = filed.json()
        assert (objection["timely"], objection["late_excused"]) == (False, None)
        not_yet = await _decide(client, objection["id"], "upheld", world)
        url = f"{OBJECTIONS}/{objection['id']}/lateness"
        no_reason = await client.post(url, json={"admissible": True}, headers=world.senior2.headers)
        excused = await client.post(url, json={"admissible": True, "reason": "Het bedrijf lag stil door brand."},
                                    headers=world.senior2.headers)
        twice = await client.post(url, json={"admissible": False, "reason": "Toch niet."},
                                  headers=world.senior2.headers)
        upheld = await _decide(client, objection["id"], "upheld", world)
        await drain_queue(settings)
    assert not_yet.status_code == 409 and "6:11" in not_yet.json()["detail"]
    assert no_reason.status_code == 422
    assert excused.status_code == 200 and excused.json()["late_reason"] == "Het bedrijf lag stil door brand."
    assert twice.status_code == 409
    assert upheld.status_code == 200, upheld.text
    letter = await client.get(f"{OBJECTIONS}/{objection['id']}/letter", headers=world.adviser.headers)
    assert "6:11 Awb" in letter.text and "Het bedrijf lag stil door brand." in letter.text
    receipt = [m for m in mail.to(await world.email()) if objection["reference"] in m["Subject"]
               and "Ontvangst" in m["Subject"]]
    assert "6:11 Awb" in MailCatcher.text(receipt[0])


async def test_a_late_objection_found_inadmissible_is_decided_with_its_letter(
    client: httpx.AsyncClient, world: World
) -> None:
    decision_id, decision = await _suspension(world)
    assert decision.objection_deadline is not None
    late_day = postal_grace_end(decision.objection_deadline) + timedelta(days=3)
    with clock.travel(late_day - clock.today()):
        objection = (await _on_paper(client, world, decision_id, received_on=late_day)).json()
        refused = await client.post(f"{OBJECTIONS}/{objection['id']}/lateness",
                                    json={"admissible": False, "reason": "Geen reden voor de vertraging gegeven."},
                                    headers=world.senior2.headers)
    assert refused.status_code == 200, refused.text
    assert (refused.json()["status"], refused.json()["hearing_skip_ground"]) == (
        "inadmissible", "manifestly_inadmissible"
    )
    letter = await client.get(f"{PORTAL}/objections/{objection['id']}/letter", headers=world.company.headers)
    assert "niet-ontvankelijk" in letter.text and "niet verschoonbaar" in letter.text


async def test_the_decision_term_is_extended_once_and_not_twice(
    client: httpx.AsyncClient, world: World, settings: Settings, mail: MailCatcher
) -> None:
    decision_id, decision = await _suspension(world)
    filed = await client.post(f"{PORTAL}/decisions/{decision_id}/objections", json={"grounds": "Nee."},
                              headers=world.company.headers)
    objection = filed.json()
    first_end = date.fromisoformat(objection["decide_by"])
    assert decision.objection_deadline is not None
    assert first_end == calendar.term_end(decision.objection_deadline, weeks=6)
    url = f"{OBJECTIONS}/{objection['id']}/extend"
    by_company = await client.post(url, json={"reason": "Nee."}, headers=world.company.headers)
    without = await client.post(url, json={}, headers=world.adviser.headers)
    once = await client.post(url, json={"reason": "Advies van de sectorkamer nodig."}, headers=world.adviser.headers)
    twice = await client.post(url, json={"reason": "Nog meer tijd."}, headers=world.adviser.headers)
    await drain_queue(settings)
    assert by_company.status_code in (401, 403, 404) and without.status_code == 422
    assert once.status_code == 200, once.text
    assert once.json()["decide_by"] == calendar.term_end(first_end, weeks=6).isoformat()
    assert once.json()["extension_reason"] == "Advies van de sectorkamer nodig."
    assert twice.status_code == 409 and "7:10" in twice.json()["detail"]
    [notice] = [m for m in mail.to(await world.email()) if m["Subject"].startswith("SBB verdaagt")]
    assert "Advies van de sectorkamer nodig." in MailCatcher.text(notice)


async def test_the_decision_term_with_an_advisory_committee_is_twelve_weeks(
    client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    from erkenning.recognition.services.objections import ObjectionService
    from tests.factories import as_caller

    decision_id, decision = await _suspension(world)
    committee = runtime.settings.model_copy(update={"objection_advisory_committee": True})
    async with runtime.transaction() as session:
        objection = await ObjectionService(session, committee).file(decision_id, "Nee.", as_caller(world.adviser))
    assert decision.objection_deadline is not None
    assert objection.decide_by == calendar.term_end(decision.objection_deadline, weeks=12)


async def test_the_senior_advisers_are_reminded_and_then_alerted_before_the_term_ends(
    client: httpx.AsyncClient, world: World, runtime: Runtime, settings: Settings, mail: MailCatcher
) -> None:
    decision_id, _ = await _suspension(world)
    objection = (await client.post(f"{PORTAL}/decisions/{decision_id}/objections", json={"grounds": "Nee."},
                                   headers=world.company.headers)).json()
    decide_by = date.fromisoformat(objection["decide_by"])

    async def sweep(day: date) -> int:
        with clock.travel(day - clock.today()):
            async with runtime.transaction() as session:
                return await deadlines.remind_objection_terms(session, settings, SYSTEM, clock.today())

    far = decide_by - timedelta(days=30)
    remind_day = calendar.add_working_days(decide_by, 0)
    while calendar.working_days_between(remind_day, decide_by) < settings.objection_reminder_working_days:
        remind_day -= timedelta(days=1)
    escalate_day = decide_by - timedelta(days=1)
    assert [await sweep(far), await sweep(remind_day), await sweep(remind_day), await sweep(escalate_day),
            await sweep(escalate_day)] == [0, 1, 0, 1, 0]
    with clock.travel(escalate_day - clock.today()):
        await drain_queue(settings)
    for senior in ("senior@sbb.example", "senior2@sbb.example"):
        subjects = sorted(m["Subject"].split(":")[0] for m in mail.to(senior) if objection["reference"] in m["Subject"])
        assert subjects == ["Escalatie", "Herinnering"]


async def test_the_hearing_is_left_out_only_on_a_ground_of_art_7_3(
    client: httpx.AsyncClient, world: World
) -> None:
    decision_id, _ = await _suspension(world)
    objection = (await client.post(f"{PORTAL}/decisions/{decision_id}/objections", json={"grounds": "Nee."},
                                   headers=world.company.headers)).json()
    url = f"{OBJECTIONS}/{objection['id']}/hearing/skip"
    no_ground = await client.post(url, json={"note": "Geen tijd."}, headers=world.adviser.headers)
    other_ground = await client.post(url, json={"ground": "too_busy", "note": "Geen tijd."},
                                     headers=world.adviser.headers)
    no_note = await client.post(url, json={"ground": "manifestly_unfounded"}, headers=world.adviser.headers)
    by_company = await client.post(url, json={"ground": "waived", "note": "Wij zien af."},
                                   headers=world.company.headers)
    assert [r.status_code for r in (no_ground, other_ground, no_note)] == [422, 422, 422]
    assert by_company.status_code in (401, 403, 404)
    assert (await _decide(client, objection["id"], "rejected", world)).status_code == 409
    skipped = await client.post(url, json={"ground": "manifestly_unfounded", "note": "Het bezwaar herhaalt alleen "
                                "de zienswijze, die al is weerlegd."}, headers=world.adviser.headers)
    assert skipped.status_code == 200, skipped.text
    again = await client.post(url, json={"ground": "waived", "note": "Nog eens."}, headers=world.adviser.headers)
    assert again.status_code == 409
    rejected = await _decide(client, objection["id"], "rejected", world)
    assert rejected.status_code == 200, rejected.text
    letter = await client.get(f"{PORTAL}/objections/{objection['id']}/letter", headers=world.company.headers)
    assert "kennelijk ongegrond" in letter.text and "7:3 Awb" in letter.text
    # The beslissing op bezwaar is open to appeal, never to a new objection (art. 7:1 Awb): 409 on an attempt.
    again = await client.post(f"{PORTAL}/decisions/{decision_id}/objections", json={"grounds": "Nog eens."},
                              headers=world.company.headers)
    assert again.status_code == 409 and again.json()["type"].endswith("objection-decided")


async def test_the_appeal_clause_names_the_court_where_the_company_is_seated_and_none_when_unknown(
    client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    assert courts.court_for("Utrecht") == "rechtbank Midden-Nederland"
    assert courts.court_for("  's-Hertogenbosch ") == "rechtbank Oost-Brabant"
    assert courts.court_for("Nergenshuizen") is None and courts.court_for(None) is None
    letters = {}
    for city, crebo in (("Maastricht", "25180"), ("Nergenshuizen", "25181")):
        async with runtime.transaction() as session:
            from erkenning.companies.models import Company

            company = await session.get(Company, world.company_id)
            assert company is not None
            company.city = city
            session.add(company)
        decision_id, _ = await _suspension(world, crebo)
        objection = (await client.post(f"{PORTAL}/decisions/{decision_id}/objections", json={"grounds": "Nee."},
                                       headers=world.company.headers)).json()
        assert (await _decide(client, objection["id"], "upheld", world)).status_code == 200
        letters[city] = (await client.get(f"{OBJECTIONS}/{objection['id']}/letter",
                                          headers=world.adviser.headers)).text
        assert objection["reference"] in letters[city]
    assert "bij de rechtbank Limburg (de rechtbank in het arrondissement" in letters["Maastricht"]
    assert "rechtbank Limburg" not in letters["Nergenshuizen"]
    assert "bij de rechtbank in het arrondissement waar uw bedrijf is gevestigd" in letters["Nergenshuizen"]
    for text in letters.values():
        assert "Beroep instellen" in text and "8:7 Awb" in text and "geen bezwaar meer maken" in text


async def test_reopening_a_decision_after_its_intended_decision_needs_a_new_one(
    client: httpx.AsyncClient, world: World
) -> None:
    recognition_id = await world.granted()
    draft = await client.post(DECISIONS, json=decision_body("suspend", [recognition_id], until_reinstated=True),
                              headers=world.adviser.headers)
    url = f"{DECISIONS}/{draft.json()['id']}"
    assert (await client.post(f"{url}/intend", headers=world.adviser.headers)).status_code == 200
    assert (await client.post(f"{url}/response", json={"text": "Oneens."}, headers=world.adviser.headers)).status_code == 200
    approved = await client.post(f"{url}/approve", json={"response_read": True}, headers=world.senior.headers)
    assert approved.status_code == 200, approved.text
    reopened = await client.post(f"{url}/reopen", headers=world.adviser.headers)
    assert reopened.status_code == 200
    changed = await client.patch(url, json={"grounds": "Ernstiger dan gedacht."}, headers=world.adviser.headers)
    assert changed.status_code == 200, changed.text
    # The old intended decision cannot become this decision: approval waits for a new one.
    refused = await client.post(f"{url}/approve", json={"response_read": True}, headers=world.senior.headers)
    assert refused.status_code == 409 and "4:8" in refused.json()["detail"]
    again = await client.post(f"{url}/intend", headers=world.adviser.headers)
    assert again.status_code == 200, again.text
    letter = await client.get(f"{url}/letter", params={"kind": "intended_decision"}, headers=world.adviser.headers)
    assert "Ernstiger dan gedacht." in letter.text and f"{draft.json()['kenmerk']}-V2" in letter.text
    async with world.runtime.session_factory() as session:
        decision = await session.get(Decision, UUID(draft.json()["id"]))
    assert decision is not None and [e["response_text"] for e in decision.earlier_intentions] == ["Oneens."]


async def test_hostile_input_to_the_procedure_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    decision_id, _ = await _suspension(world)
    objection = (await client.post(f"{PORTAL}/decisions/{decision_id}/objections", json={"grounds": "Nee."},
                                   headers=world.company.headers)).json()
    url = f"{OBJECTIONS}/{objection['id']}"
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    refused = [
        await client.post(f"{url}/hearing/invite", json={"hearing_at": f"{tomorrow}T10:00:00",
                                                         "place": "SBB"}, headers=world.adviser.headers),
        await client.post(f"{url}/hearing/invite", json={"hearing_at": f"{tomorrow}T10:00:00+01:00",
                                                         "video_link": "javascript:alert(1)"},
                          headers=world.adviser.headers),
        await client.post(f"{url}/hearing/invite", json={"hearing_at": "2020-01-01T10:00:00+01:00",
                                                         "place": "SBB"}, headers=world.adviser.headers),
        await client.post(f"{url}/hearing/invite", json={"hearing_at": f"{tomorrow}T10:00:00+01:00",
                                                         "place": "x" * 501}, headers=world.adviser.headers),
        await client.post(f"{url}/hearing/skip", json={"ground": "waived", "note": "ok", "extra": 1},
                          headers=world.adviser.headers),
        await client.post(f"{url}/lateness", json={"admissible": "misschien", "reason": "r"},
                          headers=world.adviser.headers),
        await client.post(f"{DECISIONS}/{decision_id}/objections", json={"grounds": "Per post.",
                          "received_on": "2026-13-40"}, headers=world.adviser.headers),
        await client.post(f"{DECISIONS}/{decision_id}/objections", json={"grounds": "Per post.",
                          "received_on": clock.today().isoformat(), "postmarked_on": tomorrow},
                          headers=world.adviser.headers),
    ]
    assert [r.status_code for r in refused] == [422] * len(refused), [r.text for r in refused]
    assert all(r.headers["content-type"].startswith("application/problem+json") for r in refused)
    # A timely objection has no lateness to judge; a paper objection is staff's to record.
    assert (await client.post(f"{url}/lateness", json={"admissible": True, "reason": "r"},
                              headers=world.adviser.headers)).status_code == 409
    by_company = await client.post(f"{PORTAL}/decisions/{decision_id}/objections",
                                   json={"grounds": "Per post.", "received_on": clock.today().isoformat()},
                                   headers=world.company.headers)
    assert by_company.status_code == 422  # the portal's form has no such field
    after = (await client.get(url, headers=world.adviser.headers)).json()
    assert (after["hearing_status"], after["late_excused"], after["status"]) == ("none", None, "pending")
