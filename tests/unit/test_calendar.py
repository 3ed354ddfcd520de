"""The Algemene termijnenwet calendar, pure: the decree days (Atw art. 3(3)) are given to it directly."""

from datetime import date

import pytest

from erkenning.core import calendar
from erkenning.core.calendar import DutchCalendar

# Atw art. 3(3): the days the decree for 2026, 2027 and 2028 equates with the general holidays.
DECREE_DAYS = [date(2026, 1, 2), date(2026, 5, 15), date(2027, 5, 7), date(2028, 4, 28), date(2028, 5, 26)]
CAL = DutchCalendar(equated=DECREE_DAYS)
NO_DECREE = DutchCalendar()


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday + 1 → Monday
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # from a Saturday
        (date(2026, 11, 30), 10, date(2026, 12, 14)),  # two plain weeks
        (date(2026, 4, 2), 1, date(2026, 4, 7)),  # Good Friday, the weekend and Easter Monday skipped
        (date(2026, 4, 24), 1, date(2026, 4, 28)),  # King's Day (Mon 27 April) skipped
        (date(2026, 5, 4), 1, date(2026, 5, 6)),  # Liberation Day counts every year
        (date(2026, 5, 13), 1, date(2026, 5, 18)),  # Ascension Day, then 15 May (decree), then the weekend
        (date(2026, 5, 22), 1, date(2026, 5, 26)),  # Whit Monday
        (date(2026, 12, 24), 1, date(2026, 12, 28)),  # Christmas, Boxing Day, weekend
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # New Year's Day, then the weekend
        (date(2026, 12, 23), 7, date(2027, 1, 5)),  # across the whole holiday season
        (date(2025, 12, 31), 1, date(2026, 1, 5)),  # New Year's Day, 2 January 2026 (decree), the weekend
        (date(2026, 6, 1), 0, date(2026, 6, 1)),
    ],
)
def test_add_working_days(start: date, n: int, expected: date) -> None:
    assert CAL.add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (date(2026, 9, 1), date(2026, 10, 13)),  # plain: six weeks to the day
        (date(2026, 11, 13), date(2026, 12, 28)),  # ends on Christmas → the Monday after the weekend
        (date(2026, 3, 7), date(2026, 4, 20)),  # ends on a Saturday → Monday
        (date(2026, 3, 16), date(2026, 4, 28)),  # ends on King's Day → Tuesday
        (date(2026, 2, 23), date(2026, 4, 7)),  # ends on Easter Monday → Tuesday
        (date(2026, 2, 20), date(2026, 4, 7)),  # ends on Good Friday → weekend, Easter Monday → Tuesday
        (date(2026, 11, 20), date(2027, 1, 4)),  # ends on New Year's Day (Fri) → Monday
        (date(2025, 11, 20), date(2026, 1, 5)),  # ends on New Year's Day (Thu) → 2 Jan (decree), weekend → Monday
        (date(2026, 4, 2), date(2026, 5, 18)),  # ends on Ascension Day → 15 May (decree), weekend → Monday
        (date(2026, 4, 3), date(2026, 5, 18)),  # ends on 15 May 2026 (decree) → Monday
        (date(2027, 3, 24), date(2027, 5, 10)),  # ends on 5 May → Ascension Day, 7 May (decree), weekend → Monday
        (date(2028, 3, 16), date(2028, 5, 1)),  # ends on King's Day → 28 April 2028 (decree), weekend → Monday
        (date(2028, 4, 13), date(2028, 5, 29)),  # ends on Ascension Day → 26 May 2028 (decree), weekend → Monday
    ],
)
def test_six_week_objection_term(sent: date, expected: date) -> None:
    end = CAL.term_end(sent, weeks=6)
    assert end == expected
    assert CAL.is_working_day(end)


def test_a_decree_day_moves_the_end_of_a_term_only_when_the_calendar_has_it() -> None:
    # Awb art. 6:7/6:8: sent on Good Friday 2026, the six weeks end on 15 May 2026, a decree day.
    assert NO_DECREE.term_end(date(2026, 4, 3), weeks=6) == date(2026, 5, 15)
    assert CAL.term_end(date(2026, 4, 3), weeks=6) == date(2026, 5, 18)


def test_short_term_keeps_two_working_days() -> None:
    # Atw art. 2: a 3-day term from Christmas Eve ends on Sunday → Monday, but needs two working days.
    assert CAL.term_end(date(2026, 12, 24), days=3) == date(2026, 12, 29)


