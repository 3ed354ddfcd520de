"""Objections: filed within the term (late: 422 naming the deadline), decided by someone independent;
upheld revokes the decision and restores the recognition from its start (art. 7:11 Awb) within the
beslissing op bezwaar itself, rejected lets the decision become final."""

import re
from datetime import date, timedelta

import httpx
import sqlalchemy as sa

from erkenning.core import clock
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.recognition import deadlines
from erkenning.recognition.models import Decision, DecisionStatus, Recognition, RecognitionStatus
from erkenning.recognition.states import postal_grace_end
from erkenning.recognition.tasks import SYSTEM
from tests.factories import Principal, World, decision_body
from tests.helpers import DECISIONS, PORTAL, MailCatcher, drain_queue, only

OBJECTIONS = "/api/v1/backoffice/objections"
RECOGNITIONS = "/api/v1/backoffice/recognitions"


async def _decision(runtime: Runtime, decision_id) -> Decision:
    async with runtime.session_factory() as session:
        return await session.get(Decision, decision_id)


async def _status_today(client, world: World, recognition_id) -> str:
    url = f"{RECOGNITIONS}/{recognition_id}/status"
    return (await client.get(url, headers=world.adviser.headers)).json()["status"]


async def _object(client, world: World, decision_id, grounds: str = "Nee.") -> httpx.Response:
    """The company objects through the portal."""
    url = f"{PORTAL}/decisions/{decision_id}/objections"
    return await client.post(url, json={"grounds": grounds}, headers=world.company.headers)


async def _decide(
    client, objection_id, outcome: str, by: Principal, reason: str = "Zie het dossier."
) -> httpx.Response:
    url = f"{OBJECTIONS}/{objection_id}/decide"
    return await client.post(url, json={"outcome": outcome, "reason": reason}, headers=by.headers)


async def _suspended_and_objected(client, world: World) -> tuple:
    """A recognition suspended until reinstated (sent today), and the company's pending objection to it."""
    recognition_id = await world.granted()
    decision_id = await world.decide("suspend", [recognition_id], until_reinstated=True)
    objection = await _object(client, world, decision_id)
    assert objection.status_code == 201, objection.text
    return recognition_id, decision_id, objection.json()


async def test_company_objects_in_the_portal_and_gets_a_receipt(
    client, world: World, settings: Settings, mail: MailCatcher
) -> None:
    _, decision_id, filed = await _suspended_and_objected(client, world)
    assert filed["status"] == "pending" and filed["filed_via"] == "portal"
    assert (
        await _object(client, world, decision_id, "Nogmaals.")
    ).status_code == 409  # one pending at a time
    await drain_queue(settings)
    assert re.fullmatch(r"SBB-BZ-\d{4}-\d{6}", filed["reference"])
    receipt = only(mail.to(await world.email()), f"Ontvangstbevestiging van uw bezwaar ({filed['reference']})")
    assert clock.today().strftime("%d-%m-%Y") in MailCatcher.text(receipt)
    # Its own reference, and the decision term (art. 7:10 Awb), in the receipt.
    assert filed["reference"] in MailCatcher.text(receipt)
    assert date.fromisoformat(filed["decide_by"]).strftime("%d-%m-%Y") in MailCatcher.text(receipt)
    listed = await client.get(OBJECTIONS, params={"status": "pending"}, headers=world.adviser.headers)
    assert [o["id"] for o in listed.json()["items"]] == [filed["id"]]


async def test_a_late_objection_is_refused_naming_the_deadline(
    client, world: World, runtime: Runtime
) -> None:
    recognition_id = await world.granted()
    decision_id = await world.decide("suspend", [recognition_id], until_reinstated=True)
    deadline = (await _decision(runtime, decision_id)).objection_deadline
    with clock.travel(deadline - clock.today() + timedelta(days=1)):
        late = await _object(client, world, decision_id, "Te laat.")
        on_paper = await client.post(
            f"{DECISIONS}/{decision_id}/objections",
            json={"grounds": "Per post."},
            headers=world.adviser.headers,
        )
    assert late.status_code == 422
    assert late.json()["type"] == "urn:erkenning:problem:objection-term-passed"
    assert deadline.isoformat() in late.json()["detail"]
    assert late.json()["deadline"] == deadline.isoformat()
    assert on_paper.status_code == 422
    # The last day of the term still counts.
    with clock.travel(deadline - clock.today()):
        assert (await _object(client, world, decision_id, "Net op tijd.")).status_code == 201


