"""Admin API for the days equated with general holidays by decree (Atw art. 3(3)).

A change applies at once in the process that made it and reaches every other API process and worker
within `calendar_refresh_s` (see `erkenning.core.calendar_days`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from pydantic import BaseModel, ConfigDict, Field

from erkenning.core import calendar_days
from erkenning.core.calendar_days import EquatedHoliday, EquatedHolidayService
from erkenning.core.caller import Role
from erkenning.http.dependencies import CurrentCaller, provide
from erkenning.http.guards import requires


class EquatedHolidayCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    day: date = Field(description="a working day until now (not a weekend day, not a general holiday)")
    decree: str = Field(min_length=1, max_length=500, description="the decree's title")
    reference: str | None = Field(default=None, max_length=300, description="where it was published (Staatscourant)")


class EquatedHolidayRead(BaseModel):
    day: date
    decree: str
    reference: str | None
    added_by: UUID | None = Field(description="the admin who added it; none for the days shipped with a release")
    added_at: datetime
    shipped: bool = Field(description="shipped with this release: only a release removes it")

    @classmethod
    def of(cls, row: EquatedHoliday) -> EquatedHolidayRead:
        return cls(**row.model_dump(), shipped=calendar_days.is_shipped(row.day))


PROVIDERS = {"equated_days": provide(EquatedHolidayService)}


class CalendarController(Controller):
    path = "/admin/calendar"
    tags = ["admin"]
    guards = [requires(Role.ADMIN)]
    dependencies = PROVIDERS

    @get("/", summary="The days equated with general holidays by decree (Atw art. 3(3)), in date order")
    async def list_(
        self,
        equated_days: NamedDependency[EquatedHolidayService],
        year: Annotated[int | None, QueryParameter(ge=1965, le=2200)] = None,
    ) -> list[EquatedHolidayRead]:
        rows = await equated_days.list_days(year=year)
        return [EquatedHolidayRead.of(r) for r in rows]

    @post(
        "/",
        summary="Equate a day with the general holidays, as a decree does",
        description="Terms computed by this process move past the day at once; every other API process and worker "
        "rereads the days within `CALENDAR_REFRESH_S` (default 300 s). Beyond the schema (422 naming the"
        " rule): the day lies within the years the calendar covers (from 1 April 1965, when the Atw took"
        " effect) and is a working day today (not a Saturday, a Sunday or a general holiday, Atw art. "
        "1); one equated already is a 409.",
    )
    async def add(
        self, data: JSONBody[EquatedHolidayCreate], equated_days: NamedDependency[EquatedHolidayService],
        caller: CurrentCaller,
    ) -> EquatedHolidayRead:
        row = await equated_days.add(caller, data.day, data.decree, data.reference)
        return EquatedHolidayRead.of(row)

    @delete("/{day:date}", summary="Remove a day added by mistake (not one shipped with the release)")
    async def remove(
        self, day: FromPath[date], equated_days: NamedDependency[EquatedHolidayService], caller: CurrentCaller
    ) -> None:
        await equated_days.remove(caller, day)
