"""The recognition jobs in a real arq worker (burst mode): future effects on their date, final decisions,
response terms recorded; each job safe to run twice."""

from datetime import timedelta

import sqlalchemy as sa

from erkenning.core import clock
from erkenning.core.outbox import EventStatus, OutboxEvent
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.recognition import tasks
from erkenning.recognition.models import Decision, DecisionStatus, Recognition, RecognitionStatus
from tests.factories import World, decision_body
from tests.helpers import DECISIONS, drain_queue, run_jobs


async def test_future_effects_and_finality_in_a_real_worker(
    client, world: World, runtime: Runtime, settings: Settings
) -> None:
    today = clock.today()
    recognition_id = await world.granted(on=today - timedelta(days=400))
    withdrawal = await world.decide("withdraw", [recognition_id], effective_from=today + timedelta(days=50))
    await drain_queue(settings)  # today's e-mails and events

    with clock.travel(timedelta(days=50)):
        await run_jobs(runtime, settings, "apply_due_effects", "finalise_decisions")
        await run_jobs(
            runtime, settings, "apply_due_effects", "finalise_decisions"
        )  # again: nothing more happens
    async with runtime.session_factory() as session:
        recognition = await session.get(Recognition, recognition_id)
        decision = await session.get(Decision, withdrawal)
        events = (
            (await session.exec(sa.select(OutboxEvent).where(OutboxEvent.topic == "recognition.changed")))
            .scalars()
            .all()
        )
    assert recognition.status is RecognitionStatus.WITHDRAWN
    assert decision.status is DecisionStatus.FINAL  # 50 days: the six-week term has passed without objection
    # grant, withdrawal scheduled, withdrawal in effect: each delivered to the (stand-in) handler once.
    assert sorted(e.payload["recognition_id"] for e in events) == [str(recognition_id)] * 3
    assert {e.status for e in events} == {EventStatus.DONE}
    assert set(events[0].payload) == {"company_id", "recognition_id"}


async def test_a_passed_response_term_is_recorded(
    client, world: World, runtime: Runtime, settings: Settings
) -> None:
    recognition_id = await world.granted()
    drafted = (
        await client.post(
            DECISIONS,
            json=decision_body("impose_conditions", [recognition_id]),
            headers=world.adviser.headers,
        )
    ).json()
    intended = (
        await client.post(f"{DECISIONS}/{drafted['id']}/intend", headers=world.adviser.headers)
    ).json()
    due = intended["response_due"]
    await run_jobs(runtime, settings, "record_response_terms")
    async with runtime.session_factory() as session:
        assert (await session.get(Decision, drafted["id"])).response_term_passed_at is None
    with clock.travel(timedelta(days=30)):
        assert await tasks.record_response_terms({"runtime": runtime}) == 1
        assert await tasks.record_response_terms({"runtime": runtime}) == 0
    async with runtime.session_factory() as session:
        decision = await session.get(Decision, drafted["id"])
    assert decision.response_term_passed_at is not None and decision.response_received_at is None
    assert due < (clock.today() + timedelta(days=30)).isoformat()