async def test_upheld_objection_revokes_the_decision_and_restores_the_recognition(
    client, world: World, runtime: Runtime, settings: Settings, mail: MailCatcher
) -> None:
    today = clock.today()
    recognition_id = await world.granted(on=today - timedelta(days=200))
    suspension_id = await world.decide("suspend", [recognition_id], until_reinstated=True)
    assert await _status_today(client, world, recognition_id) == "suspended"

    with clock.travel(timedelta(days=3)):
        objection = (await _object(client, world, suspension_id, "Onjuist.")).json()
        # The adviser drafted and the senior approved the suspension: neither decides the objection.
        for prepared in (world.adviser, world.senior):
            refused = await _decide(client, objection["id"], "upheld", prepared)
            assert refused.status_code == 403 and "7:5 Awb" in refused.json()["detail"]
        decided = await _decide(client, objection["id"], "upheld", world.senior2, "Het verslag klopte niet.")
        assert decided.status_code == 200, decided.text
        assert await _status_today(client, world, recognition_id) == "active"
        await drain_queue(settings)  # in the travelled time: the e-mails are due then

    decided = decided.json()
    assert decided["status"] == "upheld" and decided["reinstate_decision_id"] is None
    assert decided["restore_from"] == today.isoformat() and decided["restore_reason"] is None
    assert (await _decision(runtime, suspension_id)).status is DecisionStatus.REVOKED
    # No new decision restores: the beslissing op bezwaar does, and offers no new objection.
    reinstates = await client.get(DECISIONS, params={"kind": "reinstate"}, headers=world.adviser.headers)
    assert reinstates.json()["total"] == 0
    # As if the suspension had not been taken: one active period since the grant.
    portal = await client.get(f"{PORTAL}/recognitions/{recognition_id}", headers=world.company.headers)
    assert [(p["status"], p["valid_from"], p["valid_until"]) for p in portal.json()["periods"]] == [
        ("active", (today - timedelta(days=200)).isoformat(), None),
    ]
    inbox = mail.to(await world.email())
    upheld_letter = MailCatcher.text(only(inbox, f"Beslissing op uw bezwaar ({objection['reference']})"))
    assert "Uw bezwaar is gegrond" in upheld_letter and "7:11 Awb" in upheld_letter
    assert f"met ingang van {today.strftime('%d-%m-%Y')}" in upheld_letter and "beroep" in upheld_letter
    assert not [m for m in inbox if m["Subject"] == "Besluit van SBB: herstel van de erkenning"]


async def test_upheld_objection_against_a_withdrawal_not_yet_in_effect_leaves_no_trace_in_the_register(
    client, world: World
) -> None:
    today = clock.today()
    recognition_id = await world.granted(on=today - timedelta(days=50))
    withdrawal = await world.decide("withdraw", [recognition_id], effective_from=today + timedelta(days=90))
    filed = await client.post(
        f"{DECISIONS}/{withdrawal}/objections", json={"grounds": "Brief."}, headers=world.adviser.headers
    )
    assert filed.json()["filed_via"] == "backoffice"
    decided = await _decide(client, filed.json()["id"], "upheld", world.senior2)
    assert decided.status_code == 200, decided.text
    detail = (await client.get(f"{RECOGNITIONS}/{recognition_id}", headers=world.adviser.headers)).json()
    assert [(p["status"], p["valid_from"], p["valid_until"]) for p in detail["periods"]] == [
        ("active", (today - timedelta(days=50)).isoformat(), None)
    ]
    later = {"on": (today + timedelta(days=400)).isoformat()}
    status = await client.get(
        f"{RECOGNITIONS}/{recognition_id}/status", params=later, headers=world.adviser.headers
    )
    assert status.json()["status"] == "active"


