"""The decree days of Atw art. 3(3) in the database: shipped by the migration, changed by admins through the
API, read by every process (the app's lifespan, the worker's startup) and counted by every term."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlmodel import select

from erkenning import worker
from erkenning.app import create_app
from erkenning.core import calendar, calendar_days, clock, migrate
from erkenning.core.audit.models import AuditEvent
from erkenning.core.calendar import DutchCalendar
from erkenning.core.calendar_days import CalendarKeeper, EquatedHolidayService
from erkenning.core.caller import Role
from erkenning.core.db import create_engine, create_session_factory
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.recognition.models import Decision
from tests.factories import Principal, TokenFactory, as_caller, build_world

CALENDAR = "/api/v1/backoffice/admin/calendar"
MIGRATION = "d1dea3bf7c72"
SHIPPED = [date(2026, 1, 2), date(2026, 5, 15), date(2027, 5, 7), date(2028, 4, 28), date(2028, 5, 26)]


def plain_weekday(after: date) -> date:
    """A working day after `after` that no decree equates (a Wednesday: never a bridge day)."""
    day = after + timedelta(days=(2 - after.weekday()) % 7 or 7)
    while not calendar.DEFAULT.is_working_day(day):
        day += timedelta(days=7)
    return day


async def audit_rows(runtime: Runtime, action: str, day: date, actor_id: UUID) -> list[AuditEvent]:
    """This test's rows (the audit trail is kept for the whole run)."""
    async with runtime.session_factory() as session:
        stmt = select(AuditEvent).where(
            AuditEvent.action == action, AuditEvent.object_id == day.isoformat(), AuditEvent.actor_id == actor_id
        )
        return list((await session.exec(stmt)).all())


async def insert_elsewhere(runtime: Runtime, day: date) -> None:
    """A row written by another process (this one's calendar is not told)."""
    async with runtime.engine.begin() as conn:
        await conn.execute(
            sa.text("INSERT INTO equated_holiday (day, decree) VALUES (:d, 'Besluit (elders)')"), {"d": day}
        )


async def eventually(check: Any, timeout_s: float = 10.0) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


# --- the migration -------------------------------------------------------------------------------


def _equated_rows(url: str) -> list[Any] | None:
    async def fetch() -> list[Any] | None:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            if not await conn.fetchval("SELECT to_regclass('equated_holiday') IS NOT NULL"):
                return None
            return list(await conn.fetch("SELECT day, decree, reference, added_by FROM equated_holiday ORDER BY day"))
        finally:
            await conn.close()

    return asyncio.run(fetch())


def test_the_migration_ships_the_decree_days_and_goes_back(scratch_db: str) -> None:
    migrate.upgrade(scratch_db)
    rows = _equated_rows(scratch_db)
    assert rows is not None and [r["day"] for r in rows] == SHIPPED
    shipped = calendar.shipped_equated_days()
    assert [(r["decree"], r["reference"]) for r in rows] == [(d.decree, d.reference) for d in shipped]
    assert all(r["added_by"] is None for r in rows)
    assert all("gelijkgesteld" in r["decree"] and "check" in r["reference"] for r in rows)

    before = ScriptDirectory.from_config(migrate.alembic_config(scratch_db)).get_revision(MIGRATION).down_revision
    migrate.downgrade(scratch_db, str(before))
    assert _equated_rows(scratch_db) is None
    migrate.upgrade(scratch_db)
    assert [r["day"] for r in _equated_rows(scratch_db) or []] == SHIPPED


# --- the admin API -------------------------------------------------------------------------------