def test_three_day_term_over_a_weekend_holds_two_working_days() -> None:
    # Atw art. 2: from Friday 4 December 2026, three days end on Monday; only Monday is a working day in
    # the term, so it runs to Tuesday. From the Thursday before, Friday and Monday are two: Monday it is.
    assert CAL.term_end(date(2026, 12, 4), days=3) == date(2026, 12, 8)
    assert CAL.term_end(date(2026, 12, 3), days=3) == date(2026, 12, 7)


def test_three_day_term_from_easter_thursday_runs_past_the_whole_weekend() -> None:
    # Thursday 2 April 2026 + 3 days = Easter Sunday → Easter Monday, Good Friday: holidays; Tuesday is the
    # first working day, Wednesday the second (Atw art. 1 then art. 2).
    assert CAL.term_end(date(2026, 4, 2), days=3) == date(2026, 4, 8)


@pytest.mark.parametrize("good_friday", [date(2025, 4, 18), date(2026, 4, 3), date(2027, 3, 26), date(2028, 4, 14),
                                         date(2030, 4, 19)])
def test_good_friday_is_a_holiday(good_friday: date) -> None:
    # Atw art. 3(2) puts Good Friday on a par with the general holidays.
    assert good_friday.weekday() == 4
    assert NO_DECREE.is_holiday(good_friday)
    assert not NO_DECREE.is_working_day(good_friday)
    assert calendar.general_holiday_name(good_friday) is not None


@pytest.mark.parametrize("year", range(2024, 2032))
def test_liberation_day_is_a_holiday_every_year(year: int) -> None:
    assert NO_DECREE.is_holiday(date(year, 5, 5))


def test_kings_day_is_the_26th_when_the_27th_is_a_sunday() -> None:
    assert date(2025, 4, 27).weekday() == 6
    assert NO_DECREE.is_holiday(date(2025, 4, 26))
    assert date(2025, 4, 27) not in calendar.atw_holidays(2025)  # a Sunday anyway, not King's Day
    assert NO_DECREE.is_holiday(date(2026, 4, 27)) and not NO_DECREE.is_holiday(date(2026, 4, 26))
    assert NO_DECREE.is_holiday(date(2031, 4, 26))  # 27 April 2031 is a Sunday too


def test_the_general_holidays_of_2026_are_exactly_the_atws() -> None:
    # Atw art. 3(1) and 3(2); Easter Sunday and Whit Sunday are listed too (Sundays anyway). Pinned, so
    # that a new release of the `holidays` package cannot change the list unnoticed.
    assert calendar.atw_holidays(2026) == {
        date(2026, 1, 1),  # New Year's Day
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 5),  # Easter Sunday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 4, 27),  # King's Day
        date(2026, 5, 5),  # 5 May
        date(2026, 5, 14),  # Ascension Day
        date(2026, 5, 24),  # Whit Sunday
        date(2026, 5, 25),  # Whit Monday
        date(2026, 12, 25),  # Christmas Day
        date(2026, 12, 26),  # Boxing Day
    }


@pytest.mark.parametrize("day", DECREE_DAYS)
def test_decree_days_are_holidays_only_when_given(day: date) -> None:
    assert day.weekday() == 4  # each a Friday after a holiday: the bridge day
    assert CAL.is_holiday(day) and not CAL.is_working_day(day)
    assert NO_DECREE.is_working_day(day)
    assert day not in calendar.atw_holidays(day.year) and calendar.general_holiday_name(day) is None


def test_decree_days_can_be_replaced() -> None:
    cal = DutchCalendar(equated=[date(2026, 12, 31)])
    assert cal.add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 4)
    cal.set_equated([])
    assert cal.add_working_days(date(2026, 12, 30), 1) == date(2026, 12, 31)
    assert cal.equated == frozenset()


def test_the_shipped_decree_days_are_the_defaults() -> None:
    shipped = calendar.shipped_equated_days()
    assert [d.day for d in shipped] == DECREE_DAYS
    assert all("Algemene termijnenwet" in d.decree and d.reference for d in shipped)
    assert calendar.DEFAULT.equated >= set(DECREE_DAYS)


def test_working_days_between() -> None:
    assert CAL.working_days_between(date(2026, 12, 23), date(2027, 1, 5)) == 7
    assert CAL.working_days_between(date(2027, 1, 5), date(2026, 12, 23)) == -7
    assert CAL.working_days_between(date(2026, 4, 2), date(2026, 4, 7)) == 1  # Good Friday, Easter Monday
