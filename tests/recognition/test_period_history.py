"""The period history at the SQL level: the database keeps it, whatever writes the periods.

Every UPDATE that changes what a period says and every DELETE copies the old row into
recognition_period_history with its recorded interval; `recorded_from` is set to the transaction's
recorded time on insert and on such an update; what was never seen outside one transaction leaves no
copy; the history itself cannot be changed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from erkenning.core.runtime import Runtime
from erkenning.recognition import periods
from erkenning.recognition.models import RecognitionStatus as R
from tests.factories import make_company, make_recognition

D1, D2, D3 = date(2025, 1, 1), date(2025, 3, 1), date(2025, 6, 1)
T1, T2 = datetime(2020, 1, 1, 9, tzinfo=UTC), datetime(2020, 1, 2, 9, tzinfo=UTC)  # before any real now

_AT = "SELECT set_config('erkenning.recorded_at', :at, true)"
_CAUSE = (
    "SELECT set_config('erkenning.change_decision_id', :decision, true), "
    "set_config('erkenning.change_objection_id', :objection, true)"
)


async def _recognition(runtime: Runtime) -> UUID:
    """A recognition with no period yet, to write periods into by SQL."""
    return (await make_recognition(runtime, await make_company(runtime), [])).id


async def _history(runtime: Runtime, recognition_id: UUID) -> list[tuple]:
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(
            sa.text(
                "SELECT status, lower(during), upper(during), recorded_from, recorded_until,"
                " superseded_by_decision_id, superseded_by_objection_id"
                " FROM recognition_period_history WHERE recognition_id = :r ORDER BY recorded_until, lower(during)"
            ),
            {"r": recognition_id},
        )
        return [tuple(r) for r in rows.all()]


async def _recorded_from(runtime: Runtime, period_id: UUID) -> datetime:
    async with runtime.engine.connect() as conn:
        return (
            await conn.execute(sa.text("SELECT recorded_from FROM recognition_period WHERE id = :p"), {"p": period_id})
        ).scalar_one()


async def _insert(
    runtime: Runtime, recognition_id: UUID, status: R, start: date, end: date | None, at: datetime
) -> UUID:
    period_id = uuid4()
    async with runtime.engine.begin() as conn:
        await conn.execute(sa.text(_AT), {"at": at.isoformat()})
        await conn.execute(
            sa.text(
                "INSERT INTO recognition_period (id, recognition_id, status, during)"
                " VALUES (:id, :r, :s, daterange(:a, :b))"
            ),
            {"id": period_id, "r": recognition_id, "s": status.value, "a": start, "b": end},
        )
    return period_id


async def test_an_update_of_what_a_period_says_leaves_the_old_row_in_the_history(
    runtime: Runtime
) -> None:
    recognition_id = await _recognition(runtime)
    period_id = await _insert(runtime, recognition_id, R.ACTIVE, D1, None, T1)
    assert await _recorded_from(runtime, period_id) == T1  # set on insert to the transaction's recorded time
    assert await _history(runtime, recognition_id) == []

    decision_id = uuid4()
    async with runtime.engine.begin() as conn:
        await conn.execute(sa.text(_AT), {"at": T2.isoformat()})
        await conn.execute(sa.text(_CAUSE), {"decision": str(decision_id), "objection": ""})
        await conn.execute(
            sa.text("UPDATE recognition_period SET during = daterange(:a, :b), recorded_from = :x WHERE id = :p"),
            {"a": D1, "b": D2, "p": period_id, "x": datetime(2000, 1, 1, tzinfo=UTC)},
        )

    assert await _history(runtime, recognition_id) == [(R.ACTIVE.value, D1, None, T1, T2, decision_id, None)]
    assert await _recorded_from(runtime, period_id) == T2  # the database's time, not the one written


async def test_a_delete_leaves_the_row_in_the_history_and_without_a_recorded_time_the_database_gives_its_own(
    runtime: Runtime
) -> None:
    recognition_id = await _recognition(runtime)
    period_id = await _insert(runtime, recognition_id, R.SUSPENDED, D2, D3, T1)
    objection_id = uuid4()
    async with runtime.engine.begin() as conn:  # no recorded time given: the transaction's own
        await conn.execute(sa.text(_CAUSE), {"decision": "", "objection": str(objection_id)})
        await conn.execute(sa.text("DELETE FROM recognition_period WHERE id = :p"), {"p": period_id})
        now = (await conn.execute(sa.text("SELECT transaction_timestamp()"))).scalar_one()
    assert await _history(runtime, recognition_id) == [(R.SUSPENDED.value, D2, D3, T1, now, None, objection_id)]


async def test_bookkeeping_and_rows_no_one_saw_leave_no_history(runtime: Runtime) -> None:
    recognition_id = await _recognition(runtime)
    period_id = await _insert(runtime, recognition_id, R.ACTIVE, D1, None, T1)
    async with runtime.engine.begin() as conn:
        await conn.execute(sa.text(_AT), {"at": T2.isoformat()})
        # `applied` says whether recognition.status caught up, not what the register says.
        flip = "UPDATE recognition_period SET applied = NOT applied WHERE id = :p"
        await conn.execute(sa.text(flip), {"p": period_id})
        # Written and changed again in one transaction: never seen by anyone.
        other = uuid4()
        await conn.execute(
            sa.text(
                "INSERT INTO recognition_period (id, recognition_id, status, during)"
                " VALUES (:id, :r, 'pending', daterange('2020-01-01', '2021-01-01'))"
            ),
            {"id": other, "r": recognition_id},
        )
        await conn.execute(sa.text("UPDATE recognition_period SET status = 'refused' WHERE id = :id"), {"id": other})
        await conn.execute(sa.text("DELETE FROM recognition_period WHERE id = :id"), {"id": other})
    assert await _history(runtime, recognition_id) == []
    assert await _recorded_from(runtime, period_id) == T1


async def test_the_history_cannot_be_changed_or_deleted(runtime: Runtime) -> None:
    recognition_id = await _recognition(runtime)
    period_id = await _insert(runtime, recognition_id, R.ACTIVE, D1, None, T1)
    async with runtime.engine.begin() as conn:
        await conn.execute(sa.text("DELETE FROM recognition_period WHERE id = :p"), {"p": period_id})
    for statement in (
        "UPDATE recognition_period_history SET status = 'withdrawn'",
        "DELETE FROM recognition_period_history",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with runtime.engine.begin() as conn:
                await conn.execute(sa.text(statement))
    assert len(await _history(runtime, recognition_id)) == 1


async def test_the_service_stamps_one_recorded_time_per_transaction_and_names_the_change(
    runtime: Runtime
) -> None:
    decision_id, objection_id = uuid4(), uuid4()
    async with runtime.transaction() as session:
        first = await periods.stamp(session, decision_id=decision_id)
        again = await periods.stamp(session, objection_id=objection_id)
        named = (
            await session.exec(  # type: ignore[call-overload]
                sa.select(
                    sa.func.current_setting(periods.CHANGE_DECISION), sa.func.current_setting(periods.CHANGE_OBJECTION)
                )
            )
        ).one()
    assert again == first  # the transaction's time, once
    assert tuple(named) == ("", str(objection_id))  # the latest change named, the earlier one cleared
    async with runtime.transaction() as session:
        assert await periods.stamp(session) > first  # a new transaction, a new time
