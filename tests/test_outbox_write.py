"""Writing events (`outbox.add`): held rows written by one INSERT before flush, savepoint and commit.

Real PostgreSQL: what each case commits is read back from another session.
"""

from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from erkenning.core import outbox
from erkenning.core.outbox import EventStatus, OutboxEvent
from erkenning.core.runtime import Runtime

TOPIC = "test.write"


class Boom(Exception):
    pass


async def _committed(runtime: Runtime, key: str) -> dict[str, OutboxEvent]:
    """The committed events of this test (by their `key`), by their `name`."""
    async with runtime.session_factory() as session:
        rows = (await session.exec(sa.select(OutboxEvent).where(OutboxEvent.topic == TOPIC))).scalars()
        return {row.payload["name"]: row for row in rows if row.payload.get("key") == key}


@pytest.fixture
def key() -> str:
    return str(uuid4())


async def test_an_event_commits_with_its_transaction_and_is_noted_for_its_trigger(runtime: Runtime, key: str) -> None:
    async with runtime.session_factory() as session:
        event = outbox.add(session, TOPIC, key=key, name="a", n=3)
        await session.commit()
        assert outbox.take_new(session) == [(event.id, event.available_at)]
    [row] = (await _committed(runtime, key)).values()
    assert (row.id, row.topic, row.status, row.attempts) == (event.id, TOPIC, EventStatus.PENDING, 0)
    assert row.payload == {"key": key, "name": "a", "n": 3}
    assert row.available_at == event.available_at and row.created_at == event.available_at
    assert row.enqueued_at is None and row.done_at is None and row.last_error is None


async def test_a_rolled_back_transaction_writes_no_event_even_when_flushed(runtime: Runtime, key: str) -> None:
    async with runtime.session_factory() as session:
        outbox.add(session, TOPIC, key=key, name="unflushed")
        await session.rollback()
        outbox.add(session, TOPIC, key=key, name="flushed")
        await session.flush()
        await session.rollback()
        assert outbox.take_new(session) == []
        await session.commit()  # a later transaction of the same session writes nothing of them
    with pytest.raises(Boom):
        async with runtime.transaction() as session:
            outbox.add(session, TOPIC, key=key, name="raised")
            raise Boom
    assert await _committed(runtime, key) == {}


async def test_a_closed_session_writes_nothing(runtime: Runtime, key: str) -> None:
    session = runtime.session_factory()
    outbox.add(session, TOPIC, key=key, name="a")
    await session.close()
    await session.commit()
    assert await _committed(runtime, key) == {}


async def test_an_event_is_visible_to_queries_later_in_its_transaction(runtime: Runtime, key: str) -> None:
    async with runtime.session_factory() as session:
        first = outbox.add(session, TOPIC, key=key, name="orm")
        # An ORM query autoflushes: the row is written before it runs.
        found = (await session.exec(sa.select(OutboxEvent).where(OutboxEvent.id == first.id))).scalars().one()
        assert found.status is EventStatus.PENDING and found.payload["name"] == "orm"
        # An explicit flush writes it too, even when the session holds no ORM object to flush.
        second = outbox.add(session, TOPIC, key=key, name="flushed")
        await session.flush()
        conn = await session.connection()
        ids = set((await conn.execute(sa.text("SELECT id FROM outbox_event WHERE payload->>'key' = :k"), {"k": key})).scalars())
        assert ids == {first.id, second.id}
        # Many held at once go in one statement, all of them.
        more = [outbox.add(session, TOPIC, key=key, name=f"m{i}").id for i in range(3)]
        assert len((await session.exec(sa.select(OutboxEvent).where(OutboxEvent.id.in_(more)))).all()) == 3
        await session.rollback()
    assert await _committed(runtime, key) == {}


async def _savepoint(session, body) -> None:  # type: ignore[no-untyped-def]
    try:
        async with session.begin_nested():
            await body()
    except Boom:
        pass


@pytest.mark.parametrize("flush_inside", [False, True])
async def test_a_rolled_back_savepoint_drops_the_events_added_inside_it_and_keeps_those_before(
    runtime: Runtime, key: str, flush_inside: bool
) -> None:
    async with runtime.session_factory() as session:
        before = outbox.add(session, TOPIC, key=key, name="before")  # held, not yet written

        async def inside() -> None:
            outbox.add(session, TOPIC, key=key, name="inside")
            if flush_inside:  # the autoflush of a query writes both inside the savepoint's reach
                await session.exec(sa.select(OutboxEvent).where(OutboxEvent.id == before.id))
            raise Boom

        await _savepoint(session, inside)
        after = outbox.add(session, TOPIC, key=key, name="after")
        await session.commit()
    committed = await _committed(runtime, key)
    assert set(committed) == {"before", "after"}
    assert (committed["before"].id, committed["after"].id) == (before.id, after.id)


async def test_a_released_savepoint_keeps_its_events_and_nested_ones_roll_back_alone(runtime: Runtime, key: str) -> None:
    async with runtime.session_factory() as session:

        async def outer() -> None:
            outbox.add(session, TOPIC, key=key, name="outer")

            async def inner() -> None:
                outbox.add(session, TOPIC, key=key, name="inner")
                raise Boom

            await _savepoint(session, inner)
            outbox.add(session, TOPIC, key=key, name="outer-after")

        async with session.begin_nested():
            await outer()
        outbox.add(session, TOPIC, key=key, name="top")

        async def dropped() -> None:
            outbox.add(session, TOPIC, key=key, name="dropped")
            async with session.begin_nested():  # writes "dropped" inside the outer savepoint
                outbox.add(session, TOPIC, key=key, name="dropped-inner")
            raise Boom

        await _savepoint(session, dropped)
        await session.commit()
    assert set(await _committed(runtime, key)) == {"outer", "outer-after", "top"}


async def test_a_savepoint_rolled_back_keeps_the_triggers_of_the_events_before_it(runtime: Runtime, key: str) -> None:
    async with runtime.session_factory() as session:
        before = outbox.add(session, TOPIC, key=key, name="before")

        async def inside() -> None:
            outbox.add(session, TOPIC, key=key, name="inside")

            async def deeper() -> None:
                outbox.add(session, TOPIC, key=key, name="deeper")
                raise Boom

            await _savepoint(session, deeper)
            kept.append(outbox.add(session, TOPIC, key=key, name="kept").id)

        kept: list[UUID] = []
        await _savepoint(session, inside)  # released: "inside" and "kept" hold, "deeper" does not

        async def dropped() -> None:
            outbox.add(session, TOPIC, key=key, name="dropped")
            raise Boom

        await _savepoint(session, dropped)
        await session.commit()
        noted = {event_id for event_id, _ in outbox.take_new(session)}
    committed = await _committed(runtime, key)
    assert set(committed) == {"before", "inside", "kept"}
    assert noted == {row.id for row in committed.values()} and before.id in noted and kept[0] in noted
