"""What a decision does to recognitions: check the moves, rewrite the periods, keep "status today".

Every change of periods or status writes the outbox event `recognition.changed` with
`company_id` and `recognition_id` (one event per recognition). The register's subscriptions
handle it; this module registers no handler for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import clock, outbox
from erkenning.core.audit import service as audit
from erkenning.core.caller import Caller
from erkenning.core.db import utcnow
from erkenning.core.errors import DomainError, InvalidTransition
from erkenning.core.logging import get_logger
from erkenning.core.settings import Settings
from erkenning.core.states import check
from erkenning.recognition import periods
from erkenning.recognition.models import (
    Decision,
    DecisionKind,
    Qualification,
    Recognition,
    RecognitionPeriod,
    RecognitionStatus,
)
from erkenning.recognition.periods import Segment
from erkenning.recognition.states import RECOGNITION_TRANSITIONS, TARGET

log = get_logger(__name__)

CHANGED = "recognition.changed"


@dataclass
class Effect:
    """The planned effect of one decision on one recognition."""

    recognition: Recognition
    before: RecognitionStatus  # its status on the effective date, before the decision
    after: RecognitionStatus | None  # None: the decision changes no status (conditions)
    old: list[Segment]
    new: list[Segment]


def changed(session: AsyncSession, recognition: Recognition) -> None:
    outbox.add(session, CHANGED, company_id=recognition.company_id, recognition_id=recognition.id)


async def lock(session: AsyncSession, recognition_ids: Sequence[UUID]) -> list[Recognition]:
    """The recognitions, locked in id order (the same order everywhere, so two decisions cannot deadlock)."""
    stmt = (
        select(Recognition)
        .where(col(Recognition.id).in_(recognition_ids))
        .order_by(col(Recognition.id))
        .with_for_update()
    )
    return list((await session.exec(stmt.execution_options(populate_existing=True))).all())


async def _label(session: AsyncSession, recognition: Recognition) -> str:
    qualification = await session.get(Qualification, recognition.qualification_id)
    crebo = qualification.crebo if qualification else "?"
    return f"recognition {crebo}/{recognition.pathway.value}"


async def plan(
    session: AsyncSession,
    decision: Decision,
    recognitions: Sequence[Recognition],
    caller: Caller,
    *,
    restore: Mapping[UUID, RecognitionStatus] | None = None,
) -> list[Effect]:
    """Check that the decision may change each recognition as it says, and work out the new periods.

    `restore` (for the reinstate decision after an upheld objection) gives per recognition the status
    to return to, instead of the kind's usual target.
    """
    start, end = decision.effective_from or clock.today(), decision.effective_until
    given = {"kind": decision.kind, "restoring": restore is not None}
    effects = []
    for recognition in recognitions:
        old = await periods.load(session, recognition.id)
        first = periods.covering(old, start)
        try:
            if first is None:
                raise InvalidTransition(f"it has no status on {start.isoformat()} (applied for later)")
            target = restore[recognition.id] if restore is not None else TARGET[decision.kind]
            if target is None:
                check(RECOGNITION_TRANSITIONS, first.status, first.status, recognition, caller, given)
                effects.append(Effect(recognition, first.status, None, old, old))
                continue
            if not (restore is not None and first.status is target):
                check(RECOGNITION_TRANSITIONS, first.status, target, recognition, caller, given)
            # A stretch that runs into later periods (a scheduled end, a later status) must be able to
            # replace each of them too.
            for later in periods.overlapped(old, start, end)[1:]:
                if later.status is not target:
                    check(RECOGNITION_TRANSITIONS, later.status, target, recognition, caller, given)
        except DomainError as exc:
            exc.detail = f"{await _label(session, recognition)}: {exc.detail}"
            raise
        new = periods.overlay(old, start, end, target, decision.id)
        effects.append(Effect(recognition, first.status, target, old, new))
    return effects


async def carry_out(
    session: AsyncSession,
    settings: Settings,
    decision: Decision,
    effects: Sequence[Effect],
    caller: Caller,
    today: date,
) -> None:
    """Write the planned periods and bring each recognition's status of today up to date."""
    await session.flush()  # the decision row exists before periods refer to it
    for effect in effects:
        recognition = effect.recognition
        rewritten = await periods.replace(session, recognition.id, effect.old, effect.new, today)
        if decision.kind is DecisionKind.GRANT and decision.effective_from is not None:
            recognition.granted_on = decision.effective_from
            recognition.reassessment_due = decision.effective_from + relativedelta(
                years=settings.reassessment_years
            )
            recognition.reassessment_noticed_on = None
        moved = await sync_status(session, recognition, effect.new, caller, today, decision_id=decision.id)
        if rewritten or moved:
            recognition.version += 1
            recognition.updated_at = utcnow()
            changed(session, recognition)
        session.add(recognition)


async def sync_status(
    session: AsyncSession,
    recognition: Recognition,
    segments: Sequence[Segment],
    caller: Caller,
    today: date,
    *,
    decision_id: UUID | None = None,
) -> bool:
    """Set `status` to what the periods say for today; True when it moved."""
    current = periods.covering(segments, today)
    if current is None or current.status is recognition.status:
        return False
    before, recognition.status = recognition.status, current.status
    await audit.record(
        session,
        caller,
        "recognition.status_changed",
        recognition,
        detail={
            "from": before.value,
            "to": current.status.value,
            "decision_id": str(decision_id or current.decision_id)
            if (decision_id or current.decision_id)
            else None,
        },
    )
    log.info("recognition.status_changed", recognition_id=str(recognition.id), to=current.status.value)
    return True


async def apply_due(session: AsyncSession, caller: Caller, today: date, *, batch: int = 500) -> int:
    """Bring `status` up to date for recognitions whose future-dated periods have started; how many were seen.

    Finds them through the partial index on periods not yet applied, so the cost is what is due.
    Locks each recognition (skipping ones a request holds: the next run takes them).
    """
    t = RecognitionPeriod.__table__  # type: ignore[attr-defined]  # __table__ is untyped
    due = (
        sa.select(t.c.recognition_id)
        .where(~t.c.applied, sa.func.lower(t.c.during) <= today)
        .distinct()
        .limit(batch)
    )
    ids = list((await session.exec(due)).scalars())  # type: ignore[call-overload]  # a Core SELECT
    if not ids:
        return 0
    stmt = (
        select(Recognition)
        .where(col(Recognition.id).in_(ids))
        .order_by(col(Recognition.id))
        .with_for_update(skip_locked=True)
    )
    seen = 0
    for recognition in (await session.exec(stmt.execution_options(populate_existing=True))).all():
        seen += 1
        segments = await periods.load(session, recognition.id)
        await session.exec(
            sa.update(t)
            .where(t.c.recognition_id == recognition.id, ~t.c.applied, sa.func.lower(t.c.during) <= today)
            .values(applied=True)
        )
        if await sync_status(session, recognition, segments, caller, today):
            recognition.version += 1
            recognition.updated_at = utcnow()
            session.add(recognition)
            changed(session, recognition)
    await session.flush()
    return seen
