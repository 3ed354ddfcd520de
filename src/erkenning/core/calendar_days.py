"""The days equated with general holidays by decree (Atw art. 3(3)): their table, the admins' changes, and
keeping each process's calendar (`calendar.DEFAULT`) current.

Decrees are published years ahead (about every three years, in the Staatscourant). The migration loads
the days shipped with the release; an admin adds the next decree's days through the API before a
release ships them. Every API process and worker reads the table at start and again every
`calendar_refresh_s` seconds (`CalendarKeeper`); the process that changes the table applies the change
at once, after its commit. So other processes see an admin's change within that interval, long before
the day itself comes. The calendar counts the table's days and the shipped days (which cannot be
removed here), so a process that cannot read the table still knows the shipped ones.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import calendar, clock
from erkenning.core.audit import service as audit
from erkenning.core.caller import Caller
from erkenning.core.db import ErkenningSession, timestamp_field
from erkenning.core.errors import Conflict, NotFound, ValidationFailed
from erkenning.core.logging import get_logger

log = get_logger(__name__)

_CHANGES = "calendar.changes"
EARLIEST = date(1965, 4, 1)  # the Atw took effect
YEARS_AHEAD = 10  # a decree comes about three years ahead: a day further off is a typo
_WEEKEND = {5: "Saturday", 6: "Sunday"}
_RETRY_FAILED_S = 30.0


class EquatedHoliday(SQLModel, table=True):
    """A day equated with the general holidays by decree (gelijkgestelde dag, Atw art. 3(3)).

    `added_by` is the admin who added it; None for the days the migration loaded.
    """

    __tablename__ = "equated_holiday"

    day: date = Field(primary_key=True)
    decree: str = Field(max_length=500, description="the decree's title")
    reference: str | None = Field(default=None, max_length=300, description="where it was published")
    added_by: UUID | None = Field(default=None)
    added_at: datetime = timestamp_field(default_now=True)


class AlreadyEquated(Conflict):
    type = "already-equated"
    title = "This day is already equated with a general holiday"


class ShippedDay(Conflict):
    type = "shipped-day"
    title = "This day ships with the release; only a release removes it"


@cache
def shipped_days() -> frozenset[date]:
    return frozenset(d.day for d in calendar.shipped_equated_days())


def is_shipped(day: date) -> bool:
    return day in shipped_days()


async def load(session: AsyncSession) -> frozenset[date]:
    """The days the calendar counts as equated: the table's and the shipped ones."""
    rows = await session.exec(select(col(EquatedHoliday.day)))
    return frozenset(rows.all()) | shipped_days()


# ------------------------------------------------------------------ changes, applied after commit


_applied = 0  # changes this process applied after their commit (a refresh read before one is stale)


def _note(session: AsyncSession, day: date, *, equated: bool) -> None:
    session.info.setdefault(_CHANGES, []).append((day, equated))


@event.listens_for(ErkenningSession, "after_commit")
def _apply_committed(session: Session) -> None:
    global _applied
    changes: list[tuple[date, bool]] = session.info.pop(_CHANGES, [])
    if not changes:
        return
    days = set(calendar.DEFAULT.equated)
    for day, equated in changes:
        if equated:
            days.add(day)
        else:
            days.discard(day)
    calendar.DEFAULT.set_equated(days)
    _applied += 1
    log.info("calendar.equated_days_changed", days=len(days))


@event.listens_for(ErkenningSession, "after_transaction_end")
def _drop_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CHANGES, None)


# ------------------------------------------------------------------ keeping a process current


