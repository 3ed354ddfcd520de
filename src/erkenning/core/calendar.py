"""Working days and statutory terms under the Algemene termijnenwet (Atw).

A term that ends on a Saturday, a Sunday or a general holiday ("algemeen erkende feestdag") runs to the
next day that is none of these (Atw art. 1); a term of three days or more holds at least two such days
(Atw art. 2). The general holidays:

* Atw art. 3(1): New Year's Day, Easter Monday, Ascension Day, Whit Monday, Christmas Day and Boxing
  Day, King's Day (27 April, or 26 April when the 27th is a Sunday) and 5 May, every year (Easter
  Sunday and Whit Sunday are Sundays anyway);
* Atw art. 3(2): Good Friday, put on a par with them;
* Atw art. 3(3): the days the government equates with them by decree, published in the Staatscourant
  every few years. These are data: shipped in `atw_equated_days.json`, kept in the `equated_holiday`
  table, and handed to a calendar as `equated` (`erkenning.core.calendar_days` keeps each process's
  `DEFAULT` current).

The module-level functions use `DEFAULT`, which counts the shipped days from the start.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache
from importlib import resources

import holidays
from dateutil.easter import easter

_DAY = timedelta(days=1)
SHIPPED_FILE = "atw_equated_days.json"


@lru_cache(maxsize=64)
def _general_holidays(year: int) -> dict[date, str]:
    days = dict(holidays.country_holidays("NL", years=year, language="en_US"))
    # The package's list differs from the Atw's: fix both ends whatever its version says.
    days[easter(year) - 2 * _DAY] = "Good Friday (Atw art. 3(2))"
    days[date(year, 5, 5)] = "Liberation Day (5 May, every year)"  # the package has it in lustrum years only
    return days


def atw_holidays(year: int) -> frozenset[date]:
    """The general holidays of one year: Atw art. 3(1) and Good Friday (art. 3(2)); no decree days."""
    return frozenset(_general_holidays(year))


def general_holiday_name(day: date) -> str | None:
    """The name of the general holiday (Atw art. 3(1), 3(2)) on `day`, or None."""
    return _general_holidays(day.year).get(day)


@dataclass(frozen=True, slots=True)
class EquatedDay:
    """A day equated with a general holiday by decree (Atw art. 3(3)), and the decree."""

    day: date
    decree: str
    reference: str | None = None


@cache
def shipped_equated_days() -> tuple[EquatedDay, ...]:
    """The decree days shipped with this release (`atw_equated_days.json`), in date order."""
    raw = json.loads(resources.files("erkenning.core").joinpath(SHIPPED_FILE).read_text(encoding="utf-8"))
    days = (EquatedDay(date.fromisoformat(d["day"]), d["decree"], d.get("reference")) for d in raw["days"])
    return tuple(sorted(days, key=lambda d: d.day))


class DutchCalendar:
    """Working-day arithmetic under the Atw; `equated` are the decree days of Atw art. 3(3)."""

    def __init__(self, equated: Iterable[date] = ()) -> None:
        self._equated = frozenset(equated)

    @property
    def equated(self) -> frozenset[date]:
        return self._equated

    def set_equated(self, days: Iterable[date]) -> None:
        """Replace the decree days (one assignment: a reader sees the old set or the new one)."""
        self._equated = frozenset(days)

    def is_holiday(self, day: date) -> bool:
        """A general holiday (Atw art. 3(1)), Good Friday (art. 3(2)) or a day equated by decree (art. 3(3))."""
        return day in self._equated or day in _general_holidays(day.year)

    def is_working_day(self, day: date) -> bool:
        """Neither a Saturday, a Sunday nor a holiday of `is_holiday` (the days Atw art. 1 and 2 count)."""
        return day.weekday() < 5 and not self.is_holiday(day)

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, otherwise the first working day after it (Atw art. 1)."""
        while not self.is_working_day(day):
            day += _DAY
        return day

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (start itself is not counted); n >= 0."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day = start
        while n:
            day += _DAY
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when end is before start)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for i in range(1, (end - start).days + 1) if self.is_working_day(start + i * _DAY))

    def term_end(self, start: date, *, days: int = 0, weeks: int = 0) -> date:
        """Last day of a statutory term that starts on the day after `start`.

        The term starts the day after the event (Awb art. 6:8: the objection term of art. 6:7 starts the
        day after the decision is sent). A term ending on a Saturday, Sunday or general holiday runs to the
        next day that is none of these (Atw art. 1); a term of at least three days holds at least two
        such days (Atw art. 2).
        """
        length = days + 7 * weeks
        if length <= 0:
            raise ValueError("a term must be at least one day")
        end = self.next_working_day(start + length * _DAY)
        if length >= 3:
            while self.working_days_between(start, end) < 2:
                end = self.next_working_day(end + _DAY)
        return end


# The calendar of this process: the shipped decree days now, the table's once `calendar_days` has read it.
DEFAULT = DutchCalendar(d.day for d in shipped_equated_days())
is_working_day = DEFAULT.is_working_day
add_working_days = DEFAULT.add_working_days
working_days_between = DEFAULT.working_days_between
term_end = DEFAULT.term_end
next_working_day = DEFAULT.next_working_day
