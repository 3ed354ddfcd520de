"""The outbox: writes succeed without Redis, the sweep catches up, a real worker runs each event once."""

import asyncio
import dataclasses
from collections.abc import Awaitable
from datetime import timedelta
from uuid import UUID

import pytest
import sqlalchemy as sa

from erkenning.app import create_app
from erkenning.core import outbox
from erkenning.core.caller import Role
from erkenning.core.db import utcnow
from erkenning.core.errors import DomainError
from erkenning.core.outbox import EventStatus, OutboxEvent
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.devtools.embedded import free_port
from erkenning.worker import wiring
from tests.factories import TokenFactory
from tests.helpers import MailCatcher, asgi_client, drain_queue, outbox_events

CALLS: dict[str, int] = {}
CONNECTIONS_IN_USE: dict[str, int] = {}
LOCK_WAIT: dict[str, str] = {}


async def _flaky(ctx: outbox.EventContext) -> None:
    key = str(ctx.event.id)
    CALLS[key] = CALLS.get(key, 0) + 1
    if CALLS[key] <= ctx.payload["fail_times"]:
        raise DomainError("not yet")


async def test_write_succeeds_without_redis_and_the_sweep_delivers_once(
    settings: Settings, runtime: Runtime, tokens: TokenFactory, mail: MailCatcher
) -> None:
    admin = await tokens.make(Role.ADMIN)
    target = await tokens.make(Role.ADVISER, email="adviseur@sbb.example")
    mail.clear()  # the factory's own token e-mail is not part of this test
    await runtime.queue.redis.delete(settings.arq_queue_name)
    async with runtime.session_factory() as session:
        await session.exec(sa.delete(OutboxEvent))
        await session.commit()

    no_redis = Runtime.create(settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"}))
    try:
        async with asgi_client(create_app(runtime=no_redis)) as client:
            response = await client.post(
                f"/api/v1/backoffice/admin/principals/{target.id}/tokens", json={}, headers=admin.headers
            )
        assert response.status_code == 201, response.text
    finally:
        await no_redis.close()

    [event] = await outbox_events(runtime, "email.send")
    assert event.status is EventStatus.PENDING
    assert event.payload == {"template": "token_issued", "token_id": event.payload["token_id"]}
    assert await runtime.queue.depth() == 0  # nothing reached Redis

    # Redis is back: the sweep finds the event (no grace period in this test) and a real worker runs it.
    sweeping = Runtime.create(settings.model_copy(update={"outbox_pickup_grace_s": 0}))
    try:
        assert await outbox.sweep(sweeping) == 1
    finally:
        await sweeping.close()
    await drain_queue(settings)
    [event] = await outbox_events(runtime, "email.send")
    assert event.status is EventStatus.DONE
    assert len(mail.to("adviseur@sbb.example")) == 1
    assert "Nieuwe toegangssleutel" in mail.to("adviseur@sbb.example")[0]["Subject"]

    # The same event run again, directly and through the queue under another job id: no second effect.
    assert await outbox.process(runtime, event.id) is False
    await runtime.queue.redis.enqueue_job(
        outbox.TASK_NAME, str(event.id), _job_id=f"{event.id}:again", _queue_name=settings.arq_queue_name
    )
    await drain_queue(settings)
    assert len(mail.to("adviseur@sbb.example")) == 1


async def test_event_is_enqueued_after_commit_with_its_id_as_job_id(
    client, settings: Settings, runtime: Runtime, tokens: TokenFactory
) -> None:
    admin = await tokens.make(Role.ADMIN)
    target = await tokens.make(Role.ADVISER, email="a@sbb.example")
    await runtime.queue.redis.delete(settings.arq_queue_name)
    response = await client.post(f"/api/v1/backoffice/admin/principals/{target.id}/tokens", json={},
                                 headers=admin.headers)
    assert response.status_code == 201
    # The request's event is the newest (`outbox_events` has no order: emptied tables reuse their space).
    newest = max(await outbox_events(runtime, "email.send"), key=lambda event: event.created_at)
    queued = await runtime.queue.redis.zrange(settings.arq_queue_name, 0, -1)
    assert str(newest.id).encode() in queued


async def test_failures_back_off_then_die_and_admin_can_retry(
    client, settings: Settings, runtime: Runtime, tokens: TokenFactory
) -> None:
    fast = Runtime.create(
        settings.model_copy(update={"outbox_max_attempts": 3, "outbox_retry_base_s": 0.0}), handlers=HANDLERS
    )
    try:
        async with fast.transaction() as session:
            event = outbox.add(session, "test.flaky", fail_times=10)
        for _ in range(3):
            await outbox.process(fast, event.id)
    finally:
        await fast.close()
    [row] = await outbox_events(runtime, "test.flaky")
    assert row.status is EventStatus.DEAD
    assert row.attempts == 3
    assert row.last_error == "DomainError: not yet"

    admin = await tokens.make(Role.ADMIN)
    dead = await client.get("/api/v1/backoffice/admin/outbox", params={"status": "dead"}, headers=admin.headers)
    assert [e["id"] for e in dead.json()] == [str(row.id)]
    retried = await client.post(f"/api/v1/backoffice/admin/outbox/{row.id}/retry", headers=admin.headers)
    assert retried.status_code == 200 and retried.json()["status"] == "pending"


async def test_a_failed_attempt_is_retried_later_and_then_succeeds(settings: Settings, runtime: Runtime) -> None:
    quick = Runtime.create(settings.model_copy(update={"outbox_retry_base_s": 0.0}), handlers=HANDLERS)
    try:
        async with quick.transaction() as session:
            event = outbox.add(session, "test.flaky", fail_times=1)
        assert await outbox.process(quick, event.id) is False
        assert await outbox.process(quick, event.id) is True
    finally:
        await quick.close()
    [row] = await outbox_events(runtime, "test.flaky")
    assert row.status is EventStatus.DONE and row.attempts == 2
    assert CALLS[str(row.id)] == 2


# ---------------------------------------------------------------- batches


async def _batch_step(ctx: outbox.EventContext) -> None:
    """Writes a follow-up event (a database effect), then fails when the payload says so."""
    CALLS[str(ctx.event.id)] = CALLS.get(str(ctx.event.id), 0) + 1
    outbox.add(ctx.session, "test.batch.followup", parent=str(ctx.event.id))
    if ctx.payload.get("fail"):
        raise DomainError("step failed")
    if ctx.payload.get("slow"):
        await asyncio.sleep(0.05)
        CONNECTIONS_IN_USE[str(ctx.event.id)] = ctx.runtime.engine.pool.checkedout()  # type: ignore[attr-defined]


async def _add_batch(runtime: Runtime, *payloads: dict) -> list[UUID]:
    async with runtime.transaction() as session:
        return [outbox.add(session, "test.batch", **payload).id for payload in payloads]


async def _followups(runtime: Runtime) -> set[str]:
    return {e.payload["parent"] for e in await outbox_events(runtime, "test.batch.followup")}


async def test_a_batch_runs_due_events_each_in_its_own_savepoint(settings: Settings, runtime: Runtime) -> None:
    quick = Runtime.create(settings.model_copy(update={"outbox_retry_base_s": 60.0}), handlers=HANDLERS)
    try:
        first, ok, failing, last = await _add_batch(quick, {}, {}, {"fail": True}, {})
        async with quick.transaction() as session:
            later = outbox.add(session, "test.batch", available_at=utcnow() + timedelta(hours=1)).id

        assert await outbox.process(quick, first, batch=10) is True
        # The others' own triggers: done ones are known without a query, the failed one is not due yet.
        for event_id in (ok, last, failing):
            assert await outbox.process(quick, event_id, batch=10) is False
    finally:
        await quick.close()

    rows = {row.id: row for row in await outbox_events(runtime, "test.batch")}
    assert {rows[i].status for i in (first, ok, last)} == {EventStatus.DONE}
    assert all(rows[i].attempts == 1 for i in (first, ok, last))
    assert rows[failing].status is EventStatus.PENDING
    assert rows[failing].attempts == 1 and rows[failing].last_error == "DomainError: step failed"
    assert rows[failing].available_at > utcnow() + timedelta(seconds=30)
    assert rows[later].status is EventStatus.PENDING and rows[later].attempts == 0  # not yet due: not taken
    # The failed step's follow-up was rolled back with its savepoint; the others' were committed.
    assert await _followups(runtime) == {str(first), str(ok), str(last)}
    assert all(CALLS[str(i)] == 1 for i in (first, ok, failing, last))


async def test_a_batch_passes_over_events_another_transaction_holds(settings: Settings, wired: Runtime) -> None:
    first, held = await _add_batch(wired, {}, {})
    async with wired.session_factory() as other:
        await other.exec(sa.select(OutboxEvent).where(OutboxEvent.id == held).with_for_update())
        assert await outbox.process(wired, first, batch=10) is True
        await other.rollback()
    rows = {row.id: row for row in await outbox_events(wired, "test.batch")}
    assert rows[first].status is EventStatus.DONE
    assert rows[held].status is EventStatus.PENDING and rows[held].attempts == 0
    assert await outbox.process(wired, held, batch=10) is True  # its own trigger still runs it


async def test_a_batch_takes_no_further_event_after_its_time_budget(settings: Settings, runtime: Runtime) -> None:
    tight = Runtime.create(settings.model_copy(update={"outbox_batch_budget_s": 0.01}), handlers=HANDLERS)
    try:
        first, *rest = await _add_batch(tight, {"slow": True}, {}, {})
        assert await outbox.process(tight, first, batch=10) is True
    finally:
        await tight.close()
    rows = {row.id: row for row in await outbox_events(runtime, "test.batch")}
    assert rows[first].status is EventStatus.DONE
    assert [rows[i].status for i in rest] == [EventStatus.PENDING, EventStatus.PENDING]
    assert await _followups(runtime) == {str(first)}


async def test_a_trigger_for_an_event_in_a_running_batch_waits_for_it(settings: Settings, runtime: Runtime) -> None:
    # A pool of its own, to count the connections the two triggers use.
    own = Runtime.create(settings, handlers=HANDLERS)
    try:
        first, second = await _add_batch(own, {"slow": True}, {})
        both = await asyncio.gather(outbox.process(own, first, batch=10), _soon(outbox.process(own, second, batch=10)))
    finally:
        await own.close()
    assert both == [True, False]  # the second trigger found its event done by the batch
    assert CALLS[str(first)] == 1 and CALLS[str(second)] == 1
    # While the batch ran, the second trigger waited in memory, not on the row lock with a connection.
    assert CONNECTIONS_IN_USE[str(first)] == 1
    assert {row.status for row in await outbox_events(runtime, "test.batch")} == {EventStatus.DONE}


async def _soon(step: Awaitable[bool]) -> bool:
    await asyncio.sleep(0.02)  # the batch has claimed both events by now (its first handler sleeps 50 ms)
    return await step


async def _external_step(ctx: outbox.EventContext) -> None:
    CALLS[str(ctx.event.id)] = CALLS.get(str(ctx.event.id), 0) + 1


async def test_a_batch_holds_no_external_effect_but_its_own(settings: Settings, wired: Runtime) -> None:
    from erkenning.core import mail
    from erkenning.register.tasks import WEBHOOK_TOPIC

    assert {mail.TOPIC, WEBHOOK_TOPIC} <= wired.handlers.external  # e-mails and webhooks reach outside the database
    async with wired.transaction() as session:
        first = outbox.add(session, "test.batch").id
        external = [outbox.add(session, "test.batch.external").id for _ in range(2)]
        last = outbox.add(session, "test.batch").id

    assert await outbox.process(wired, first, batch=10) is True
    batch = await outbox_events(wired, "test.batch") + await outbox_events(wired, "test.batch.external")
    rows = {row.id: row for row in batch}
    assert rows[last].status is EventStatus.DONE
    assert [rows[i].status for i in external] == [EventStatus.PENDING, EventStatus.PENDING]

    # An external event's own job runs it, and takes no other external one along.
    assert await outbox.process(wired, external[0], batch=10) is True
    rows = {row.id: row for row in await outbox_events(wired, "test.batch.external")}
    assert rows[external[0]].status is EventStatus.DONE and rows[external[1]].status is EventStatus.PENDING


async def _locking_step(ctx: outbox.EventContext) -> None:
    CALLS[str(ctx.event.id)] = CALLS.get(str(ctx.event.id), 0) + 1
    LOCK_WAIT[str(ctx.event.id)] = (await ctx.session.exec(sa.select(sa.func.current_setting("lock_timeout")))).one()[0]
    await ctx.session.exec(sa.select(sa.func.pg_advisory_xact_lock(ctx.payload["key"])))


async def test_a_further_event_that_would_wait_for_a_lock_is_left_to_its_own_job(wired: Runtime) -> None:
    async with wired.transaction() as session:
        first = outbox.add(session, "test.batch.locking", key=1).id
        blocked = outbox.add(session, "test.batch.locking", key=424242).id
    async with wired.session_factory() as other:
        await other.exec(sa.select(sa.func.pg_advisory_xact_lock(424242)))  # another transaction holds it
        assert await outbox.process(wired, first, batch=10) is True
        await other.rollback()
    rows = {row.id: row for row in await outbox_events(wired, "test.batch.locking")}
    # The job's own event may wait as usual; a further one gives up waiting almost at once, and is left
    # with no attempt counted and no backoff.
    assert LOCK_WAIT[str(first)] == "10s" and LOCK_WAIT[str(blocked)] == "50ms"
    assert CALLS[str(blocked)] == 1
    assert rows[blocked].status is EventStatus.PENDING
    assert rows[blocked].attempts == 0 and rows[blocked].last_error is None
    assert rows[blocked].available_at <= utcnow()
    assert await outbox.process(wired, blocked, batch=10) is True  # its own job, the lock free again
    assert LOCK_WAIT[str(blocked)] == "10s"


# ---------------------------------------------------------------- one event: the lean path (ADR 0010)

SEEN: dict[str, tuple[EventStatus, int]] = {}


async def _lean_step(ctx: outbox.EventContext) -> None:
    """Counts its runs, notes the event as the handler sees it, writes a follow-up (a database effect)."""
    CALLS[str(ctx.event.id)] = CALLS.get(str(ctx.event.id), 0) + 1
    SEEN[str(ctx.event.id)] = (ctx.event.status, ctx.event.attempts)
    outbox.add(ctx.session, "test.batch.followup", parent=str(ctx.event.id))
    if ctx.payload.get("slow"):
        await asyncio.sleep(0.05)


async def _add_lean(runtime: Runtime, **payload: object) -> UUID:
    async with runtime.transaction() as session:
        return outbox.add(session, "test.lean", **payload).id


async def _row(runtime: Runtime, event_id: UUID) -> OutboxEvent:
    [row] = [e for e in await outbox_events(runtime, "test.lean") if e.id == event_id]
    return row


async def test_one_event_runs_once_and_is_marked_done_with_its_effects(wired: Runtime) -> None:
    event_id = await _add_lean(wired)
    assert await outbox.process(wired, event_id) is True
    row = await _row(wired, event_id)
    assert row.status is EventStatus.DONE and row.attempts == 1 and row.done_at is not None
    assert SEEN[str(event_id)] == (EventStatus.PENDING, 0)  # the handler sees the event as it was claimed
    assert await _followups(wired) == {str(event_id)}  # its effect committed with the mark
    assert await outbox.process(wired, event_id) is False  # a later trigger: done, nothing runs


async def test_duplicate_triggers_of_one_event_have_one_effect(settings: Settings, wired: Runtime) -> None:
    # Two processes (two runtimes: no shared memory of done events) get a trigger for the same event.
    other = Runtime.create(settings, handlers=HANDLERS)
    try:
        event_id = await _add_lean(wired, slow=True)
        ran = await asyncio.gather(outbox.process(wired, event_id), outbox.process(other, event_id))
    finally:
        await other.close()
    assert sorted(ran) == [False, True]
    assert CALLS[str(event_id)] == 1
    assert await _followups(wired) == {str(event_id)}
    row = await _row(wired, event_id)
    assert row.status is EventStatus.DONE and row.attempts == 1


async def test_an_event_not_yet_due_is_not_run(wired: Runtime) -> None:
    async with wired.transaction() as session:
        event_id = outbox.add(session, "test.lean", available_at=utcnow() + timedelta(hours=1)).id
    assert await outbox.process(wired, event_id) is False
    row = await _row(wired, event_id)
    assert row.status is EventStatus.PENDING and row.attempts == 0 and row.done_at is None
    assert str(event_id) not in CALLS


async def _waiting_for_lock(runtime: Runtime, task: asyncio.Task[bool]) -> bool:
    """Whether `task`'s connection comes to wait for a lock on an outbox row (asked of PostgreSQL, not
    timed); False when the task ends first."""
    while not task.done():
        async with runtime.session_factory() as session:
            waiting = (await session.exec(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND query LIKE '%UPDATE outbox_event%'"
            ))).one()[0]
        if waiting:
            return True
        await asyncio.sleep(0.01)
    return False