class CalendarKeeper:
    """Reads the table into a calendar now and every `every_s` seconds, until stopped."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        every_s: float,
        cal: calendar.DutchCalendar | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.every_s = every_s
        self.calendar = cal or calendar.DEFAULT
        self._task: asyncio.Task[None] | None = None

    async def refresh(self) -> bool:
        """Read the table into the calendar; False (and the calendar unchanged) when it cannot be read."""
        seen = _applied
        try:
            async with self.session_factory() as session:
                days = await load(session)
        except Exception as exc:  # the database away: keep what we have, try again soon
            log.warning("calendar.refresh_failed", error=type(exc).__name__)
            return False
        if seen == _applied and days != self.calendar.equated:  # else a change committed meanwhile: next time
            self.calendar.set_equated(days)
            log.info("calendar.equated_days_loaded", days=len(days))
        return True

    async def start(self) -> CalendarKeeper:
        loaded = await self.refresh()
        self._task = asyncio.create_task(self._run(loaded), name="calendar-keeper")
        return self

    async def _run(self, loaded: bool) -> None:
        while True:
            await asyncio.sleep(self.every_s if loaded else min(self.every_s, _RETRY_FAILED_S))
            loaded = await self.refresh()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def keep_current(session_factory: async_sessionmaker[AsyncSession], *, every_s: float) -> CalendarKeeper:
    """Start keeping this process's calendar current (app lifespan, worker startup); `stop()` it at the end."""
    return await CalendarKeeper(session_factory, every_s=every_s).start()


# ------------------------------------------------------------------ the admins' changes


class EquatedHolidayService:
    """The table of decree days (Atw art. 3(3)): list, add the next decree's days, remove a mistake."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_days(self, *, year: int | None = None) -> list[EquatedHoliday]:
        stmt = select(EquatedHoliday).order_by(col(EquatedHoliday.day))
        if year is not None:
            stmt = stmt.where(col(EquatedHoliday.day).between(date(year, 1, 1), date(year, 12, 31)))
        return list((await self.session.exec(stmt)).all())

    async def add(self, caller: Caller, day: date, decree: str, reference: str | None = None) -> EquatedHoliday:
        """Equate `day` with the general holidays; it must be a working day until now."""
        _refuse_as_equated(day)
        existing = await self.session.get(EquatedHoliday, day)
        if existing is not None or is_shipped(day):
            title = existing.decree if existing is not None else "a decree shipped with this release"
            raise AlreadyEquated(f"{day.isoformat()} is already equated with a general holiday, by {title}")
        row = EquatedHoliday(day=day, decree=decree, reference=reference, added_by=caller.principal_id)
        self.session.add(row)
        try:
            async with self.session.begin_nested():
                await self.session.flush()
        except IntegrityError:  # another admin added it at the same moment
            raise AlreadyEquated(f"{day.isoformat()} is already equated with a general holiday") from None
        await audit.record(self.session, caller, "equated_holiday.added", **_ref(day))
        _note(self.session, day, equated=True)
        return row

    async def remove(self, caller: Caller, day: date) -> None:
        """Remove a day added by mistake (the shipped days stay: a release corrects those)."""
        if is_shipped(day):
            raise ShippedDay(f"{day.isoformat()} ships with this release (an Atw art. 3(3) decree): not removable here")
        row = await self.session.get(EquatedHoliday, day, with_for_update=True)
        if row is None:
            raise NotFound(f"{day.isoformat()} is not a day equated with a general holiday")
        await self.session.delete(row)
        await self.session.flush()
        await audit.record(self.session, caller, "equated_holiday.removed", **_ref(day))
        _note(self.session, day, equated=False)


def _ref(day: date) -> dict[str, Any]:
    return {"object_type": "equated_holiday", "object_id": day.isoformat()}


def _refuse_as_equated(day: date) -> None:
    """A decree equates working days: refuse a weekend day, a general holiday, a day out of any decree's reach."""
    problem: str | None = None
    latest = clock.today() + timedelta(days=365 * YEARS_AHEAD)
    if not EARLIEST <= day <= latest:
        problem = f"{day.isoformat()} is outside {EARLIEST.isoformat()} (the Atw took effect) to {latest.isoformat()}"
    elif day.weekday() in _WEEKEND:
        problem = f"{day.isoformat()} is a {_WEEKEND[day.weekday()]}: not a working day already (Atw art. 1)"
    elif name := calendar.general_holiday_name(day):
        problem = f"{day.isoformat()} is already a general holiday: {name} (Atw art. 3(1), 3(2))"
    if problem:
        raise ValidationFailed([{"field": "day", "message": problem}])

