"""The case gauges of `/metrics`: open deadlines past due, by kind, read at scrape time from a partial index."""

from __future__ import annotations

import sqlalchemy as sa
from prometheus_client import Gauge
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import clock, metrics
from erkenning.workflows.models import Deadline, DeadlineKind, DeadlineStatus, Investigation, InvestigationStatus

DEADLINES_OVERDUE = Gauge(
    "erkenning_deadlines_overdue",
    "Open case deadlines past their due moment (cases on hold excluded), by kind",
    ["kind"],
    registry=metrics.REGISTRY,
)

async def overdue_deadlines(session: AsyncSession) -> None:
    """Open deadlines past due, by kind, leaving out cases on hold (their deadlines move when they resume).

    Served by the partial index `ix_deadline_open_due` (open deadlines only).
    """
    on_hold = sa.exists().where(
        col(Investigation.id) == Deadline.investigation_id, col(Investigation.status) == InvestigationStatus.ON_HOLD
    )
    stmt = (
        select(col(Deadline.kind), sa.func.count())
        .where(col(Deadline.status) == DeadlineStatus.OPEN, col(Deadline.due_at) <= clock.now(), ~on_hold)
        .group_by(Deadline.kind)
    )
    counts = {kind.value: 0 for kind in DeadlineKind}
    for kind, n in (await session.exec(stmt)).all():
        counts[DeadlineKind(kind).value] = int(n)
    for name, n in counts.items():
        DEADLINES_OVERDUE.labels(name).set(n)
