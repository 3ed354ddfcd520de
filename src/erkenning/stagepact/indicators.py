"""Indicators for a period beside the period before, exact or with small numbers suppressed, each held
against its target of the period's year where it has one.

`compute()` is what the JSON, the CSV, the yearly report and the web page call:

    comparison = await indicators.compute(session, period, lead_time_weeks=settings.investigation_lead_time_weeks)
    rows = comparison.rows(suppressed=True)     # what may leave the back office; row.goal: target, trend, verdict
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.stagepact import queries, targets
from erkenning.stagepact.catalogue import SPECS, Key, Spec, Unit
from erkenning.stagepact.models import Target
from erkenning.stagepact.period import Period
from erkenning.stagepact.suppression import THRESHOLD, WITHHELD, Reason, hidden_keys
from erkenning.stagepact.targets import Goal


@dataclass(frozen=True)
class Cell:
    """One number as it may be shown: `value` is None when hidden (`text` "<5", "x" or "withheld": see
    `suppression`) or undefined (`text` "": a share of nothing, the median of no cases)."""

    value: float | int | None
    text: str
    suppressed: bool = False

    @classmethod
    def hidden(cls, reason: Reason) -> Cell:
        return cls(None, reason.text, suppressed=True)


@dataclass(frozen=True)
class Row:
    spec: Spec
    current: Cell
    previous: Cell
    change: Cell
    goal: Goal | None = None  # where the figure has a target for the period's year

    @property
    def key(self) -> Key:
        return self.spec.key


def _text(value: float | int | None, unit: Unit) -> str:
    if value is None:
        return ""
    if unit is Unit.COUNT:
        return str(int(value))
    return f"{value:.1f}"


def _cell(spec: Spec, values: dict[Key, Any], hidden: dict[Key, Reason]) -> Cell:
    if spec.key in hidden:
        return Cell.hidden(hidden[spec.key])
    value = values[spec.key]
    return Cell(value, _text(value, spec.unit))


def _change(spec: Spec, current: Cell, previous: Cell) -> Cell:
    if current.suppressed or previous.suppressed:
        return Cell.hidden(Reason.DERIVED)
    if current.value is None or previous.value is None:
        return Cell(None, "")
    delta = current.value - previous.value
    delta = round(delta, 1) if spec.unit is not Unit.COUNT else int(delta)
    return Cell(delta, ("+" if delta > 0 else "") + _text(delta, spec.unit))


@dataclass(frozen=True)
class Comparison:
    """Exact figures of a period and the one before; `rows()` shows them exact or suppressed."""

    period: Period
    previous: Period
    current_values: dict[Key, Any]
    previous_values: dict[Key, Any]
    targets: dict[Key, Target] = field(default_factory=dict)  # those of `target_year`

    @property
    def target_year(self) -> int:
        return targets.target_year(self.period)

    def hidden(self, *, previous: bool = False) -> dict[Key, Reason]:
        return hidden_keys(self.previous_values if previous else self.current_values)

    def rows(self, *, suppressed: bool) -> list[Row]:
        now_hidden = self.hidden() if suppressed else {}
        then_hidden = self.hidden(previous=True) if suppressed else {}
        rows = []
        for spec in SPECS:
            current = _cell(spec, self.current_values, now_hidden)
            previous = _cell(spec, self.previous_values, then_hidden)
            change = _change(spec, current, previous)
            target = self.targets.get(spec.key)
            goal = None
            if target is not None:
                verdict = targets.judge(current.value, current.suppressed, target)
                goal = Goal(target, targets.trend(change.value, change.suppressed), verdict)
            rows.append(Row(spec, current, previous, change, goal))
        return rows


async def compute(session: AsyncSession, period: Period, *, lead_time_weeks: int) -> Comparison:
    previous = period.previous()
    return Comparison(
        period=period,
        previous=previous,
        current_values=await queries.snapshot(session, period, lead_time_weeks=lead_time_weeks),
        previous_values=await queries.snapshot(session, previous, lead_time_weeks=lead_time_weeks),
        targets=await targets.for_year(session, targets.target_year(period)),
    )


__all__ = ["THRESHOLD", "WITHHELD", "Cell", "Comparison", "Row", "compute"]