async def test_an_admin_equates_a_day_and_a_term_computed_afterwards_moves_past_it(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, tokens: TokenFactory
) -> None:
    world = await build_world(runtime, tokens)
    today = clock.today()
    plain_end = calendar.term_end(today, weeks=settings.objection_term_weeks)  # a working day, so far

    added = await client.post(
        CALENDAR, json={"day": plain_end.isoformat(), "decree": "Besluit (test)", "reference": "Stcrt. (test)"},
        headers=world.admin.headers,
    )
    assert added.status_code == 201, added.text
    assert added.json() | {"added_at": None} == {
        "day": plain_end.isoformat(), "decree": "Besluit (test)", "reference": "Stcrt. (test)",
        "added_by": str(world.admin.id), "added_at": None, "shipped": False,
    }
    assert calendar.DEFAULT.is_holiday(plain_end)

    # The objection term of a decision sent now (Awb art. 6:7) ended on that day: it runs to the next (Atw art. 1).
    decision_id = await world.decide("grant", [await world.application()])
    async with runtime.session_factory() as session:
        decision = await session.get(Decision, decision_id)
    assert decision is not None and decision.objection_deadline is not None
    assert decision.objection_deadline == calendar.next_working_day(plain_end + timedelta(days=1))
    assert decision.objection_deadline > plain_end

    listed = (await client.get(CALENDAR, headers=world.admin.headers, params={"year": plain_end.year})).json()
    assert [d["day"] for d in listed] == [plain_end.isoformat()]
    [row] = await audit_rows(runtime, "equated_holiday.added", plain_end, world.admin.id)
    assert row.actor_role == "admin" and row.object_type == "equated_holiday" and row.result == "success"

    removed = await client.delete(f"{CALENDAR}/{plain_end.isoformat()}", headers=world.admin.headers)
    assert removed.status_code == 204, removed.text
    assert not calendar.DEFAULT.is_holiday(plain_end)
    assert (await client.get(CALENDAR, headers=world.admin.headers)).json() == []
    assert len(await audit_rows(runtime, "equated_holiday.removed", plain_end, world.admin.id)) == 1


@pytest.mark.parametrize(
    ("day", "status", "words"),
    [
        ("2030-06-15", 422, "is a Saturday"),
        ("2030-06-16", 422, "is a Sunday"),
        ("2027-03-26", 422, "already a general holiday: Good Friday"),
        ("2027-05-05", 422, "already a general holiday: Liberation Day"),
        ("2027-04-27", 422, "already a general holiday: King's Day"),
        ("1960-06-15", 422, "Atw took effect"),
        ("2206-06-15", 422, "is outside"),
        ("2026-05-15", 409, "already equated"),  # shipped with the release
    ],
)
async def test_a_day_that_is_no_working_day_is_refused(
    client: httpx.AsyncClient, admin: Principal, day: str, status: int, words: str
) -> None:
    before = calendar.DEFAULT.equated
    answer = await client.post(CALENDAR, json={"day": day, "decree": "Besluit (test)"}, headers=admin.headers)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert words in answer.json()["detail"]
    if status == 422:
        assert [e["field"] for e in answer.json()["errors"]] == ["day"]
    assert calendar.DEFAULT.equated == before


async def test_a_day_equated_twice_is_a_conflict_and_a_shipped_or_unknown_day_is_not_removed(
    client: httpx.AsyncClient, admin: Principal
) -> None:
    day = plain_weekday(date(2030, 1, 1))
    body = {"day": day.isoformat(), "decree": "Besluit (test)"}
    assert (await client.post(CALENDAR, json=body, headers=admin.headers)).status_code == 201
    again = await client.post(CALENDAR, json=body, headers=admin.headers)
    assert again.status_code == 409 and "Besluit (test)" in again.json()["detail"]

    shipped = await client.delete(f"{CALENDAR}/2026-05-15", headers=admin.headers)
    assert shipped.status_code == 409 and shipped.json()["type"].endswith("shipped-day")
    assert calendar.DEFAULT.is_holiday(date(2026, 5, 15))
    unknown = await client.delete(f"{CALENDAR}/{(day + timedelta(days=7)).isoformat()}", headers=admin.headers)
    assert unknown.status_code == 404

    unknown_field = await client.post(CALENDAR, json={**body, "added_by": str(admin.id)}, headers=admin.headers)
    assert unknown_field.status_code == 422
    empty_decree = await client.post(CALENDAR, json={**body, "decree": "  "}, headers=admin.headers)
    assert empty_decree.status_code == 422


async def test_only_an_admin_changes_the_calendar(client: httpx.AsyncClient, tokens: TokenFactory) -> None:
    day = plain_weekday(date(2030, 1, 1))
    body = {"day": day.isoformat(), "decree": "Besluit (test)"}
    for role in (Role.ADVISER, Role.SENIOR_ADVISER, Role.COMPANY, Role.SCHOOL):
        caller = await tokens.make(role, school_brin="25LX" if role is Role.SCHOOL else None)
        assert (await client.post(CALENDAR, json=body, headers=caller.headers)).status_code == 403, role
        assert (await client.get(CALENDAR, headers=caller.headers)).status_code == 403, role
        assert (await client.delete(f"{CALENDAR}/{day.isoformat()}", headers=caller.headers)).status_code == 403
    assert (await client.post(CALENDAR, json=body)).status_code == 401
    assert not calendar.DEFAULT.is_holiday(day)


