"""Working days and statutory terms under Dutch rules (Algemene termijnenwet, Atw).

A non-working day is a Saturday, a Sunday or an "algemeen erkende feestdag" of Atw art. 3:
New Year's Day, Easter Monday, Whit Monday, Christmas and Boxing Day, Ascension Day, King's Day
and 5 May (every year, not only in lustrum years). Good Friday is not one of them. The list comes
from the `holidays` package, corrected to the Atw's list; extra days (an Atw art. 3(2) decree)
can be added.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.easter import easter

_DAY = timedelta(days=1)


@lru_cache(maxsize=64)
def atw_holidays(year: int) -> frozenset[date]:
    """The Atw's generally recognised public holidays of one year."""
    days = set(holidays.country_holidays("NL", years=year).keys())
    days.discard(easter(year) - 2 * _DAY)  # Good Friday: a holiday to the package, not to the Atw
    days.add(date(year, 5, 5))  # Liberation Day counts every year under the Atw
    return frozenset(days)


class DutchCalendar:
    """Working-day arithmetic; `extra_closed` adds days that are not working days for this service."""

    def __init__(self, extra_closed: Iterable[date] = ()) -> None:
        self.extra_closed = frozenset(extra_closed)

    def is_holiday(self, day: date) -> bool:
        return day in atw_holidays(day.year) or day in self.extra_closed

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, otherwise the first working day after it."""
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
        """Last day of a statutory term that starts the day after `start` (art. 6:8 Awb style).

        A term ending on a Saturday, Sunday or holiday runs to the next working day (Atw art. 1);
        a term of at least three days holds at least two working days (Atw art. 2).
        """
        length = days + 7 * weeks
        if length <= 0:
            raise ValueError("a term must be at least one day")
        end = self.next_working_day(start + length * _DAY)
        if length >= 3:
            while self.working_days_between(start, end) < 2:
                end = self.next_working_day(end + _DAY)
        return end


DEFAULT = DutchCalendar()
is_working_day = DEFAULT.is_working_day
add_working_days = DEFAULT.add_working_days
working_days_between = DEFAULT.working_days_between
term_end = DEFAULT.term_end
next_working_day = DEFAULT.next_working_day
