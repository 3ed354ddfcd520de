"""Who looked at a report, when and why (for admins), and the reporter's own view of it (GDPR art. 15).

Both are answered from the audit trail, which records every read of a report (`report.read`) and of
its confidential part (`report.confidential_read`, with its purpose from a closed list). The reporter
learns the date and purpose of each consultation of the confidential part (the part that holds their
data), never who it was: staff names, ids, roles, addresses and times of day stay in the back office.
"""

from __future__ import annotations

from uuid import UUID

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import clock
from erkenning.core.audit import service as audit
from erkenning.core.audit.models import AuditEvent
from erkenning.core.auth.models import Principal
from erkenning.core.caller import Caller
from erkenning.core.errors import NotFound
from erkenning.reports.models import ReadPurpose, Report
from erkenning.reports.schemas import Consultation, Consultations, ReportReadEntry, ReportReads
from erkenning.reports.services.reports import CONFIDENTIAL_READ

READ_ACTIONS = ("report.read", CONFIDENTIAL_READ)


async def _report(session: AsyncSession, report_id: UUID) -> Report:
    report = await session.get(Report, report_id)
    if report is None:
        raise NotFound("No such report")
    return report


async def reads_of(session: AsyncSession, report_id: UUID) -> list[ReportReadEntry]:
    """Every audited read of the report and of its confidential part (refused attempts too), oldest first."""
    stmt = (
        select(AuditEvent, Principal.name)
        .join(Principal, col(Principal.id) == col(AuditEvent.actor_id), isouter=True)
        .where(AuditEvent.object_type == "report", AuditEvent.object_id == str(report_id))
        .where(col(AuditEvent.action).in_(READ_ACTIONS))
        .order_by(col(AuditEvent.seq))
    )
    return [
        ReportReadEntry(
            at=row.occurred_at, action=row.action, result=row.result, purpose=row.purpose, actor_id=row.actor_id,
            actor_name=name, actor_role=row.actor_role, origin=row.origin, request_id=row.request_id,
        )
        for row, name in (await session.exec(stmt)).all()
    ]


async def consultations_of(session: AsyncSession, report: Report) -> Consultations:
    """The reporter's answer: day and purpose of each granted read of the confidential part, oldest first."""
    stmt = (
        select(AuditEvent.occurred_at, AuditEvent.purpose)
        .where(AuditEvent.object_type == "report", AuditEvent.object_id == str(report.id))
        .where(AuditEvent.action == CONFIDENTIAL_READ, AuditEvent.result == "success")
        .order_by(col(AuditEvent.seq))
    )
    return Consultations(
        consultations=[
            Consultation(on=clock.local(at).date(), purpose=ReadPurpose(purpose))
            for at, purpose in (await session.exec(stmt)).all()
            if purpose is not None
        ]
    )


async def admin_reads(session: AsyncSession, report_id: UUID, caller: Caller) -> ReportReads:
    report = await _report(session, report_id)
    await audit.record(session, caller, "report.reads_listed", report)
    return ReportReads(report_id=report.id, reads=await reads_of(session, report.id))


async def admin_consultations(session: AsyncSession, report_id: UUID, caller: Caller) -> Consultations:
    report = await _report(session, report_id)
    await audit.record(session, caller, "report.consultations_disclosed", report)
    return await consultations_of(session, report)
