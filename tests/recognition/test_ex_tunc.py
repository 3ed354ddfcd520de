"""An upheld objection undoes the decision from its start (art. 7:11 Awb), or from the later date the
beslissing op bezwaar states with its reason; the register's answers about the past change only where
the decision had changed them, and the history keeps what it said."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import httpx
import sqlalchemy as sa

from erkenning.core import clock
from erkenning.core.audit.models import AuditEvent
from erkenning.core.runtime import Runtime
from erkenning.recognition.models import Decision, DecisionStatus, Recognition
from erkenning.recognition.models import RecognitionStatus as R
from tests.factories import Principal, World
from tests.helpers import DECISIONS

OBJECTIONS = "/api/v1/backoffice/objections"
RECOGNITIONS = "/api/v1/backoffice/recognitions"


async def _objected(client: httpx.AsyncClient, world: World, decision_id: UUID) -> str:
    filed = await client.post(
        f"{DECISIONS}/{decision_id}/objections", json={"grounds": "Brief."}, headers=world.adviser.headers
    )
    assert filed.status_code == 201, filed.text
    return filed.json()["id"]


async def _uphold(client: httpx.AsyncClient, objection_id: str, by: Principal, **restore: str) -> httpx.Response:
    body = {"outcome": "upheld", "reason": "Het verslag klopte niet.", **restore}
    return await client.post(f"{OBJECTIONS}/{objection_id}/decide", json=body, headers=by.headers)


async def _audit(runtime: Runtime, action: str, object_id: object) -> list[AuditEvent]:
    """The audit rows of one object (the trail runs on across the tests of a run)."""
    async with runtime.session_factory() as session:
        stmt = sa.select(AuditEvent).where(AuditEvent.action == action, AuditEvent.object_id == str(object_id))
        return list((await session.exec(stmt)).scalars())


async def _periods(client: httpx.AsyncClient, world: World, recognition_id: UUID) -> list[tuple]:
    detail = (await client.get(f"{RECOGNITIONS}/{recognition_id}", headers=world.adviser.headers)).json()
    return [(p["status"], p["valid_from"], p["valid_until"]) for p in detail["periods"]]


async def _history(client: httpx.AsyncClient, world: World, recognition_id: UUID, **params: str) -> httpx.Response:
    return await client.get(f"{RECOGNITIONS}/{recognition_id}/history", params=params, headers=world.adviser.headers)


async def test_a_later_restore_date_keeps_the_suspension_until_then_and_states_its_reason(
    client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    d0 = clock.today()
    granted_on = d0 - timedelta(days=100)
    recognition_id = await world.granted(on=granted_on)
    suspension = await world.decide("suspend", [recognition_id], until_reinstated=True)
    objection_id = await _objected(client, world, suspension)
    later = d0 + timedelta(days=14)
    with clock.travel(timedelta(days=30)):
        day_before = (d0 - timedelta(days=1)).isoformat()
        before_start = await _uphold(client, objection_id, world.senior2, restore_from=day_before)
        no_reason = await _uphold(client, objection_id, world.senior2, restore_from=later.isoformat())
        reason_alone = await _uphold(client, objection_id, world.senior2, restore_reason="Pas vanaf de herkeuring.")
        rejected_with_date = await client.post(
            f"{OBJECTIONS}/{objection_id}/decide",
            json={"outcome": "rejected", "reason": "Nee.", "restore_from": later.isoformat()},
            headers=world.senior2.headers,
        )
        decided = await _uphold(
            client, objection_id, world.senior2, restore_from=later.isoformat(),
            restore_reason="De werkplek was pas na de herkeuring weer veilig.",
        )
        today = await client.get(f"{RECOGNITIONS}/{recognition_id}/status", headers=world.adviser.headers)

    for refused, field in (
        (before_start, "restore_from"), (no_reason, "restore_reason"), (reason_alone, "restore_reason"),
        (rejected_with_date, "restore_from"),
    ):
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    assert "never before it took effect" in before_start.text
    assert decided.status_code == 200, decided.text
    assert (decided.json()["restore_from"], decided.json()["restore_reason"]) == (
        later.isoformat(), "De werkplek was pas na de herkeuring weer veilig."
    )
    assert await _periods(client, world, recognition_id) == [
        ("active", granted_on.isoformat(), d0.isoformat()),
        ("suspended", d0.isoformat(), later.isoformat()),
        ("active", later.isoformat(), None),
    ]
    assert today.json()["status"] == "active"
    async with runtime.session_factory() as session:
        assert (await session.get(Decision, suspension)).status is DecisionStatus.REVOKED
    [upheld] = await _audit(runtime, "objection.upheld", objection_id)
    assert (upheld.detail["restore_from"], upheld.detail["restore_reason"]) == (
        later.isoformat(), "De werkplek was pas na de herkeuring weer veilig."
    )


async def test_a_withdrawal_upheld_before_it_took_effect_changes_no_answer_about_the_past(
    client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    d0 = clock.today()
    granted_on, effective = d0 - timedelta(days=50), d0 + timedelta(days=90)
    recognition_id = await world.granted(on=granted_on)
    withdrawal = await world.decide("withdraw", [recognition_id], effective_from=effective)
    objection_id = await _objected(client, world, withdrawal)
    with clock.travel(timedelta(days=20)):
        asked_on = clock.today()
        assert (await _uphold(client, objection_id, world.senior2)).status_code == 200

        # Every past day: recognised then and now, since the grant; only the announced end is gone (the
        # register said "until" the withdrawal's date, and that part of its answer is corrected).
        for day in (granted_on, d0, asked_on - timedelta(days=1)):
            for when in (d0, asked_on - timedelta(days=1)):
                answer = (await _history(client, world, recognition_id, day=day.isoformat(),
                                         answered_on=when.isoformat())).json()["answer"]
                then, now = answer["then"], answer["now"]
                assert (then["recognised"], then["status"], then["since"], then["until"]) == (
                    True, "active", granted_on.isoformat(), effective.isoformat()
                )
                assert (now["recognised"], now["status"], now["since"], now["until"]) == (
                    True, "active", granted_on.isoformat(), None
                )
        # About the day the withdrawal would have taken effect, the earlier answer is corrected.
        future = (await _history(client, world, recognition_id, day=effective.isoformat(),
                                 answered_on=d0.isoformat())).json()
    assert (future["answer"]["then"]["status"], future["answer"]["now"]["status"]) == ("withdrawn", "active")
    assert future["answer"]["corrected"] is True
    # The future withdrawal period is gone; the history keeps it, superseded by the objection.
    assert await _periods(client, world, recognition_id) == [("active", granted_on.isoformat(), None)]
    gone = [p for p in future["superseded"] if p["status"] == "withdrawn"]
    assert [(p["valid_from"], p["superseded_by_objection_id"]) for p in gone] == [(effective.isoformat(), objection_id)]
    async with runtime.session_factory() as session:
        assert (await session.get(Recognition, recognition_id)).status is R.ACTIVE
    moved = await _audit(runtime, "recognition.status_changed", recognition_id)
    assert [(e.detail["from"], e.detail["to"]) for e in moved] == [("pending", "active")]  # the grant only


async def test_a_later_reinstate_is_moot_once_the_suspension_is_undone_from_its_start(
    client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    d0 = clock.today()
    granted_on = d0 - timedelta(days=100)
    recognition_id = await world.granted(on=granted_on)
    suspension = await world.decide("suspend", [recognition_id], until_reinstated=True)
    objection_id = await _objected(client, world, suspension)
    with clock.travel(timedelta(days=10)):
        reinstate = await world.decide("reinstate", [recognition_id])
    with clock.travel(timedelta(days=20)):
        assert (await _uphold(client, objection_id, world.senior2)).status_code == 200
    assert await _periods(client, world, recognition_id) == [("active", granted_on.isoformat(), None)]
    async with runtime.session_factory() as session:
        assert (await session.get(Decision, reinstate)).status is DecisionStatus.SENT  # it stays on record
    [upheld] = await _audit(runtime, "objection.upheld", objection_id)
    assert upheld.detail["moot_decision_ids"] == [str(reinstate)]


async def test_a_decision_sent_before_the_history_was_kept_is_undone_from_the_status_it_found(
    client: httpx.AsyncClient, world: World, runtime: Runtime
) -> None:
    d0 = clock.today()
    granted_on = d0 - timedelta(days=100)
    recognition_id = await world.granted(on=granted_on)
    lapse = await world.decide("lapse", [recognition_id])
    async with runtime.engine.begin() as conn:  # as if it had been sent before this history existed
        await conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        await conn.execute(sa.text("DELETE FROM recognition_period_history WHERE superseded_by_decision_id = :d"),
                           {"d": lapse})
    objection_id = await _objected(client, world, lapse)
    with clock.travel(timedelta(days=3)):
        assert (await _uphold(client, objection_id, world.senior2)).status_code == 200
    # DecisionRecognition.status_before (active) from the decision's start: one active period again.
    assert await _periods(client, world, recognition_id) == [("active", granted_on.isoformat(), None)]


async def test_the_history_route_says_both_timelines_and_asks_one_moment(
    client: httpx.AsyncClient, world: World
) -> None:
    recognition_id = await world.granted(on=clock.today() - timedelta(days=10))
    plain = await _history(client, world, recognition_id)
    assert plain.status_code == 200 and plain.json()["answer"] is None
    assert [p["status"] for p in plain.json()["periods"]] == ["active"]
    assert [(p["status"], p["valid_until"]) for p in plain.json()["superseded"]] == [("pending", None)]
    both = await _history(client, world, recognition_id, answered_on=clock.today().isoformat(),
                          answered_at=clock.now().isoformat())
    assert both.status_code == 422
    local_noon = clock.today().isoformat() + "T12:00:00"  # no zone: Europe/Amsterdam
    at = (await _history(client, world, recognition_id, answered_at=local_noon)).json()["answer"]
    assert at["day"] == clock.today().isoformat() and at["answered_at"].startswith(local_noon)
