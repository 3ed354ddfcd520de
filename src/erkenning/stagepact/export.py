"""The indicators as JSON (schemas) and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date

from pydantic import BaseModel

from erkenning.stagepact.catalogue import Unit
from erkenning.stagepact.indicators import Cell, Comparison, Row
from erkenning.stagepact.period import Period
from erkenning.stagepact.suppression import THRESHOLD


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


class IndicatorRead(BaseModel):
    section: str
    name: str
    category: str | None
    unit: Unit
    label: str
    current: CellRead
    previous: CellRead
    change: CellRead

    @classmethod
    def of(cls, row: Row) -> IndicatorRead:
        section, name, category = row.key
        return cls(
            section=section, name=name, category=category, unit=row.spec.unit, label=row.spec.label,
            current=CellRead.of(row.current), previous=CellRead.of(row.previous), change=CellRead.of(row.change),
        )


class IndicatorsRead(BaseModel):
    """Every indicator of `period` beside `previous_period`; `suppressed` says whether small numbers are hidden."""

    period: PeriodRead
    previous_period: PeriodRead
    suppressed: bool
    threshold: int
    indicators: list[IndicatorRead]

    @classmethod
    def of(cls, comparison: Comparison, *, suppressed: bool) -> IndicatorsRead:
        return cls(
            period=PeriodRead.of(comparison.period),
            previous_period=PeriodRead.of(comparison.previous),
            suppressed=suppressed,
            threshold=THRESHOLD,
            indicators=[IndicatorRead.of(r) for r in comparison.rows(suppressed=suppressed)],
        )


CSV_COLUMNS = (
    "section", "name", "category", "unit", "label",
    "period_first", "period_last", "current", "previous_first", "previous_last", "previous", "change",
)


def to_csv(comparison: Comparison) -> str:
    """The export that leaves the back office: always suppressed ("<5", "withheld")."""
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
        ])
    return buffer.getvalue()


def csv_filename(period: Period) -> str:
    return f"stagepact-indicatoren-{period.first.isoformat()}-{period.last.isoformat()}.csv"
