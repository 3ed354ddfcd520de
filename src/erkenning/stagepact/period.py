"""Reporting periods: inclusive Dutch calendar dates, their UTC bounds, and the period before.

A period is `[first, last]` in Amsterdam dates, both inclusive. A moment (a `timestamptz`) is in it
when it falls on one of those days in the Netherlands: from 00:00 Amsterdam time on `first` up to,
not including, 00:00 on the day after `last`. Date columns (an objection's filing date, a course
completion date) compare with the dates themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from erkenning.core import clock
from erkenning.core.errors import ValidationFailed

FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years a period may be asked by (API parameters and the page's form)
MAX_DAYS = 366 * 10  # a period longer than ten years is a typo, not a question
SCHOOL_YEAR_START_MONTH = 8  # a school year runs 1 August – 31 July


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=clock.AMSTERDAM)


@dataclass(frozen=True)
class Period:
    """An inclusive range of Dutch calendar dates with a label (`2026`, `2025/2026`, `2026-Q1`, or the dates)."""

    first: date
    last: date
    label: str = ""

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValidationFailed([{"field": "to", "message": "must not be before from"}])
        if self.days > MAX_DAYS:
            raise ValidationFailed([{"field": "to", "message": "a period spans at most ten years"}])
        if not self.label:
            object.__setattr__(self, "label", f"{self.first.isoformat()} – {self.last.isoformat()}")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        """The first moment of the period (00:00 Amsterdam time on `first`), timezone-aware."""
        return _start_of(self.first)

    @property
    def end(self) -> datetime:
        """The first moment after the period (00:00 Amsterdam time on the day after `last`): exclusive."""
        return _start_of(self.last + timedelta(days=1))

    @property
    def whole_months(self) -> int | None:
        """How many calendar months the period spans, when it starts on a 1st and ends on a month's last day."""
        if self.first.day != 1 or (self.last + timedelta(days=1)).day != 1:
            return None
        after = self.last + timedelta(days=1)
        return (after.year - self.first.year) * 12 + after.month - self.first.month

    def previous(self) -> Period:
        """The period of equal length just before: in whole months when the period is whole months
        (so the year before a year, the quarter before a quarter), otherwise in days."""
        months = self.whole_months
        if months is not None:
            first = self.first - relativedelta(months=months)
            return Period(first, self.first - timedelta(days=1), _shift_label(self.label, first, months))
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    # ------------------------------------------------------------- shorthands

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), str(year))

    @classmethod
    def school_year(cls, starting: int) -> Period:
        """The school year that starts on 1 August of `starting` (label `2025/2026`)."""
        first = date(starting, SCHOOL_YEAR_START_MONTH, 1)
        return cls(first, first + relativedelta(years=1) - timedelta(days=1), f"{starting}/{starting + 1}")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if quarter not in (1, 2, 3, 4):
            raise ValidationFailed([{"field": "quarter", "message": "quarter must be 1 to 4"}])
        first = date(year, 3 * quarter - 2, 1)
        return cls(first, first + relativedelta(months=3) - timedelta(days=1), f"{year}-Q{quarter}")


def _shift_label(label: str, first: date, months: int) -> str:
    if months == 12 and label.isdigit():
        return str(first.year)
    if months == 12 and "/" in label:
        return f"{first.year}/{first.year + 1}"
    if months == 3 and "-Q" in label:
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    return ""


def parse(
    *,
    first: date | None = None,
    last: date | None = None,
    year: int | None = None,
    school_year: int | None = None,
    quarter: str | None = None,
) -> Period:
    """The period a request names: `from`+`to`, or `year`, `school_year` (its starting year), or
    `quarter` (`2026-Q1`); exactly one form. Nothing given: the current calendar year."""
    forms = [first is not None or last is not None, year is not None, school_year is not None, quarter is not None]
    if sum(forms) > 1:
        raise ValidationFailed(
            [{"field": "from", "message": "give from and to, or year, or school_year, or quarter (one of them)"}]
        )
    if forms[0]:
        if first is None or last is None:
            raise ValidationFailed([{"field": "from" if first is None else "to", "message": "from and to go together"}])
        return Period(first, last)
    if year is not None:
        return Period.year(year)
    if school_year is not None:
        return Period.school_year(school_year)
    if quarter is not None:
        text = quarter.strip().upper()
        head, _, tail = text.partition("-Q")
        if not (head.isdigit() and len(head) == 4 and tail.isdigit()):
            raise ValidationFailed([{"field": "quarter", "message": "quarter looks like 2026-Q1"}])
        return Period.quarter(int(head), int(tail))
    return Period.year(clock.today().year)
