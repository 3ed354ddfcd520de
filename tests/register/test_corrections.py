"""An upheld objection undoes a suspension from its start (art. 7:11 Awb): the register answers
"recognised" for every day since, still knows what it told schools then, and tells the schools that
follow the company that its earlier answer was corrected."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from uuid import UUID

import sqlalchemy as sa

from erkenning.companies.models import Company
from erkenning.core import clock
from erkenning.core.audit.models import AuditEvent
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.recognition import periods
from erkenning.recognition.models import Decision, DecisionKind, DecisionStatus, Objection, Recognition
from erkenning.recognition.models import RecognitionStatus as R
from tests.factories import TokenFactory, World
from tests.helpers import PORTAL, MailCatcher, Receiver, drain_queue

SCHOOL = "/api/v1/register/school"
LOCAL = ["127.0.0.0/8"]


async def _audit(runtime: Runtime, action: str, object_id: object) -> list[AuditEvent]:
    """The audit rows of one object (the trail runs on across the tests of a run)."""
    async with runtime.session_factory() as session:
        stmt = sa.select(AuditEvent).where(AuditEvent.action == action, AuditEvent.object_id == str(object_id))
        return list((await session.exec(stmt)).scalars())


async def test_an_upheld_suspension_is_undone_from_its_start_and_schools_hear_the_answer_was_corrected(
    app_with, settings: Settings, runtime: Runtime, world: World, tokens: TokenFactory, receiver: Receiver,
    mail: MailCatcher,
) -> None:
    receiver.start()
    d0 = clock.today()
    granted_on = d0 - timedelta(days=200)
    recognition_id = await world.granted(on=granted_on)
    await drain_queue(settings)  # the grant's change, before any school follows the company
    async with runtime.session_factory() as session:
        sbb_id = (await session.get(Company, world.company_id)).sbb_id
    by_hook = await tokens.make(Role.SCHOOL, school_brin="25LX")
    by_mail = await tokens.make(Role.SCHOOL, school_brin="31GH", email="stage@roc.example")
    local = settings.model_copy(update={"webhook_allowed_networks": LOCAL})

    async def verify(client, day) -> dict:
        params = {"company": sbb_id, "crebo": "25180", "pathway": "bol", "date": day.isoformat()}
        return (await client.get("/api/v1/register/verify", params=params)).json()

    async with app_with(webhook_allowed_networks=LOCAL) as (client, _):
        secret = await client.put(f"{SCHOOL}/webhook", json={"url": receiver.url}, headers=by_hook.headers)
        assert secret.status_code == 200, secret.text
        for school, channel in ((by_hook, "webhook"), (by_mail, "email")):
            body = {"company": sbb_id, "channel": channel}
            assert (await client.post(f"{SCHOOL}/subscriptions", json=body, headers=school.headers)).status_code == 201

        # D0: suspended until reinstated, from the day it is sent; the schools are told.
        suspension = await world.decide("suspend", [recognition_id], until_reinstated=True)
        await drain_queue(local)
        assert [hit.json()["status"] for hit in receiver.received] == ["suspended"]
        assert receiver.received[0].json()["corrected"] is False
        with clock.travel(timedelta(days=10)):  # what a school asking on D0+10 was told about that day
            told = await verify(client, d0 + timedelta(days=10))
        assert (told["recognised"], told["status"], told["since"]) == (False, "suspended", d0.isoformat())

        with clock.travel(timedelta(days=5)):
            filed = await client.post(
                f"{PORTAL}/decisions/{suspension}/objections", json={"grounds": "Onjuist."},
                headers=world.company.headers,
            )
            assert filed.status_code == 201, filed.text
        receiver.received.clear()
        mail.clear()
        with clock.travel(timedelta(days=30)):
            today = clock.today()
            decided = await client.post(
                f"/api/v1/backoffice/objections/{filed.json()['id']}/decide",
                json={"outcome": "upheld", "reason": "Het bezoekverslag klopte niet."},
                headers=world.senior2.headers,
            )
            assert decided.status_code == 200, decided.text
            await drain_queue(local)

            # Valid time, as known now: recognised on every day since D0, with one run since the grant.
            for day in (d0, d0 + timedelta(days=10), today):
                answer = await verify(client, day)
                assert (answer["recognised"], answer["status"], answer["since"], answer["until"]) == (
                    True, "active", granted_on.isoformat(), None,
                )
                async with runtime.session_factory() as session:
                    assert (await periods.status_on(session, recognition_id, day)).status is R.ACTIVE
            # Recorded time: what the register told schools on D0+10 about D0+10 was "suspended".
            asked = datetime.combine(d0 + timedelta(days=10), time(12), clock.AMSTERDAM)
            async with runtime.session_factory() as session:
                then = await periods.as_recorded(session, recognition_id, d0 + timedelta(days=10), asked)
                assert (then.status, then.since, then.until) == (R.SUSPENDED, d0, None)
            history = await client.get(
                f"/api/v1/backoffice/recognitions/{recognition_id}/history",
                params={"answered_on": (d0 + timedelta(days=10)).isoformat()},
                headers=world.adviser.headers,
            )
            status_today = await client.get(
                f"/api/v1/backoffice/recognitions/{recognition_id}/status", headers=world.adviser.headers
            )
        log = {
            school.school_brin: (await client.get(f"{SCHOOL}/deliveries", headers=school.headers)).json()["items"]
            for school in (by_hook, by_mail)
        }

    assert history.status_code == 200, history.text
    answer = history.json()["answer"]
    assert answer["day"] == (d0 + timedelta(days=10)).isoformat()
    assert (answer["then"]["status"], answer["then"]["recognised"], answer["then"]["since"]) == (
        "suspended", False, d0.isoformat()
    )
    assert (answer["now"]["status"], answer["now"]["recognised"], answer["now"]["since"]) == (
        "active", True, granted_on.isoformat()
    )
    assert answer["corrected"] is True
    timelines = history.json()
    assert [(p["status"], p["valid_from"], p["valid_until"], p["objection_id"]) for p in timelines["periods"]] == [
        ("active", granted_on.isoformat(), None, filed.json()["id"]),
    ]
    superseded = [
        (p["status"], p["valid_from"], p["valid_until"], p["superseded_by_decision_id"],
         p["superseded_by_objection_id"])
        for p in timelines["superseded"]
    ]
    assert superseded == [
        ("pending", granted_on.isoformat(), None, str(await _grant(runtime, recognition_id)), None),
        ("active", granted_on.isoformat(), None, str(suspension), None),
        ("active", granted_on.isoformat(), d0.isoformat(), None, filed.json()["id"]),
        ("suspended", d0.isoformat(), None, None, filed.json()["id"]),
    ]

    # Status today follows at once; the suspension is revoked; no reinstate decision offers a new objection.
    assert status_today.json()["status"] == "active"
    async with runtime.session_factory() as session:
        assert (await session.get(Recognition, recognition_id)).status is R.ACTIVE
        assert (await session.get(Decision, suspension)).status is DecisionStatus.REVOKED
        kinds = (await session.exec(sa.select(Decision.kind))).scalars().all()
        objection = await session.get(Objection, UUID(filed.json()["id"]))
    assert DecisionKind.REINSTATE not in kinds and sorted(kinds) == ["grant", "suspend"]
    assert (objection.restore_from, objection.restore_reason, objection.reinstate_decision_id) == (d0, None, None)

    # The schools: a correction notice by webhook and by e-mail, and the delivery log says so.
    [hit] = receiver.received
    notice = hit.json()
    assert (notice["corrected"], notice["corrected_from"]) == (True, d0.isoformat())
    assert (notice["recognised"], notice["status"], notice["since"]) == (True, "active", granted_on.isoformat())
    [letter] = mail.to("stage@roc.example")
    assert letter["Subject"].startswith("Correctie erkenning")
    text = MailCatcher.text(letter)
    assert "correctie" in text and f"vanaf {d0.strftime('%d-%m-%Y')}" in text and "erkend" in text
    assert [e["corrected"] for e in log["25LX"]] == [True, False]  # newest first: the correction, the suspension
    assert [e["corrected"] for e in log["31GH"]] == [True, False]

    # The audit trail: the decision revoked, the objection upheld with its restoration, the status moved by it.
    [revoked] = await _audit(runtime, "decision.revoked", suspension)
    assert revoked.detail["objection_id"] == filed.json()["id"]
    [upheld] = await _audit(runtime, "objection.upheld", filed.json()["id"])
    assert upheld.detail["restore_from"] == d0.isoformat()
    assert upheld.detail["recognitions_restored"] == [str(recognition_id)]
    moved = await _audit(runtime, "recognition.status_changed", recognition_id)
    moved = [e for e in moved if "objection_id" in e.detail]
    assert [(e.detail["from"], e.detail["to"], e.detail["objection_id"]) for e in moved] == [
        ("suspended", "active", filed.json()["id"])
    ]


async def _grant(runtime: Runtime, recognition_id: UUID) -> UUID:
    async with runtime.session_factory() as session:
        stmt = sa.select(Decision.id).where(Decision.kind == DecisionKind.GRANT)
        return (await session.exec(stmt)).scalar_one()
