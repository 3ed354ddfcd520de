"""Retention: erase what its term has passed, one record per transaction, each with a ledger row.

| rule | what is erased | due |
|---|---|---|
| `report.not_substantiated` | the confidential part | `RETENTION_NOT_SUBSTANTIATED_MONTHS` after triage |
| `report.referred` | the confidential part | `RETENTION_REFERRED_MONTHS` after triage |
| `report.investigated` | the confidential part, and the reporting side's reactions (wederhoor) | \
`RETENTION_INVESTIGATED_YEARS` after the case's decision became final (or was revoked); for a case closed without \
a decision, after it closed |
| `report.receipt` | an anonymous report's receipt (hash) | `RETENTION_RECEIPT_MONTHS` after the report closed |

The report itself (its non-confidential facts, for the register of reports and the monitoring), cases,
decisions and the audit trail stay: the audit trail only gains the erasure's own row. Due records are
found from the database, not from the day of the run, so a missed run catches up and a second run
finds nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from erkenning.core.audit import service as audit
from erkenning.core.caller import Caller
from erkenning.core.db import utcnow
from erkenning.core.logging import get_logger
from erkenning.core.settings import Settings
from erkenning.recognition.models import Decision, DecisionStatus
from erkenning.reports.models import Report, ReportConfidential, ReportStatus
from erkenning.reports.services.reports import ReportService
from erkenning.retention.models import RetentionErasure
from erkenning.workflows.models import Investigation, InvestigationReport, InvestigationStatus, ReporterReaction

if TYPE_CHECKING:
    from erkenning.core.runtime import Runtime

log = get_logger(__name__)

SYSTEM = Caller.system("retention")
CONFIDENTIAL = "report_confidential"
RECEIPT = "report_receipt"
BATCH = 500  # records looked up per round; a run goes on until nothing is due


@dataclass(frozen=True)
class Due:
    kind: str
    record_id: UUID
    rule: str


def _has_confidential() -> sa.ColumnElement[bool]:
    """The report still holds what its reporter gave: its confidential part, or a reaction (wederhoor)."""
    part = sa.exists().where(col(ReportConfidential.report_id) == Report.id)
    reaction = sa.exists().where(
        col(ReporterReaction.report_id) == Report.id, col(ReporterReaction.reaction).is_not(None)
    )
    return sa.or_(part, reaction)


async def _erase_reactions(session: AsyncSession, report_id: UUID, rule: str) -> bool:
    """Blank the reporting side's reactions to questions about the report (the questions, SBB's, stay)."""
    erased = await session.exec(
        sa.update(ReporterReaction)
        .where(col(ReporterReaction.report_id) == report_id, col(ReporterReaction.reaction).is_not(None))
        .values(reaction=None, reaction_erased_at=utcnow())
    )
    if not erased.rowcount:
        return False
    await audit.record(session, SYSTEM, "report.reactions_erased", object_type="report", object_id=report_id,
                       detail={"rule": rule, "reactions": erased.rowcount})
    return True


def _triaged_before(status: ReportStatus, cutoff: datetime) -> SelectOfScalar[UUID]:
    return (
        select(Report.id)
        .where(col(Report.status) == status, col(Report.triaged_at) <= cutoff, _has_confidential())
        .limit(BATCH)
    )


def _investigated_before(cutoff: datetime) -> SelectOfScalar[UUID]:
    """Reports of closed cases whose decision became final (or was revoked) before `cutoff`.

    A case closed without a decision (unfounded, an improvement agreement) counts from its closing.
    A decision still open to objection (sent) is not final: its reports wait.
    """
    settled = sa.case(
        (col(Investigation.decision_id).is_(None), Investigation.closed_at),
        (col(Decision.status) == DecisionStatus.FINAL, Decision.final_at),
        (col(Decision.status) == DecisionStatus.REVOKED, Decision.revoked_at),
        else_=None,
    )
    return (
        select(InvestigationReport.report_id)
        .join(Investigation, col(Investigation.id) == col(InvestigationReport.investigation_id))
        .join(Decision, col(Decision.id) == col(Investigation.decision_id), isouter=True)
        .join(Report, col(Report.id) == col(InvestigationReport.report_id))
        .where(col(Investigation.status) == InvestigationStatus.CLOSED, settled <= cutoff, _has_confidential())
        .limit(BATCH)
    )


def _receipts_before(cutoff: datetime) -> SelectOfScalar[UUID]:
    return (
        select(Report.id)
        .where(col(Report.receipt_hash).is_not(None), col(Report.closed_at) <= cutoff)
        .limit(BATCH)
    )


async def due(session: AsyncSession, settings: Settings, now: datetime) -> list[Due]:
    """What is due for erasure at `now` (at most a batch of each rule)."""
    rules = [
        (CONFIDENTIAL, "report.not_substantiated", _triaged_before(
            ReportStatus.NOT_SUBSTANTIATED, now - relativedelta(months=settings.retention_not_substantiated_months))),
        (CONFIDENTIAL, "report.referred", _triaged_before(
            ReportStatus.REFERRED, now - relativedelta(months=settings.retention_referred_months))),
        (CONFIDENTIAL, "report.investigated", _investigated_before(
            now - relativedelta(years=settings.retention_investigated_years))),
        (RECEIPT, "report.receipt", _receipts_before(now - relativedelta(months=settings.retention_receipt_months))),
    ]
    found: list[Due] = []
    for kind, rule, stmt in rules:
        ids = (await session.exec(stmt)).all()
        found += [Due(kind, record_id, rule) for record_id in dict.fromkeys(ids)]
    return found


async def erase(session: AsyncSession, item: Due) -> bool:
    """Erase one due record and ledger it (in the caller's transaction); False if nothing was left to erase."""
    if item.kind == CONFIDENTIAL:
        erased = await ReportService(session).erase_confidential(item.record_id, SYSTEM, rule=item.rule)
        erased = await _erase_reactions(session, item.record_id, item.rule) or erased
    else:
        report = await session.get(Report, item.record_id, with_for_update=True)
        erased = report is not None and report.receipt_hash is not None
        if report is not None and erased:
            report.receipt_hash = None
            session.add(report)
            await audit.record(session, SYSTEM, "report.receipt_erased", report, detail={"rule": item.rule})
    if erased:
        session.add(RetentionErasure(kind=item.kind, record_id=item.record_id, rule=item.rule, erased_at=utcnow()))
        await session.flush()
    return erased


async def run(runtime: Runtime) -> Counter[str]:
    """Erase everything due now, one record per transaction; returns the count per rule."""
    counts: Counter[str] = Counter()
    while True:
        async with runtime.session_factory() as session:
            items = await due(session, runtime.settings, utcnow())
        done = 0
        for item in items:
            async with runtime.transaction() as session:
                if await erase(session, item):
                    counts[item.rule] += 1
                    done += 1
        if not done:
            break
    log.info("retention.run", erased=sum(counts.values()), **{k.replace(".", "_"): v for k, v in counts.items()})
    return counts
