"""The deadline sweep by itself: what it marks, the events it writes, the triggers it queues, what it skips.

Real PostgreSQL and Redis; the handlers of the events are exercised by the workflow tests
(test_investigations.py, test_wederhoor.py), which sweep and then drain the queue with a real worker.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from arq.constants import job_key_prefix
from arq.jobs import deserialize_job, serialize_job
from arq.utils import to_unix_ms
from sqlmodel import select

from erkenning.core import clock, outbox
from erkenning.core.outbox import EventStatus, OutboxEvent
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.workflows import deadlines
from erkenning.workflows.models import Deadline, DeadlineKind, DeadlineStatus, Investigation, InvestigationStatus
from tests.factories import make_company

DAY = timedelta(days=1)


async def _deadline(
    runtime: Runtime, *, due_in: timedelta, remind_in: timedelta | None, reminded: bool = False,
    status: DeadlineStatus = DeadlineStatus.OPEN, case_status: InvestigationStatus = InvestigationStatus.OPEN,
) -> UUID:
    """One case (of a company of its own) with one lead-time deadline, due and reminded relative to now."""
    company = await make_company(runtime)
    now = clock.now()
    async with runtime.transaction() as session:
        case = Investigation(company_id=company.id, status=case_status)
        session.add(case)
        await session.flush()
        deadline = Deadline(
            investigation_id=case.id, kind=DeadlineKind.LEAD_TIME, status=status, due_at=now + due_in,
            remind_at=None if remind_in is None else now + remind_in, reminded_at=now - DAY if reminded else None,
        )
        session.add(deadline)
    return deadline.id


async def _rows(runtime: Runtime) -> dict[UUID, Deadline]:
    async with runtime.session_factory() as session:
        return {d.id: d for d in (await session.exec(select(Deadline))).all()}


async def _events(runtime: Runtime) -> list[OutboxEvent]:
    async with runtime.session_factory() as session:
        return list((await session.exec(select(OutboxEvent).where(
            sa.or_(OutboxEvent.topic == deadlines.REMIND, OutboxEvent.topic == deadlines.PASSED)
        ))).all())


@pytest.fixture
async def empty_queue(runtime: Runtime, settings: Settings) -> None:
    await runtime.queue.redis.delete(settings.arq_queue_name)


@pytest.mark.usefixtures("empty_queue")
async def test_sweep_marks_what_is_due_in_rounds_one_event_each_and_queues_their_triggers(
    runtime: Runtime, settings: Settings
) -> None:
    remind_only = await _deadline(runtime, due_in=5 * DAY, remind_in=-DAY)
    both = [await _deadline(runtime, due_in=-DAY, remind_in=-2 * DAY) for _ in range(5)]
    passed_reminded = await _deadline(runtime, due_in=-DAY, remind_in=-3 * DAY, reminded=True)
    passed_no_reminder = await _deadline(runtime, due_in=-DAY, remind_in=None)
    on_hold = await _deadline(runtime, due_in=-DAY, remind_in=-2 * DAY, case_status=InvestigationStatus.ON_HOLD)
    not_due = await _deadline(runtime, due_in=5 * DAY, remind_in=2 * DAY)
    met = await _deadline(runtime, due_in=-DAY, remind_in=-2 * DAY, status=DeadlineStatus.MET)
    before = await _rows(runtime)

    # Rounds of two of each: seven passed and six reminders take several rounds.
    assert await deadlines.sweep(runtime, batch=2) == (6, 7)
    assert await deadlines.sweep(runtime, batch=2) == (0, 0)  # each once

    rows = await _rows(runtime)
    for swept in (remind_only, *both, passed_reminded, passed_no_reminder):
        assert rows[swept].reminded_at is not None
    assert rows[passed_reminded].reminded_at == before[passed_reminded].reminded_at  # kept, not moved
    assert rows[remind_only].passed_at is None
    for swept in (*both, passed_reminded, passed_no_reminder):
        assert rows[swept].passed_at is not None
    for untouched in (on_hold, not_due, met):
        assert (rows[untouched].reminded_at, rows[untouched].passed_at) == (None, None)
    assert all(row.status is before[key].status for key, row in rows.items())

    events = await _events(runtime)
    by_topic: dict[str, list[str]] = {deadlines.REMIND: [], deadlines.PASSED: []}
    for event in events:
        assert event.status is EventStatus.PENDING
        by_topic[event.topic].append(event.payload["deadline_id"])
    assert sorted(by_topic[deadlines.REMIND]) == sorted(str(d) for d in (remind_only, *both))
    assert sorted(by_topic[deadlines.PASSED]) == sorted(str(d) for d in (*both, passed_reminded, passed_no_reminder))

    # Every event has its trigger on the queue: the job arq's own enqueue_job would have stored.
    queued = {member.decode() for member in await runtime.queue.redis.zrange(settings.arq_queue_name, 0, -1)}
    assert queued == {str(event.id) for event in events}
    for event in events:
        data = await runtime.queue.redis.get(job_key_prefix + str(event.id))
        job = deserialize_job(data)
        assert (job.function, job.args, job.kwargs, job.job_try) == (outbox.TASK_NAME, (str(event.id),), {}, None)
        assert data == serialize_job(outbox.TASK_NAME, (str(event.id),), {}, None, to_unix_ms(job.enqueue_time))


@pytest.mark.usefixtures("empty_queue")
async def test_sweep_passes_over_a_deadline_another_transaction_holds_and_takes_it_later(runtime: Runtime) -> None:
    held = await _deadline(runtime, due_in=-DAY, remind_in=-2 * DAY)
    free = await _deadline(runtime, due_in=-DAY, remind_in=-2 * DAY)
    async with runtime.session_factory() as other:
        await other.exec(select(Deadline).where(Deadline.id == held).with_for_update())
        assert await deadlines.sweep(runtime) == (1, 1)  # no wait for the lock: the other one only
        await other.rollback()
    assert await deadlines.sweep(runtime) == (1, 1)
    rows = await _rows(runtime)
    assert rows[held].passed_at is not None and rows[free].passed_at is not None
    assert sorted(e.payload["deadline_id"] for e in await _events(runtime)) == sorted([str(held)] * 2 + [str(free)] * 2)


@pytest.mark.usefixtures("empty_queue")
async def test_queue_puts_what_arq_would_put_deferred_retried_and_never_twice(
    runtime: Runtime, settings: Settings
) -> None:
    redis, queue_name = runtime.queue.redis, settings.arq_queue_name
    now = datetime.now(clock.AMSTERDAM)
    due, later, retried = uuid4(), uuid4(), uuid4()
    assert await runtime.queue.enqueue([(due, now - DAY), (later, now + timedelta(hours=2))]) == 2
    assert await runtime.queue.enqueue([(retried, now + timedelta(minutes=5))], attempt=3) == 1

    scores = dict(await redis.zrange(queue_name, 0, -1, withscores=True))
    assert set(scores) == {str(due).encode(), str(later).encode(), f"{retried}:3".encode()}
    assert scores[str(later).encode()] == to_unix_ms(now + timedelta(hours=2))  # deferred to its time
    assert scores[f"{retried}:3".encode()] == to_unix_ms(now + timedelta(minutes=5))
    assert abs(scores[str(due).encode()] - to_unix_ms(now)) < 60_000  # due now, not in the past
    for job_id, event_id in ((str(due), due), (str(later), later), (f"{retried}:3", retried)):
        data = await redis.get(job_key_prefix + job_id)
        job = deserialize_job(data)
        assert (job.function, job.args, job.kwargs) == (outbox.TASK_NAME, (str(event_id),), {})
        expected = serialize_job(outbox.TASK_NAME, (str(event_id),), {}, None, to_unix_ms(job.enqueue_time))
        assert data == expected  # byte for byte what arq's enqueue_job stores
        # arq's expiry: until its start plus arq's extra time (a day by default)
        ttl_ms = await redis.pttl(job_key_prefix + job_id)
        assert 0 < ttl_ms <= scores[job_id.encode()] - to_unix_ms(job.enqueue_time) + redis.expires_extra_ms

    # A job of that id on the queue already is left as it is, as arq's enqueue_job leaves it.
    await redis.set(job_key_prefix + str(due), b"kept")
    assert await runtime.queue.enqueue([(due, now)]) == 1
    assert await redis.get(job_key_prefix + str(due)) == b"kept"
    assert await redis.zcard(queue_name) == 3
