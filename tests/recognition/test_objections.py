"""Objections: filed within the term (late: 422 naming the deadline), decided by someone independent;
upheld restores the recognition through a new reinstate decision, rejected lets the decision become final."""

from datetime import timedelta

import sqlalchemy as sa

from erkenning import clock
from erkenning.recognition import deadlines
from erkenning.recognition.models import Decision, DecisionStatus, Recognition, RecognitionStatus
from erkenning.recognition.tasks import SYSTEM
from erkenning.runtime import Runtime
from erkenning.settings import Settings
from tests.helpers import MailCatcher, drain_queue
from tests.recognition.conftest import DECISIONS, PORTAL, World, decision_body, only

OBJECTIONS = "/api/v1/backoffice/objections"


async def _decision(runtime: Runtime, decision_id) -> Decision:
    async with runtime.session_factory() as session:
        return await session.get(Decision, decision_id)


async def _status_today(client, world: World, recognition_id) -> str:
    url = f"/api/v1/backoffice/recognitions/{recognition_id}/status"
    return (await client.get(url, headers=world.adviser.headers)).json()["status"]


async def test_company_objects_in_the_portal_and_gets_a_receipt(
    client, world: World, settings: Settings, mail: MailCatcher
) -> None:
    recognition_id = await world.granted()
    decision_id = await world.decide("suspend", [recognition_id], until_reinstated=True)
    filed = await client.post(
        f"{PORTAL}/decisions/{decision_id}/objections",
        json={"grounds": "Onterecht."},
        headers=world.company.headers,
    )
    assert filed.status_code == 201, filed.text
    assert filed.json()["status"] == "pending" and filed.json()["filed_via"] == "portal"
    again = await client.post(
        f"{PORTAL}/decisions/{decision_id}/objections",
        json={"grounds": "Nogmaals."},
        headers=world.company.headers,
    )
    assert again.status_code == 409
    await drain_queue(settings)
    receipt = only(mail.to(await world.email()), "Ontvangstbevestiging van uw bezwaar")
    assert clock.today().strftime("%d-%m-%Y") in MailCatcher.text(receipt)
    listed = (
        await client.get(OBJECTIONS, params={"status": "pending"}, headers=world.adviser.headers)
    ).json()
    assert [o["id"] for o in listed["items"]] == [filed.json()["id"]]


async def test_a_late_objection_is_refused_naming_the_deadline(
    client, world: World, runtime: Runtime
) -> None:
    recognition_id = await world.granted()
    decision_id = await world.decide("suspend", [recognition_id], until_reinstated=True)
    deadline = (await _decision(runtime, decision_id)).objection_deadline
    url = f"{PORTAL}/decisions/{decision_id}/objections"
    with clock.travel(deadline - clock.today() + timedelta(days=1)):
        late = await client.post(url, json={"grounds": "Te laat."}, headers=world.company.headers)
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
        assert (
            await client.post(url, json={"grounds": "Net op tijd."}, headers=world.company.headers)
        ).status_code == 201


async def test_upheld_objection_revokes_the_decision_and_restores_the_recognition(
    client, world: World, runtime: Runtime, settings: Settings, mail: MailCatcher
) -> None:
    today = clock.today()
    recognition_id = await world.granted(on=today - timedelta(days=200))
    suspension_id = await world.decide("suspend", [recognition_id], until_reinstated=True)
    assert await _status_today(client, world, recognition_id) == "suspended"

    with clock.travel(timedelta(days=3)):
        objection = (
            await client.post(
                f"{PORTAL}/decisions/{suspension_id}/objections",
                json={"grounds": "Onjuist."},
                headers=world.company.headers,
            )
        ).json()
        # The adviser drafted and the senior approved the suspension: neither decides the objection.
        for prepared in (world.adviser, world.senior):
            refused = await client.post(
                f"{OBJECTIONS}/{objection['id']}/decide",
                json={"outcome": "upheld", "reason": "x"},
                headers=prepared.headers,
            )
            assert refused.status_code == 403 and "7:5 Awb" in refused.json()["detail"]
        decided = await client.post(
            f"{OBJECTIONS}/{objection['id']}/decide",
            json={"outcome": "upheld", "reason": "Het verslag klopte niet."},
            headers=world.senior2.headers,
        )
        assert decided.status_code == 200, decided.text
        assert await _status_today(client, world, recognition_id) == "active"
        restored_on = clock.today()
        await drain_queue(settings)  # in the travelled time: the e-mails are due then

    decided = decided.json()
    assert decided["status"] == "upheld" and decided["reinstate_decision_id"]
    assert (await _decision(runtime, suspension_id)).status is DecisionStatus.REVOKED
    reinstate = (
        await client.get(f"{DECISIONS}/{decided['reinstate_decision_id']}", headers=world.adviser.headers)
    ).json()
    assert reinstate["kind"] == "reinstate" and reinstate["status"] == "sent"
    assert reinstate["revokes_decision_id"] == str(suspension_id)
    assert reinstate["recognitions"][0]["status_after"] == "active"
    # History stays whole: the suspension held for three days, then the recognition is active again.
    periods = (
        await client.get(f"{PORTAL}/recognitions/{recognition_id}", headers=world.company.headers)
    ).json()["periods"]
    assert [(p["status"], p["valid_from"], p["valid_until"]) for p in periods] == [
        ("active", (today - timedelta(days=200)).isoformat(), today.isoformat()),
        ("suspended", today.isoformat(), restored_on.isoformat()),
        ("active", restored_on.isoformat(), None),
    ]
    inbox = mail.to(await world.email())
    decision_letter = only(inbox, "Beslissing op uw bezwaar")
    assert "Uw bezwaar is gegrond" in MailCatcher.text(decision_letter)
    assert only(inbox, "Besluit van SBB: herstel van de erkenning")