# --- keeping each process current ----------------------------------------------------------------


async def test_a_change_applies_to_this_process_only_when_it_commits(runtime: Runtime, tokens: TokenFactory) -> None:
    admin = as_caller(await tokens.make(Role.ADMIN))
    assert admin.principal_id is not None
    day = plain_weekday(date(2030, 1, 1))
    with pytest.raises(RuntimeError):
        async with runtime.transaction() as session:
            await EquatedHolidayService(session).add(admin, day, "Besluit (test)")
            raise RuntimeError("rolled back")
    assert not calendar.DEFAULT.is_holiday(day)
    assert await audit_rows(runtime, "equated_holiday.added", day, admin.principal_id) == []

    async with runtime.transaction() as session:
        await EquatedHolidayService(session).add(admin, day, "Besluit (test)")
    assert calendar.DEFAULT.is_holiday(day)
    assert len(await audit_rows(runtime, "equated_holiday.added", day, admin.principal_id)) == 1


async def test_the_app_reads_the_table_at_start_and_sees_another_process_change_within_the_interval(
    runtime: Runtime, settings: Settings
) -> None:
    calendar.DEFAULT.set_equated([date(2031, 1, 3)])  # not in the table: the start replaces it
    day = plain_weekday(date(2030, 1, 1))
    app = create_app(settings.model_copy(update={"calendar_refresh_s": 0.05}), runtime)
    async with app.lifespan():
        assert calendar.DEFAULT.equated == set(SHIPPED)  # the (here empty) table and the shipped days
        await insert_elsewhere(runtime, day)
        assert await eventually(lambda: calendar.DEFAULT.is_holiday(day))
    calendar.DEFAULT.set_equated(SHIPPED)
    await asyncio.sleep(0.2)
    assert not calendar.DEFAULT.is_holiday(day)  # stopped with the app


async def test_the_worker_reads_the_table_at_startup(runtime: Runtime, settings: Settings) -> None:
    day = plain_weekday(date(2030, 1, 1))
    await insert_elsewhere(runtime, day)
    ctx: dict[str, Any] = {"settings": settings, "redis": runtime.queue.redis, "logging_configured": True}
    await worker.startup(ctx, handlers=worker.wiring().handlers)
    try:
        assert calendar.DEFAULT.is_holiday(day)
        assert isinstance(ctx["calendar_keeper"], CalendarKeeper)
    finally:
        await worker.shutdown(ctx)
    assert "calendar_keeper" not in ctx


async def test_a_keeper_that_cannot_read_the_table_keeps_what_it_has(settings: Settings) -> None:
    cal = DutchCalendar([date(2030, 6, 12)])
    nowhere = settings.model_copy(update={"database_url": "postgresql+asyncpg://postgres@127.0.0.1:1/none"})
    engine = create_engine(nowhere)
    try:
        keeper = CalendarKeeper(create_session_factory(engine), every_s=60, cal=cal)
        assert await keeper.refresh() is False
    finally:
        await engine.dispose()
    assert cal.equated == {date(2030, 6, 12)}


async def test_a_refresh_that_read_before_a_committed_change_does_not_undo_it(
    runtime: Runtime, tokens: TokenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = as_caller(await tokens.make(Role.ADMIN))
    day = plain_weekday(date(2030, 1, 1))
    keeper = CalendarKeeper(runtime.session_factory, every_s=60)
    stale = calendar_days.load

    async def slow_load(session: Any) -> frozenset[date]:
        days = await stale(session)  # read before the change commits ...
        async with runtime.transaction() as other:
            await EquatedHolidayService(other).add(admin, day, "Besluit (test)")
        return days  # ... and handed back after it

    monkeypatch.setattr(calendar_days, "load", slow_load)
    await keeper.refresh()
    monkeypatch.undo()
    assert calendar.DEFAULT.is_holiday(day)
    await keeper.refresh()
    assert calendar.DEFAULT.is_holiday(day)
