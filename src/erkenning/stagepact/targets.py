"""The Stagepact's targets: kept by admins per indicator and calendar year, and the verdict on each figure.

An indicator is named by its catalogue key written `section.name` or `section.name.category`
(`course_reach.recognised_share`, `triage.share.referred`). A period is held against the targets of the
year it ends in (a calendar year against its own; a school year 2025/2026 against 2026's).

The verdict is taken on the figure as shown: a hidden figure ("<5", "x", withheld) or one that is not
defined (a share of nothing) gives `no_data`, never met or not met, so a verdict never tells more than
the figure does. The trend compares the figure with the period before in the same view: none when
either is hidden or missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.audit import service as audit
from erkenning.core.caller import Caller
from erkenning.core.db import utcnow
from erkenning.core.errors import NotFound, ValidationFailed
from erkenning.stagepact.catalogue import SPECS, Key, Spec, Unit
from erkenning.stagepact.models import Direction, Target
from erkenning.stagepact.period import Period


def code_of(key: Key) -> str:
    """`("triage", "share", "referred")` → `triage.share.referred`."""
    return ".".join(part for part in key if part is not None)


CODES: dict[str, Spec] = {code_of(spec.key): spec for spec in SPECS}
assert len(CODES) == len(SPECS), "indicator codes must be unique"


def target_year(period: Period) -> int:
    """The year whose targets a period is held against: the year it ends in."""
    return period.last.year


class Verdict(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NO_DATA = "no_data"


class Trend(StrEnum):
    UP = "up"
    DOWN = "down"
    EQUAL = "equal"


def judge(value: float | int | None, hidden: bool, target: Target) -> Verdict:
    """Met, not met, or no data (the figure hidden or undefined: nothing is said about it)."""
    if hidden or value is None:
        return Verdict.NO_DATA
    if target.direction is Direction.AT_LEAST:
        return Verdict.MET if value >= target.value else Verdict.NOT_MET
    return Verdict.MET if value <= target.value else Verdict.NOT_MET


def trend(change: float | int | None, hidden: bool) -> Trend | None:
    """Up, down or equal against the period before; None when the change is hidden or undefined."""
    if hidden or change is None:
        return None
    return Trend.UP if change > 0 else Trend.DOWN if change < 0 else Trend.EQUAL


@dataclass(frozen=True)
class Goal:
    """A figure held against its target: the target, the trend against the period before, the verdict."""

    target: Target
    trend: Trend | None
    verdict: Verdict


async def for_year(session: AsyncSession, year: int) -> dict[Key, Target]:
    """The targets of one year, by figure (a target of an indicator the catalogue no longer has is left out)."""
    rows = (await session.exec(select(Target).where(Target.year == year))).all()
    return {CODES[row.indicator].key: row for row in rows if row.indicator in CODES}


def _check(spec: Spec | None, indicator: str, value: float) -> Spec:
    if spec is None:
        raise ValidationFailed([{"field": "indicator", "message": f"no indicator {indicator!r} in the catalogue"}])
    if spec.unit is Unit.PERCENT and value > 100:
        raise ValidationFailed([{"field": "value", "message": "a percentage is at most 100"}])
    if spec.unit is Unit.COUNT and value != int(value):
        raise ValidationFailed([{"field": "value", "message": "a count is a whole number"}])
    return spec


class TargetService:
    """Doelstellingen of the Stagepact, kept by admins; every change audited."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_targets(self, *, year: int | None = None) -> list[Target]:
        stmt = select(Target).order_by(col(Target.year), col(Target.indicator))
        if year is not None:
            stmt = stmt.where(Target.year == year)
        return list((await self.session.exec(stmt)).all())

    async def _get(self, indicator: str, year: int, *, for_update: bool = False) -> Target | None:
        stmt = select(Target).where(Target.indicator == indicator, Target.year == year)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.exec(stmt)).first()

    async def put(
        self, indicator: str, year: int, *, value: float, direction: Direction, source: str, caller: Caller
    ) -> Target:
        """Set the target of one indicator for one year (create it, or replace what it said)."""
        _check(CODES.get(indicator), indicator, value)
        row = await self._get(indicator, year, for_update=True)
        created = row is None
        if row is None:
            row = Target(indicator=indicator, year=year, value=value, direction=direction, source=source)
        else:
            row.value, row.direction, row.source, row.updated_at = value, direction, source, utcnow()
        row.updated_by = caller.principal_id
        self.session.add(row)
        await self.session.flush()
        detail: dict[str, Any] = {
            "indicator": indicator, "year": year, "value": value, "direction": direction.value, "created": created,
        }
        await audit.record(self.session, caller, "stagepact_target.set", row, detail=detail)
        return row

    async def delete(self, indicator: str, year: int, caller: Caller) -> None:
        row = await self._get(indicator, year, for_update=True)
        if row is None:
            raise NotFound(f"No target for {indicator} in {year}")
        await self.session.delete(row)
        await self.session.flush()
        await audit.record(
            self.session, caller, "stagepact_target.deleted", row, detail={"indicator": indicator, "year": year}
        )