async def test_rejected_objection_keeps_the_decision_which_then_becomes_final(
    client, world: World, runtime: Runtime, settings: Settings
) -> None:
    recognition_id, decision_id, objection = await _suspended_and_objected(client, world)
    deadline = (await _decision(runtime, decision_id)).objection_deadline
    with clock.travel(deadline - clock.today() + timedelta(days=1)):
        # Not yet: a posted objection may still arrive within a week after the term (art. 6:9(2) Awb).
        async with runtime.transaction() as session:
            assert await deadlines.finalise_due(session, settings, SYSTEM, clock.today()) == 0
    with clock.travel(postal_grace_end(deadline) - clock.today() + timedelta(days=1)):
        # The grant becomes final; the pending objection keeps the suspension from it.
        async with runtime.transaction() as session:
            assert await deadlines.finalise_due(session, settings, SYSTEM, clock.today()) == 1
        assert (await _decision(runtime, decision_id)).status is DecisionStatus.SENT
        # Not rejected before the objector is heard, or the hearing is left out on a ground of art. 7:3 Awb.
        unheard = await _decide(client, objection["id"], "rejected", world.senior2, "Het verslag is juist.")
        assert unheard.status_code == 409 and "7:2 Awb" in unheard.json()["detail"]
        skipped = await client.post(
            f"{OBJECTIONS}/{objection['id']}/hearing/skip",
            json={"ground": "waived", "note": "Het bedrijf wil niet worden gehoord (brief van 3 december)."},
            headers=world.adviser.headers,
        )
        assert skipped.status_code == 200, skipped.text
        rejected = await _decide(client, objection["id"], "rejected", world.senior2, "Het verslag is juist.")
        assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
        async with runtime.transaction() as session:
            assert await deadlines.finalise_due(session, settings, SYSTEM, clock.today()) == 1
    assert (await _decision(runtime, decision_id)).status is DecisionStatus.FINAL
    async with runtime.session_factory() as session:
        assert (await session.get(Recognition, recognition_id)).status is RecognitionStatus.SUSPENDED
    assert (await _decide(client, objection["id"], "upheld", world.senior2)).status_code == 409


async def test_objections_only_against_sent_decisions_that_go_against_the_company(
    client, world: World
) -> None:
    recognition_id = await world.granted()
    grants = await client.get(DECISIONS, params={"kind": "grant"}, headers=world.adviser.headers)
    assert (await _object(client, world, grants.json()["items"][0]["id"])).status_code == 422
    draft = await client.post(
        DECISIONS, json=decision_body("lapse", [recognition_id]), headers=world.adviser.headers
    )
    unsent = await client.post(
        f"{DECISIONS}/{draft.json()['id']}/objections", json={"grounds": "?"}, headers=world.adviser.headers
    )
    assert unsent.status_code == 409


async def test_restoring_is_refused_when_a_later_decision_changed_the_recognition(
    client, world: World
) -> None:
    recognition_id, _, objection = await _suspended_and_objected(client, world)
    await world.decide("withdraw", [recognition_id])
    refused = await _decide(client, objection["id"], "upheld", world.senior2)
    assert refused.status_code == 409 and "later withdraw decision" in refused.json()["detail"]
    assert await _status_today(client, world, recognition_id) == "withdrawn"


async def test_company_withdraws_its_objection(client, world: World, runtime: Runtime) -> None:
    _, _, objection = await _suspended_and_objected(client, world)
    withdrawn = await client.post(
        f"{PORTAL}/objections/{objection['id']}/withdraw", headers=world.company.headers
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    async with runtime.session_factory() as session:
        count = (await session.exec(sa.select(sa.func.count()).select_from(Decision))).scalar()
    assert count == 2  # the grant and the suspension: withdrawing changes no decision


async def test_upheld_objection_against_a_refusal_reopens_the_application(client, world: World) -> None:
    recognition_id = await world.application(applied_on=clock.today() - timedelta(days=20))
    refusal = await world.decide("refuse", [recognition_id])
    assert await _status_today(client, world, recognition_id) == "refused"
    objection = (await _object(client, world, refusal, "Wel geschikt.")).json()
    decided = await _decide(client, objection["id"], "upheld", world.senior2, "Opnieuw beoordelen.")
    assert decided.status_code == 200, decided.text
    assert await _status_today(client, world, recognition_id) == "pending"
