"""A company's recognitions drawn as a timeline: one row per recognition, one bar per dated period.

Positions are percentages of the time axis, so the drawing (SVG, styled by the stylesheet: the pages'
CSP allows no inline style) scales with the screen. The drawing is for the eye only; the page shows
the same periods as a table with the dates in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from erkenning.recognition.models import RecognitionStatus
from erkenning.recognition.schemas import RecognitionDetail

_MIN_WIDTH = 0.6  # per cent: a period of a few days stays visible


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    status: RecognitionStatus
    start: date
    end: date | None  # exclusive; None: open-ended
    open_ended: bool


@dataclass(frozen=True)
class Row:
    recognition: RecognitionDetail
    bars: list[Bar]


@dataclass(frozen=True)
class Tick:
    x: float
    label: str

    @property
    def anchor(self) -> str:
        """Where the label hangs from its tick, so that the outermost labels stay inside the drawing."""
        return "start" if self.x <= 0 else "end" if self.x >= 100 else "middle"


@dataclass(frozen=True)
class Chart:
    rows: list[Row]
    ticks: list[Tick]
    today_x: float
    start: date
    end: date

    @property
    def statuses(self) -> list[RecognitionStatus]:
        """The statuses drawn, in the order of the enum (for the legend)."""
        seen = {bar.status for row in self.rows for bar in row.bars}
        return [s for s in RecognitionStatus if s in seen]


def chart(recognitions: Sequence[RecognitionDetail], today: date) -> Chart | None:
    """The timeline of these recognitions from the January before the first period to the January
    after today (or after the last dated end); None when there is nothing to draw."""
    periods = [p for r in recognitions for p in r.periods]
    if not periods:
        return None
    first = min(p.valid_from for p in periods)
    last = max([today, *(p.valid_until for p in periods if p.valid_until is not None)])
    start, end = date(first.year, 1, 1), date(last.year + 1, 1, 1)
    span = (end - start).days

    def x(day: date) -> float:
        return round(100 * (day - start).days / span, 2)

    rows = []
    for recognition in recognitions:
        bars = []
        for period in sorted(recognition.periods, key=lambda p: p.valid_from):
            left, right = x(period.valid_from), x(period.valid_until or end)
            bars.append(Bar(left, round(max(right - left, _MIN_WIDTH), 2), period.status, period.valid_from,
                            period.valid_until, period.valid_until is None))
        rows.append(Row(recognition, bars))
    years = range(start.year, end.year + 1)
    step = max(1, len(years) // 8)  # at most about eight labels on the axis
    ticks = [Tick(x(date(year, 1, 1)), str(year)) for year in years if (year - start.year) % step == 0]
    return Chart(rows, ticks, x(today), start, end)