async def test_upheld_objection_against_a_withdrawal_not_yet_in_effect_leaves_no_trace_in_the_register(
    client, world: World, runtime: Runtime
) -> None:
    today = clock.today()
    recognition_id = await world.granted(on=today - timedelta(days=50))
    withdrawal = await world.decide("withdraw", [recognition_id], effective_from=today + timedelta(days=90))
    objection = (
        await client.post(
            f"{DECISIONS}/{withdrawal}/objections",
            json={"grounds": "Brief van het bedrijf."},
            headers=world.adviser.headers,
        )
    ).json()
    assert objection["filed_via"] == "backoffice"
    decided = await client.post(
        f"{OBJECTIONS}/{objection['id']}/decide",
        json={"outcome": "upheld", "reason": "Gegrond."},
        headers=world.senior2.headers,
    )
    assert decided.status_code == 200, decided.text
    detail = (
        await client.get(f"/api/v1/backoffice/recognitions/{recognition_id}", headers=world.adviser.headers)
    ).json()
    assert [(p["status"], p["valid_from"], p["valid_until"]) for p in detail["periods"]] == [
        ("active", (today - timedelta(days=50)).isoformat(), None)
    ]
    status_later = await client.get(
        f"/api/v1/backoffice/recognitions/{recognition_id}/status",
        params={"on": (today + timedelta(days=400)).isoformat()},
        headers=world.adviser.headers,
    )
    assert status_later.json()["status"] == "active"


async def test_rejected_objection_keeps_the_decision_which_then_becomes_final(
    client, world: World, runtime: Runtime, settings: Settings
) -> None:
    recognition_id = await world.granted()
    decision_id = await world.decide("suspend", [recognition_id], until_reinstated=True)
    objection = (
        await client.post(
            f"{PORTAL}/decisions/{decision_id}/objections",
            json={"grounds": "Nee."},
            headers=world.company.headers,
        )
    ).json()
    deadline = (await _decision(runtime, decision_id)).objection_deadline
    with clock.travel(deadline - clock.today() + timedelta(days=1)):
        async with (
            runtime.transaction() as session
        ):  # the grant becomes final; the pending objection blocks this one
            assert await deadlines.finalise_due(session, settings, SYSTEM, clock.today()) == 1
        assert (await _decision(runtime, decision_id)).status is DecisionStatus.SENT
        rejected = await client.post(
            f"{OBJECTIONS}/{objection['id']}/decide",
            json={"outcome": "rejected", "reason": "Het verslag is juist."},
            headers=world.senior2.headers,
        )
        assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
        async with runtime.transaction() as session:
            assert await deadlines.finalise_due(session, settings, SYSTEM, clock.today()) == 1
    assert (await _decision(runtime, decision_id)).status is DecisionStatus.FINAL
    async with runtime.session_factory() as session:
        assert (await session.get(Recognition, recognition_id)).status is RecognitionStatus.SUSPENDED
    again = await client.post(
        f"{OBJECTIONS}/{objection['id']}/decide",
        json={"outcome": "upheld", "reason": "x"},
        headers=world.senior2.headers,
    )
    assert again.status_code == 409


async def test_objections_only_against_sent_decisions_that_go_against_the_company(
    client, world: World
) -> None:
    recognition_id = await world.granted()
    grant = (await client.get(DECISIONS, params={"kind": "grant"}, headers=world.adviser.headers)).json()[
        "items"
    ][0]
    favourable = await client.post(
        f"{PORTAL}/decisions/{grant['id']}/objections", json={"grounds": "?"}, headers=world.company.headers
    )
    assert favourable.status_code == 422
    draft = (
        await client.post(
            DECISIONS, json=decision_body("lapse", [recognition_id]), headers=world.adviser.headers
        )
    ).json()
    unsent = await client.post(
        f"{DECISIONS}/{draft['id']}/objections", json={"grounds": "?"}, headers=world.adviser.headers
    )
    assert unsent.status_code == 409


async def test_restoring_is_refused_when_a_later_decision_changed_the_recognition(
    client, world: World
) -> None:
    recognition_id = await world.granted()
    suspension = await world.decide("suspend", [recognition_id], until_reinstated=True)
    objection = (
        await client.post(
            f"{PORTAL}/decisions/{suspension}/objections",
            json={"grounds": "Nee."},
            headers=world.company.headers,
        )
    ).json()
    await world.decide("withdraw", [recognition_id])
    refused = await client.post(
        f"{OBJECTIONS}/{objection['id']}/decide",
        json={"outcome": "upheld", "reason": "Ja."},
        headers=world.senior2.headers,
    )
    assert refused.status_code == 409 and "later withdraw decision" in refused.json()["detail"]
    assert await _status_today(client, world, recognition_id) == "withdrawn"


async def test_company_withdraws_its_objection(client, world: World, runtime: Runtime) -> None:
    recognition_id = await world.granted()
    decision_id = await world.decide("suspend", [recognition_id], until_reinstated=True)
    objection = (
        await client.post(
            f"{PORTAL}/decisions/{decision_id}/objections",
            json={"grounds": "Nee."},
            headers=world.company.headers,
        )
    ).json()
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
    objection = (
        await client.post(
            f"{PORTAL}/decisions/{refusal}/objections",
            json={"grounds": "Wel geschikt."},
            headers=world.company.headers,
        )
    ).json()
    decided = await client.post(
        f"{OBJECTIONS}/{objection['id']}/decide",
        json={"outcome": "upheld", "reason": "Opnieuw beoordelen."},
        headers=world.senior2.headers,
    )
    assert decided.status_code == 200, decided.text
    assert await _status_today(client, world, recognition_id) == "pending"
