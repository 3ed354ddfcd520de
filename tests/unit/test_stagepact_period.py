"""Periods: shorthands, the period before, Amsterdam day bounds, and what a request may name."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from erkenning.core.errors import ValidationFailed
from erkenning.stagepact.period import Period, parse


@pytest.mark.parametrize(
    ("period", "first", "last", "label"),
    [
        (Period.year(2024), date(2024, 1, 1), date(2024, 12, 31), "2024"),
        (Period.school_year(2025), date(2025, 8, 1), date(2026, 7, 31), "2025/2026"),
        (Period.quarter(2026, 1), date(2026, 1, 1), date(2026, 3, 31), "2026-Q1"),
        (Period.quarter(2026, 4), date(2026, 10, 1), date(2026, 12, 31), "2026-Q4"),
    ],
)
def test_shorthands_name_whole_calendar_stretches(period: Period, first: date, last: date, label: str) -> None:
    assert (period.first, period.last, period.label) == (first, last, label)


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        (Period.year(2025), Period.year(2024)),
        (Period.year(2024), Period.year(2023)),  # a leap year's predecessor is the year, not 366 days
        (Period.quarter(2026, 1), Period.quarter(2025, 4)),
        (Period.quarter(2025, 3), Period.quarter(2025, 2)),
        (Period.school_year(2025), Period.school_year(2024)),
        (Period(date(2025, 2, 1), date(2025, 2, 28)), Period(date(2025, 1, 1), date(2025, 1, 31))),
        (Period(date(2025, 3, 10), date(2025, 3, 19)), Period(date(2025, 2, 28), date(2025, 3, 9))),
        (Period(date(2025, 1, 1), date(2025, 1, 1)), Period(date(2024, 12, 31), date(2024, 12, 31))),
    ],
)
def test_the_previous_period_has_equal_length_in_months_or_days(period: Period, previous: Period) -> None:
    before = period.previous()
    assert (before.first, before.last) == (previous.first, previous.last)
    assert before.label == previous.label


def test_a_period_runs_from_midnight_to_midnight_in_amsterdam() -> None:
    winter, summer = Period.year(2026), Period(date(2026, 7, 1), date(2026, 7, 31))
    assert winter.start == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)  # CET, UTC+1
    assert winter.end == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    assert summer.start == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)  # CEST, UTC+2
    assert summer.end == datetime(2026, 7, 31, 22, 0, tzinfo=UTC)


def test_parse_takes_exactly_one_form() -> None:
    assert parse(first=date(2026, 1, 5), last=date(2026, 2, 5)).days == 32
    assert parse(year=2026) == Period.year(2026)
    assert parse(school_year=2025) == Period.school_year(2025)
    assert parse(quarter="2026-q2") == Period.quarter(2026, 2)
    for bad in (
        {"first": date(2026, 1, 1)},
        {"year": 2026, "quarter": "2026-Q1"},
        {"first": date(2026, 2, 1), "last": date(2026, 1, 1)},
        {"first": date(2000, 1, 1), "last": date(2026, 1, 1)},
        {"quarter": "2026-Q5"},
    ):
        with pytest.raises(ValidationFailed):
            parse(**bad)
