from datetime import date

import pytest

from erkenning.core import calendar
from erkenning.core.calendar import DutchCalendar


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday + 1 → Monday
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # from a Saturday
        (date(2026, 11, 30), 10, date(2026, 12, 14)),  # two plain weeks
        (date(2026, 4, 2), 1, date(2026, 4, 3)),  # Good Friday is a working day under the Atw
        (date(2026, 4, 3), 1, date(2026, 4, 7)),  # Easter Monday skipped
        (date(2026, 4, 24), 1, date(2026, 4, 28)),  # King's Day (Mon 27 April) skipped
        (date(2026, 5, 4), 1, date(2026, 5, 6)),  # Liberation Day counts every year
        (date(2026, 5, 13), 1, date(2026, 5, 15)),  # Ascension Day
        (date(2026, 5, 22), 1, date(2026, 5, 26)),  # Whit Monday
        (date(2026, 12, 24), 1, date(2026, 12, 28)),  # Christmas, Boxing Day, weekend
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # New Year's Day, then the weekend
        (date(2026, 12, 23), 7, date(2027, 1, 5)),  # across the whole holiday season
        (date(2026, 6, 1), 0, date(2026, 6, 1)),
    ],
)
def test_add_working_days(start: date, n: int, expected: date) -> None:
    assert calendar.add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (date(2026, 9, 1), date(2026, 10, 13)),  # plain: six weeks to the day
        (date(2026, 11, 13), date(2026, 12, 28)),  # ends on Christmas → the Monday after the weekend
        (date(2026, 3, 7), date(2026, 4, 20)),  # ends on a Saturday → Monday
        (date(2026, 3, 16), date(2026, 4, 28)),  # ends on King's Day → Tuesday
        (date(2026, 2, 23), date(2026, 4, 7)),  # ends on Easter Monday → Tuesday
        (date(2026, 2, 20), date(2026, 4, 3)),  # ends on Good Friday: not an Atw holiday, stays
        (date(2026, 11, 20), date(2027, 1, 4)),  # ends on New Year's Day (Fri) → Monday
        (date(2027, 3, 24), date(2027, 5, 7)),  # ends on 5 May, then Ascension Day (6 May) → Friday
    ],
)
def test_six_week_objection_term(sent: date, expected: date) -> None:
    end = calendar.term_end(sent, weeks=6)
    assert end == expected
    assert calendar.is_working_day(end)


def test_short_term_keeps_two_working_days() -> None:
    # Atw art. 2: a 3-day term from Christmas Eve ends on Sunday → Monday, but needs two working days.
    assert calendar.term_end(date(2026, 12, 24), days=3) == date(2026, 12, 29)


def test_holidays_of_the_atw() -> None:
    assert calendar.DEFAULT.is_holiday(date(2025, 4, 26))  # King's Day on Saturday when 27 April is a Sunday
    assert calendar.DEFAULT.is_holiday(date(2026, 5, 5))
    assert not calendar.DEFAULT.is_holiday(date(2026, 4, 3))  # Good Friday
    assert not calendar.is_working_day(date(2026, 11, 28))  # Saturday


def test_extra_closed_days_are_configurable() -> None:
    cal = DutchCalendar(extra_closed=[date(2026, 12, 31)])
    assert cal.add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 4)


def test_working_days_between() -> None:
    assert calendar.working_days_between(date(2026, 12, 23), date(2027, 1, 5)) == 7
    assert calendar.working_days_between(date(2027, 1, 5), date(2026, 12, 23)) == -7
