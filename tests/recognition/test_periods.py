"""Dated periods: the database refuses overlaps; decisions write periods that are right for any date,
including effects that start later; the daily task catches the status of today up."""

from datetime import date, timedelta
from uuid import uuid4

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from erkenning.core import clock
from erkenning.core.outbox import OutboxEvent
from erkenning.core.runtime import Runtime
from erkenning.recognition import effects, periods
from erkenning.recognition.models import Recognition, RecognitionPeriod
from erkenning.recognition.models import RecognitionStatus as R
from erkenning.recognition.tasks import SYSTEM
from tests.factories import World

D1, D2, D3, D4 = date(2025, 1, 1), date(2025, 3, 1), date(2025, 6, 1), date(2025, 9, 1)
G, S = uuid4(), uuid4()


async def test_database_refuses_overlapping_periods_of_one_recognition(
    runtime: Runtime, world: World
) -> None:
    recognition_id = await world.application(applied_on=D1)  # pending [D1, ∞)
    with pytest.raises(IntegrityError, match="ex_recognition_period_no_overlap"):
        async with runtime.transaction() as session:
            session.add(
                RecognitionPeriod(
                    recognition_id=recognition_id, status=R.ACTIVE, during=RecognitionPeriod.range(D3, D4)
                )
            )
    # Touching ends are fine: [D1, D2) and [D2, ∞) do not overlap; another recognition is another matter.
    async with runtime.transaction() as session:
        await session.exec(sa.update(RecognitionPeriod).values(during=RecognitionPeriod.range(D1, D2)))
        session.add(
            RecognitionPeriod(
                recognition_id=recognition_id, status=R.ACTIVE, during=RecognitionPeriod.range(D2)
            )
        )
    other = await world.application("25181", applied_on=D1)
    async with runtime.session_factory() as session:
        assert [s.status for s in await periods.load(session, recognition_id)] == [R.PENDING, R.ACTIVE]
        assert len(await periods.load(session, other)) == 1


async def status(runtime: Runtime, recognition_id, on: date) -> R | None:
    async with runtime.session_factory() as session:
        found = await periods.status_on(session, recognition_id, on)
    return found.status if found else None


async def today_status(runtime: Runtime, recognition_id) -> R:
    async with runtime.session_factory() as session:
        return (await session.get(Recognition, recognition_id)).status


async def changed_events(runtime: Runtime, recognition_id) -> int:
    async with runtime.session_factory() as session:
        rows = (
            await session.exec(sa.select(OutboxEvent).where(OutboxEvent.topic == "recognition.changed"))
        ).scalars()
        return sum(1 for e in rows if e.payload["recognition_id"] == str(recognition_id))


async def test_status_before_during_and_after_a_suspension(runtime: Runtime, world: World) -> None:
    today = clock.today()
    granted = today - timedelta(days=100)
    start, end = today + timedelta(days=10), today + timedelta(days=40)
    recognition_id = await world.granted(on=granted)
    await world.decide("suspend", [recognition_id], effective_from=start, effective_until=end)

    assert (
        await status(runtime, recognition_id, granted - timedelta(days=1)) is None
    )  # before the application
    assert await status(runtime, recognition_id, granted) is R.ACTIVE
    assert await status(runtime, recognition_id, start - timedelta(days=1)) is R.ACTIVE
    assert await status(runtime, recognition_id, start) is R.SUSPENDED
    assert await status(runtime, recognition_id, end - timedelta(days=1)) is R.SUSPENDED
    assert await status(runtime, recognition_id, end) is R.ACTIVE
    assert await status(runtime, recognition_id, end + timedelta(days=1000)) is R.ACTIVE
    assert await today_status(runtime, recognition_id) is R.ACTIVE  # not yet: it starts in ten days
    assert await changed_events(runtime, recognition_id) == 2  # the grant, and the suspension being scheduled

    # On the first day of the suspension the daily task moves "status today"; on its end day back.
    with clock.travel(start - today):
        async with runtime.transaction() as session:
            assert await effects.apply_due(session, SYSTEM, clock.today()) == 1
        assert await today_status(runtime, recognition_id) is R.SUSPENDED
        async with runtime.transaction() as session:  # a second run finds nothing left to do
            assert await effects.apply_due(session, SYSTEM, clock.today()) == 0
    with clock.travel(end - today):
        async with runtime.transaction() as session:
            await effects.apply_due(session, SYSTEM, clock.today())
        assert await today_status(runtime, recognition_id) is R.ACTIVE
    assert await changed_events(runtime, recognition_id) == 4


async def test_future_dated_withdrawal_closes_the_active_period_on_its_date(
    runtime: Runtime, world: World
) -> None:
    today = clock.today()
    withdrawn_on = today + timedelta(days=90)  # a transition period so current students can finish
    recognition_id = await world.granted(on=today - timedelta(days=400))
    await world.decide("withdraw", [recognition_id], effective_from=withdrawn_on)

    async with runtime.session_factory() as session:
        assert [(s.status, s.start, s.end) for s in await periods.load(session, recognition_id)] == [
            (R.ACTIVE, today - timedelta(days=400), withdrawn_on),
            (R.WITHDRAWN, withdrawn_on, None),
        ]
    assert await status(runtime, recognition_id, today) is R.ACTIVE
    assert await status(runtime, recognition_id, withdrawn_on - timedelta(days=1)) is R.ACTIVE
    assert await status(runtime, recognition_id, withdrawn_on) is R.WITHDRAWN
    assert await today_status(runtime, recognition_id) is R.ACTIVE
    # A missed run is caught up: weeks after the date the task still finds it.
    with clock.travel(withdrawn_on - today + timedelta(days=20)):
        async with runtime.transaction() as session:
            await effects.apply_due(session, SYSTEM, clock.today())
    assert await today_status(runtime, recognition_id) is R.WITHDRAWN


async def test_suspension_until_reinstated_is_split_by_the_reinstatement(
    runtime: Runtime, world: World
) -> None:
    today = clock.today()
    recognition_id = await world.granted(on=today - timedelta(days=30))
    await world.decide("suspend", [recognition_id], effective_from=today, until_reinstated=True)
    assert await today_status(runtime, recognition_id) is R.SUSPENDED
    assert await status(runtime, recognition_id, today + timedelta(days=3000)) is R.SUSPENDED

    reinstated_on = today + timedelta(days=20)
    await world.decide("reinstate", [recognition_id], effective_from=reinstated_on)
    async with runtime.session_factory() as session:
        assert [(s.status, s.start, s.end) for s in await periods.load(session, recognition_id)] == [
            (R.ACTIVE, today - timedelta(days=30), today),
            (R.SUSPENDED, today, reinstated_on),
            (R.ACTIVE, reinstated_on, None),
        ]
    assert await status(runtime, recognition_id, reinstated_on - timedelta(days=1)) is R.SUSPENDED
    assert await status(runtime, recognition_id, reinstated_on) is R.ACTIVE


async def test_grant_sets_the_reassessment_four_years_on(runtime: Runtime, world: World) -> None:
    granted = date(2024, 2, 29)
    recognition_id = await world.granted(on=granted)
    async with runtime.session_factory() as session:
        recognition = await session.get(Recognition, recognition_id)
    assert recognition.granted_on == granted
    assert recognition.reassessment_due == date(2028, 2, 29)
    assert recognition.status is R.ACTIVE
