"""The indicators as JSON (schemas) and as CSV, each with its target, trend and verdict where it has a target."""

from __future__ import annotations

import csv
import io
from datetime import date

from pydantic import BaseModel, Field

from erkenning import vocabulary
from erkenning.stagepact.catalogue import Unit
from erkenning.stagepact.indicators import Cell, Comparison, Row
from erkenning.stagepact.models import Direction
from erkenning.stagepact.period import Period
from erkenning.stagepact.suppression import THRESHOLD
from erkenning.stagepact.targets import Goal, Trend, Verdict


class PeriodRead(BaseModel):
    first: date
    last: date
    label: str

    @classmethod
    def of(cls, period: Period) -> PeriodRead:
        return cls(first=period.first, last=period.last, label=period.label)


class CellRead(BaseModel):
    value: float | int | None
    text: str
    suppressed: bool

    @classmethod
    def of(cls, cell: Cell) -> CellRead:
        return cls(value=cell.value, text=cell.text, suppressed=cell.suppressed)


class GoalRead(BaseModel):
    """The figure against its target: met, not met, or no data (hidden or undefined: never a verdict on it)."""

    value: float
    direction: Direction
    source: str
    trend: Trend | None = Field(description="against the period before; none when either figure is hidden or missing")
    verdict: Verdict

    @classmethod
    def of(cls, goal: Goal) -> GoalRead:
        t = goal.target
        return cls(value=t.value, direction=t.direction, source=t.source, trend=goal.trend, verdict=goal.verdict)


class IndicatorRead(BaseModel):
    section: str
    name: str
    category: str | None
    unit: Unit
    label: str
    current: CellRead
    previous: CellRead
    change: CellRead
    target: GoalRead | None = Field(description="the target of the period's year, if the indicator has one")

    @classmethod
    def of(cls, row: Row) -> IndicatorRead:
        section, name, category = row.key
        return cls(
            section=section, name=name, category=category, unit=row.spec.unit, label=row.spec.label,
            current=CellRead.of(row.current), previous=CellRead.of(row.previous), change=CellRead.of(row.change),
            target=GoalRead.of(row.goal) if row.goal else None,
        )


class IndicatorsRead(BaseModel):
    """Every indicator of `period` beside `previous_period`; `suppressed` says whether small numbers are hidden."""

    period: PeriodRead
    previous_period: PeriodRead
    suppressed: bool
    threshold: int
    target_year: int = Field(description="the year whose targets apply: the year the period ends in")
    indicators: list[IndicatorRead]

    @classmethod
    def of(cls, comparison: Comparison, *, suppressed: bool) -> IndicatorsRead:
        return cls(
            period=PeriodRead.of(comparison.period),
            previous_period=PeriodRead.of(comparison.previous),
            suppressed=suppressed,
            threshold=THRESHOLD,
            target_year=comparison.target_year,
            indicators=[IndicatorRead.of(r) for r in comparison.rows(suppressed=suppressed)],
        )


CSV_COLUMNS = (
    "section", "name", "category", "unit", "label",
    "period_first", "period_last", "current", "previous_first", "previous_last", "previous", "change",
    "target", "target_direction", "target_source", "trend", "verdict", "verdict_text",
)


def _goal_columns(row: Row) -> list[str]:
    goal = row.goal
    if goal is None:
        return ["", "", "", "", "", ""]
    value = str(int(goal.target.value)) if row.spec.unit is Unit.COUNT else f"{goal.target.value:.1f}"
    return [
        value, goal.target.direction.value, goal.target.source, goal.trend.value if goal.trend else "",
        goal.verdict.value, vocabulary.TARGET_VERDICTS[goal.verdict.value],
    ]


def to_csv(comparison: Comparison) -> str:
    """The export that leaves the back office: always suppressed ("<5", "withheld"); a hidden figure's verdict
    is `no_data`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    now, then = comparison.period, comparison.previous
    for row in comparison.rows(suppressed=True):
        section, name, category = row.key
        writer.writerow([
            section, name, category or "", row.spec.unit.value, row.spec.label,
            now.first.isoformat(), now.last.isoformat(), row.current.text,
            then.first.isoformat(), then.last.isoformat(), row.previous.text, row.change.text.lstrip("+"),
            *_goal_columns(row),
        ])
    return buffer.getvalue()


def csv_filename(period: Period) -> str:
    return f"stagepact-indicatoren-{period.first.isoformat()}-{period.last.isoformat()}.csv"