@pytest.mark.parametrize("holder_commits_done", [True, False])
async def test_a_trigger_for_an_event_another_transaction_holds_waits_for_it(
    settings: Settings, wired: Runtime, holder_commits_done: bool
) -> None:
    """Another process holds the event (it is running it): this trigger waits for its lock, then finds
    the event done (nothing to do) or, when the other rolled back, runs it itself, once."""
    event_id = await _add_lean(wired)
    other = Runtime.create(settings, handlers=HANDLERS)  # no shared memory of done events
    try:
        async with wired.session_factory() as holder:
            await holder.exec(sa.select(OutboxEvent).where(OutboxEvent.id == event_id).with_for_update())
            trigger = asyncio.create_task(outbox.process(other, event_id))
            assert await _waiting_for_lock(wired, trigger)  # it waits: it neither runs the event nor gives it up
            if holder_commits_done:
                await holder.exec(
                    sa.update(OutboxEvent).where(OutboxEvent.id == event_id)
                    .values(status=EventStatus.DONE, done_at=utcnow(), attempts=1)
                )
                await holder.commit()
            else:
                await holder.rollback()
            ran = await trigger
    finally:
        await other.close()
    row = await _row(wired, event_id)
    assert row.status is EventStatus.DONE and row.attempts == 1
    if holder_commits_done:
        assert ran is False and str(event_id) not in CALLS
    else:
        assert ran is True and CALLS[str(event_id)] == 1


