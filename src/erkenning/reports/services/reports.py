"""Reports after intake: find, assign, match to a company, triage, read the confidential part, close, erase.

The investigation workflow (erkenning.workflows) uses: `ReportService.reports_of_company`,
`ReportService.get` (with `Caller.system()`), and `ReportService.mark_closed` when its case closes.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.companies.models import Company
from erkenning.core import outbox, paging, states
from erkenning.core.audit import service as audit
from erkenning.core.auth.models import Principal
from erkenning.core.auth.scope import get_scoped, scoped
from erkenning.core.caller import ADVISER_ROLES, Caller
from erkenning.core.db import utcnow
from erkenning.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from erkenning.core.logging import get_logger
from erkenning.core.settings import Settings
from erkenning.reports.models import (
    Channel,
    Ground,
    ReadPurpose,
    ReferralBody,
    Report,
    ReportConfidential,
    ReportStatus,
)
from erkenning.reports.states import CLOSING, MATCHABLE, OUTCOMES, TRANSITIONS, handles

if TYPE_CHECKING:
    from erkenning.core.runtime import Runtime

log = get_logger(__name__)

S = ReportStatus
SUBSTANTIATED_TOPIC = "report.substantiated"
CONFIDENTIAL_READ = "report.confidential_read"


@dataclass(frozen=True)
class ReportFilter:
    status: ReportStatus | None = None
    statuses: tuple[ReportStatus, ...] = ()  # any of these (with `status`: both must hold)
    ground: Ground | None = None
    channel: Channel | None = None
    company_id: UUID | None = None
    assigned_to: UUID | None = None
    unassigned: bool = False
    received_from: date | None = None
    received_until: date | None = None  # inclusive


@dataclass(frozen=True)
class ReportView:
    """One report as the triage screen shows it."""

    report: Report
    has_confidential: bool
    other_reports_recent: int | None
    repeat_flag: bool
    may_read_confidential: bool
    actions: list[states.Move]


def _has_confidential() -> sa.ColumnElement[bool]:
    return sa.exists().where(col(ReportConfidential.report_id) == Report.id)


class ReportService:
    """Meldingen in the back office (and a school's own view through the report's scope)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ------------------------------------------------------------------ reading

    async def get(self, report_id: UUID, caller: Caller, *, for_update: bool = False) -> Report:
        return await get_scoped(self.session, Report, report_id, caller, for_update=for_update, what="report")

    async def list(
        self, caller: Caller, filters: ReportFilter, *, limit: int, offset: int
    ) -> tuple[list[tuple[Report, bool]], int]:
        """Reports newest first, each with whether it has a confidential part, and the total."""
        conditions: list[sa.ColumnElement[bool]] = [
            column == value
            for column, value in (
                (col(Report.status), filters.status),
                (col(Report.ground), filters.ground),
                (col(Report.channel), filters.channel),
                (col(Report.company_id), filters.company_id),
                (col(Report.assigned_to), filters.assigned_to),
            )
            if value is not None
        ]
        if filters.statuses:
            conditions.append(col(Report.status).in_(filters.statuses))
        if filters.unassigned:
            conditions.append(col(Report.assigned_to).is_(None))
        if filters.received_from:
            conditions.append(col(Report.received_on) >= filters.received_from)
        if filters.received_until:
            conditions.append(col(Report.received_on) <= filters.received_until)
        counted = scoped(select(Report.id), Report, caller).where(*conditions)
        total = await paging.count(self.session, counted)
        page = (
            scoped(select(Report, _has_confidential().label("c")), Report, caller)
            .where(*conditions)
            .order_by(col(Report.received_on).desc(), col(Report.created_at).desc(), col(Report.id))
            .limit(limit)
            .offset(offset)
        )
        rows = (await self.session.exec(page)).all()
        return [(row[0], bool(row[1])) for row in rows], total

    async def has_confidential(self, report: Report) -> bool:
        stmt = select(sa.exists().where(col(ReportConfidential.report_id) == report.id))
        return bool((await self.session.exec(stmt)).one())

    async def other_reports_recent(self, report: Report, settings: Settings) -> int | None:
        """How many other reports about the same company arrived within the repeat window up to now."""
        if report.company_id is None:
            return None
        since = utcnow() - relativedelta(months=settings.report_repeat_window_months)
        stmt = (
            select(sa.func.count())
            .select_from(Report)
            .where(Report.company_id == report.company_id, col(Report.id) != report.id)
            .where(col(Report.created_at) >= since)
        )
        return int((await self.session.exec(stmt)).one())

    async def view(self, report_id: UUID, caller: Caller, settings: Settings) -> ReportView:
        """The triage view of one report (an audited read)."""
        report = await self.get(report_id, caller)
        others = await self.other_reports_recent(report, settings)
        await audit.record(self.session, caller, "report.read", report)
        return ReportView(
            report=report,
            has_confidential=await self.has_confidential(report),
            other_reports_recent=others,
            repeat_flag=others is not None and others >= settings.report_repeat_flag_others,
            may_read_confidential=handles(report, caller),
            actions=self.actions(report, caller),
        )

    @staticmethod
    def actions(report: Report, caller: Caller) -> builtins.list[states.Move]:
        """The transitions this caller may make now (the same table the service applies)."""
        return states.allowed(TRANSITIONS, report, caller)

    async def reports_of_company(
        self, company_id: UUID, *, status: ReportStatus | None = None
    ) -> builtins.list[Report]:
        """Every report matched to a company, oldest first (for the investigation workflow)."""
        stmt = select(Report).where(Report.company_id == company_id).order_by(col(Report.created_at))
        if status is not None:
            stmt = stmt.where(Report.status == status)
        return list((await self.session.exec(stmt)).all())

    # ------------------------------------------------------------------ the confidential part

    async def read_confidential(
        self, report_id: UUID, caller: Caller, purpose: ReadPurpose, *, runtime: Runtime
    ) -> ReportConfidential:
        """The confidential part, for the assigned adviser or a senior adviser, audited with its purpose.

        Anyone else gets NotFound, exactly as for a report that does not exist, and the refused attempt
        is audited in a transaction of its own (the request's own transaction rolls back).
        """
        report = (await self.session.exec(select(Report).where(Report.id == report_id))).first()
        row = None
        if report is not None and handles(report, caller):
            stmt = select(ReportConfidential).where(ReportConfidential.report_id == report_id)
            row = (await self.session.exec(stmt)).first()
        if row is None:
            result = "denied" if report is not None and not handles(report, caller) else "not_found"
            async with runtime.transaction() as session:
                await audit.record(
                    session, caller, CONFIDENTIAL_READ, object_type="report", object_id=report_id,
                    result=result, purpose=purpose.value,
                )
            log.info("report.confidential_refused", report_id=str(report_id), result=result)
            raise NotFound("No confidential part of this report for you")
        await audit.record(self.session, caller, CONFIDENTIAL_READ, report, purpose=purpose.value)
        return row

    async def erase_confidential(self, report_id: UUID, caller: Caller, *, rule: str | None = None) -> bool:
        """Delete the confidential part (retention, or a data subject's request); True if there was one.

        Idempotent; the report keeps `confidential_erased_at`. The ledger of erasures is the retention job's.
        """
        report = await self.get(report_id, caller, for_update=True)
        deleted = await self.session.exec(
            sa.delete(ReportConfidential).where(col(ReportConfidential.report_id) == report.id)
        )
        if not deleted.rowcount:
            return False
        report.confidential_erased_at = utcnow()
        self.session.add(report)
        await self.session.flush()
        await audit.record(self.session, caller, "report.confidential_erased", report, detail={"rule": rule})
        return True

    # ------------------------------------------------------------------ assignment and matching

    async def assign(self, report_id: UUID, adviser_id: UUID, caller: Caller) -> Report:
        """A senior adviser assigns (or reassigns) to any adviser; an adviser may take an unassigned report."""
        report = await self.get(report_id, caller, for_update=True)
        if not caller.is_senior:
            if adviser_id != caller.principal_id:
                raise Forbidden("An adviser may take a report; assigning it to others is for senior advisers")
            if report.assigned_to not in (None, caller.principal_id):
                raise Conflict("This report is already assigned to another adviser")
        if report.closed_at is not None:
            raise InvalidTransition("This report is closed")
        assignee = await self.session.get(Principal, adviser_id)
        if assignee is None or not assignee.active or assignee.role not in ADVISER_ROLES:
            raise ValidationFailed([{"field": "adviser_id", "message": "not an active adviser or senior adviser"}])
        if report.assigned_to == adviser_id:
            return report
        previous = report.assigned_to
        report.assigned_to = adviser_id
        report.assigned_at = report.updated_at = utcnow()
        self.session.add(report)
        await self.session.flush()
        await audit.record(
            self.session, caller, "report.assigned", report,
            detail={"assigned_to": str(adviser_id), "previous": str(previous) if previous else None},
        )
        return report

    async def match_company(self, report_id: UUID, company_id: UUID, caller: Caller) -> Report:
        """Link the report to the company it is about (before the triage outcome)."""
        report = await self.get(report_id, caller, for_update=True)
        if not handles(report, caller):
            raise Forbidden("Only the adviser assigned to this report or a senior adviser may match it")
        if report.status not in MATCHABLE:
            raise InvalidTransition(f"A report in status {report.status.value} keeps its company")
        if await self.session.get(Company, company_id) is None:
            raise ValidationFailed([{"field": "company_id", "message": "no such company"}])
        previous = report.company_id
        report.company_id = company_id
        report.updated_at = utcnow()
        self.session.add(report)
        await self.session.flush()
        await audit.record(
            self.session, caller, "report.company_matched", report,
            detail={"company_id": str(company_id), "previous": str(previous) if previous else None},
        )
        return report

    # ------------------------------------------------------------------ triage (one method per transition)

    async def start_triage(self, report_id: UUID, caller: Caller) -> Report:
        return await self._move(report_id, S.IN_TRIAGE, caller, "report.triage_started")

    async def substantiate(self, report_id: UUID, caller: Caller, *, reason: str) -> Report:
        """Substantiated: the investigation workflow takes it from the outbox event."""
        report = await self._move(report_id, S.SUBSTANTIATED, caller, "report.substantiated", reason=reason)
        outbox.add(self.session, SUBSTANTIATED_TOPIC, report_id=report.id, company_id=report.company_id)
        return report

    async def mark_not_substantiated(self, report_id: UUID, caller: Caller, *, reason: str) -> Report:
        return await self._move(report_id, S.NOT_SUBSTANTIATED, caller, "report.not_substantiated", reason=reason)

    async def refer(self, report_id: UUID, caller: Caller, *, reason: str, referred_to: ReferralBody) -> Report:
        return await self._move(
            report_id, S.REFERRED, caller, "report.referred", reason=reason, referred_to=referred_to
        )

    async def _move(
        self, report_id: UUID, target: ReportStatus, caller: Caller, action: str, **given: object
    ) -> Report:
        report = await self.get(report_id, caller, for_update=True)
        states.check(TRANSITIONS, report.status, target, report, caller, given)
        previous = report.status
        now = utcnow()
        report.status = target
        report.updated_at = now
        if target in OUTCOMES:
            report.triaged_at = now
            report.triage_reason = str(given["reason"])
        if target in CLOSING:
            report.closed_at = now
        if target is S.REFERRED:
            report.referred_to = ReferralBody(str(given["referred_to"]))
        self.session.add(report)
        await self.session.flush()
        detail = {"from": previous.value, "to": target.value}
        if report.referred_to is not None:
            detail["referred_to"] = report.referred_to.value
        await audit.record(self.session, caller, action, report, detail=detail)
        log.info(action, report_id=str(report.id))
        return report

    # ------------------------------------------------------------------ for the investigation workflow

    async def mark_closed(self, report_id: UUID, caller: Caller) -> Report:
        """Close a substantiated report when its investigation closes (schools and receipts then see `closed`).

        Idempotent: a report already closed is returned as it is. Not reachable over HTTP.
        """
        report = await self.get(report_id, caller, for_update=True)
        if report.closed_at is not None:
            return report
        if report.status is not S.SUBSTANTIATED:
            raise InvalidTransition(f"Only a substantiated report closes this way, not one {report.status.value}")
        report.closed_at = report.updated_at = utcnow()
        self.session.add(report)
        await self.session.flush()
        await audit.record(self.session, caller, "report.closed", report)
        return report

