"""Schools' reporting points (meldpunten): kept by each school for its own BRIN code, checked by SBB, and
the Stagepact's list of known schools that have none.

A school may read and write only the reporting point of the BRIN code its token holds: for another code
it gets 404 whether or not that school has one, as for every foreign id (authorisation is scoped in the
query), so nothing is learned from the answer. An edit by the school makes the reporting point unchecked
again; a check names the version it saw, so a check of an older version than the one stored is refused (409).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.audit import service as audit
from erkenning.core.auth.models import Principal
from erkenning.core.auth.scope import scoped
from erkenning.core.caller import Caller, Role
from erkenning.core.db import utcnow
from erkenning.core.errors import Forbidden, NotFound, StaleVersion, ValidationFailed
from erkenning.reports.models import Report, ReportingPoint
from erkenning.reports.services.advs import AdvService
from erkenning.reports.structure_schemas import ReportingPointCoverage, ReportingPointWrite, SchoolWithout, valid_brin


def _own(brin: str, caller: Caller) -> str:
    """`brin` checked with python-stdnum's `nl.brin` (422 if it is none), and the caller's own if a school."""
    try:
        code = valid_brin(brin)
    except ValueError as exc:
        raise ValidationFailed([{"field": "brin", "message": str(exc)}]) from None
    if caller.role is Role.SCHOOL and caller.school_brin != code:
        raise NotFound(f"No reporting point registered for {code}")
    return code


class ReportingPointService:
    """Meldpunten of schools."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _row(self, brin: str, caller: Caller, *, for_update: bool = False) -> ReportingPoint | None:
        stmt = scoped(select(ReportingPoint).where(ReportingPoint.brin == brin), ReportingPoint, caller)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.exec(stmt)).first()

    async def get(self, brin: str, caller: Caller) -> ReportingPoint:
        """The reporting point of `brin` (none registered yet, or another school's: NotFound)."""
        brin = _own(brin, caller)
        row = await self._row(brin, caller)
        if row is None:
            raise NotFound(f"No reporting point registered for {brin}")
        return row

    async def save(self, brin: str, data: ReportingPointWrite, caller: Caller) -> tuple[ReportingPoint, bool]:
        """Register or replace the school's own reporting point; it is unchecked again. Returns (row, created)."""
        if caller.role is not Role.SCHOOL:
            raise Forbidden("A reporting point is kept by the school itself")
        brin = _own(brin, caller)
        assert caller.principal_id is not None, "a school caller is a principal"
        row = await self._row(brin, caller, for_update=True)
        created = row is None
        fields: dict[str, Any] = data.model_dump()
        fields["municipality"] = await AdvService(self.session).canonical_municipality(data.municipality)
        if row is None:
            row = ReportingPoint(brin=brin, updated_by=caller.principal_id, **fields)
        else:
            for name, value in fields.items():
                setattr(row, name, value)
            row.version += 1
            row.updated_by, row.updated_at = caller.principal_id, utcnow()
        row.checked_at = row.checked_by = None
        self.session.add(row)
        await self.session.flush()
        await audit.record(self.session, caller, "reporting_point.saved", row,
                           detail={"brin": brin, "version": row.version, "created": created})
        return row, created

    async def check(self, brin: str, version: int, caller: Caller) -> ReportingPoint:
        """SBB marks the reporting point checked, as of the version it read (a later edit: 409)."""
        brin = _own(brin, caller)
        row = await self._row(brin, caller, for_update=True)
        if row is None:
            raise NotFound(f"No reporting point registered for {brin}")
        if row.version != version:
            raise StaleVersion(f"The school changed its reporting point since (version {row.version}); read it again")
        row.checked_at, row.checked_by = utcnow(), caller.principal_id
        self.session.add(row)
        await self.session.flush()
        await audit.record(self.session, caller, "reporting_point.checked", row,
                           detail={"brin": brin, "version": version})
        return row

    async def listing(
        self, *, checked: bool | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[ReportingPoint], int]:
        """Staff: every reporting point by BRIN code, or only the (un)checked ones."""
        stmt = select(ReportingPoint)
        if checked is not None:
            stmt = stmt.where(col(ReportingPoint.checked_at).is_not(None) if checked
                              else col(ReportingPoint.checked_at).is_(None))
        total = (await self.session.exec(select(func.count()).select_from(stmt.subquery()))).one()
        rows = (await self.session.exec(stmt.order_by(col(ReportingPoint.brin)).limit(limit).offset(offset))).all()
        return list(rows), total

    async def coverage(self) -> ReportingPointCoverage:
        """The schools this service knows (an active school token, or a report passed on) and which of them
        registered a reporting point; those without one are listed by BRIN code."""
        tokens = set((await self.session.exec(
            select(Principal.school_brin).where(Principal.role == Role.SCHOOL, col(Principal.active))
            .where(col(Principal.school_brin).is_not(None)).distinct()
        )).all())
        passed_on: dict[str, int] = {
            brin: n for brin, n in (await self.session.exec(
                select(Report.school_brin, func.count()).where(col(Report.school_brin).is_not(None))
                .group_by(col(Report.school_brin))
            )).all() if brin is not None
        }
        points: dict[str, bool] = {brin: checked_at is not None for brin, checked_at in (await self.session.exec(
            select(ReportingPoint.brin, ReportingPoint.checked_at)
        )).all()}
        known = {b for b in tokens if b is not None} | set(passed_on)
        without = [
            SchoolWithout(brin=brin, has_token=brin in tokens, reports_passed_on=passed_on.get(brin, 0))
            for brin in sorted(known - set(points))
        ]
        return ReportingPointCoverage(
            schools_known=len(known), with_reporting_point=len(known & set(points)),
            checked=sum(1 for brin in known if points.get(brin)), without=without,
        )