async def test_a_failing_handler_undoes_the_mark_and_counts_the_attempt(settings: Settings, runtime: Runtime) -> None:
    quick = Runtime.create(settings.model_copy(update={"outbox_retry_base_s": 60.0}), handlers=HANDLERS)
    try:
        async with quick.transaction() as session:
            event_id = outbox.add(session, "test.flaky", fail_times=1).id
        assert await outbox.process(quick, event_id) is False
    finally:
        await quick.close()
    [row] = [e for e in await outbox_events(runtime, "test.flaky") if e.id == event_id]
    assert row.status is EventStatus.PENDING and row.done_at is None
    assert row.attempts == 1 and row.last_error == "DomainError: not yet"
    assert row.available_at > utcnow() + timedelta(seconds=30)


# The worker's handlers and this module's test topics, for the runtimes that run them.
HANDLERS = wiring().handlers.with_(
    outbox.Handler("test.flaky", _flaky),
    outbox.Handler("test.batch", _batch_step),
    outbox.Handler("test.batch.external", _external_step, external=True),
    outbox.Handler("test.batch.locking", _locking_step),
    outbox.Handler("test.lean", _lean_step),
)


@pytest.fixture
def wired(runtime: Runtime) -> Runtime:
    """The run's runtime (its connections, its memory of done events) with this module's topics too."""
    return dataclasses.replace(runtime, handlers=HANDLERS)
