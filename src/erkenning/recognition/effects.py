"""What a decision does to recognitions, and what an upheld objection undoes: check the moves, rewrite
the periods, keep "status today".

Every change of periods or status writes the outbox event `recognition.changed` with `company_id` and
`recognition_id` (one event per recognition). When an upheld objection undid a decision from its
start (`revoke_ex_tunc`) it also has `corrected: true` and `corrected_from`: the register's earlier
answers for dates from then on were wrong and are corrected. The register's subscriptions handle it;
this module registers no handler for it.

When a grant makes a company's first recognition active (the day it takes effect: at once, or when
the daily task reaches a future-dated grant), `recognition.first_granted` follows with `company_id`,
`recognition_id` and `decision_id`: training welcomes the new company with its courses. "First": no
recognition of the company was active on any day before. A reinstatement, or a grant to a company
that was recognised before, writes none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import clock, outbox
from erkenning.core.audit import service as audit
from erkenning.core.caller import Caller
from erkenning.core.db import utcnow
from erkenning.core.errors import Conflict, DomainError, InvalidTransition
from erkenning.core.logging import get_logger
from erkenning.core.settings import Settings
from erkenning.core.states import check
from erkenning.recognition import periods
from erkenning.recognition.models import (
    Decision,
    DecisionKind,
    DecisionRecognition,
    DecisionStatus,
    Objection,
    Qualification,
    Recognition,
    RecognitionPeriod,
    RecognitionStatus,
)
from erkenning.recognition.periods import Segment
from erkenning.recognition.states import ADVERSE, RECOGNITION_TRANSITIONS, TARGET

log = get_logger(__name__)

CHANGED = "recognition.changed"
FIRST_GRANTED = "recognition.first_granted"


@dataclass
class Effect:
    """The planned effect of one decision on one recognition."""

    recognition: Recognition
    before: RecognitionStatus  # its status on the effective date, before the decision
    after: RecognitionStatus | None  # None: the decision changes no status (conditions)
    old: list[Segment]
    new: list[Segment]


def changed(session: AsyncSession, recognition: Recognition, *, corrected_from: date | None = None) -> None:
    """`recognition.changed`; with `corrected_from`, the register's earlier answers from that date on are
    corrected (an upheld objection undid a decision from its start)."""
    correction: dict[str, Any] = (
        {"corrected": True, "corrected_from": corrected_from.isoformat()} if corrected_from else {}
    )
    outbox.add(session, CHANGED, company_id=recognition.company_id, recognition_id=recognition.id, **correction)


async def _first_granted(session: AsyncSession, recognition: Recognition, segment: Segment | None) -> None:
    """A grant just made `recognition` active: the event, if no recognition of the company was active before."""
    if segment is None or segment.decision_id is None or recognition.status is not RecognitionStatus.ACTIVE:
        return
    kind = (await session.exec(select(Decision.kind).where(Decision.id == segment.decision_id))).first()
    if kind is not DecisionKind.GRANT:
        return
    t = RecognitionPeriod.__table__  # type: ignore[attr-defined]
    earlier = (
        sa.select(sa.literal(1))
        .select_from(t.join(Recognition, col(Recognition.id) == t.c.recognition_id))
        .where(
            col(Recognition.company_id) == recognition.company_id,
            t.c.status == RecognitionStatus.ACTIVE.value,
            sa.func.lower(t.c.during) < segment.start,
        )
        .limit(1)
    )
    if (await session.exec(earlier)).first() is not None:  # type: ignore[call-overload]
        return
    outbox.add(
        session, FIRST_GRANTED,
        company_id=recognition.company_id, recognition_id=recognition.id, decision_id=segment.decision_id,
    )
    log.info("recognition.first_granted", company_id=str(recognition.company_id), recognition_id=str(recognition.id))


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
) -> list[Effect]:
    """Check that the decision may change each recognition as it says, and work out the new periods."""
    start, end = decision.effective_from or clock.today(), decision.effective_until
    given = {"kind": decision.kind}
    effects = []
    for recognition in recognitions:
        old = await periods.load(session, recognition.id)
        first = periods.covering(old, start)
        try:
            if first is None:
                raise InvalidTransition(f"it has no status on {start.isoformat()} (applied for later)")
            target = TARGET[decision.kind]
            if target is None:
                check(RECOGNITION_TRANSITIONS, first.status, first.status, recognition, caller, given)
                effects.append(Effect(recognition, first.status, None, old, old))
                continue
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
        rewritten = await periods.replace(
            session, recognition.id, effect.old, effect.new, today, decision_id=decision.id
        )
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
        if moved:
            await _first_granted(session, recognition, periods.covering(effect.new, today))
        session.add(recognition)


# ---------------------------------------------------------------- an upheld objection (art. 7:11 Awb)


async def revoke_ex_tunc(
    session: AsyncSession,
    settings: Settings,
    decision: Decision,
    objection: Objection,
    caller: Caller,
    restore_from: date | None = None,
) -> list[Effect]:
    """Undo a revoked decision's effect on its recognitions from its start, as part of the beslissing op
    bezwaar (art. 7:11 Awb): no new decision.

    Each recognition gets back, from the decision's `effective_from` (or the later `restore_from` that
    the beslissing op bezwaar states), exactly the periods it had before the decision: read from the
    history as recorded just before the decision changed them, or, for a decision sent before the
    history was kept, its status then (`DecisionRecognition.status_before`). The restored periods name
    the objection; `recognition.status` follows at once; each recognition changed gets a
    `recognition.changed` event marked as a correction. A later adverse decision on the same
    recognitions refuses it (409: reconsider that one first). A later favourable one (a reinstate that
    lifted the suspension) is moot: the restoration already gives what it gave; it stays on record.
    The caller locks the decision; the recognitions are locked here.
    """
    assert decision.effective_from is not None, "a sent decision has its effective date"
    start = restore_from or decision.effective_from
    links = {
        link.recognition_id: link
        for link in (
            await session.exec(select(DecisionRecognition).where(DecisionRecognition.decision_id == decision.id))
        ).all()
    }
    await refuse_if_changed_since(session, decision, list(links))
    today = clock.today()
    given = {"objection_upheld": True}
    planned = []
    for recognition in await lock(session, sorted(links)):
        link = links[recognition.id]
        if link.status_after is None:  # it changed no status (conditions): nothing to undo in the register
            continue
        current = await periods.load(session, recognition.id)
        before = await periods.before_change(session, recognition.id, decision.id)
        if before is None:
            if link.status_before is None:
                continue
            before = [Segment(start, None, link.status_before)]
        new = periods.restore(current, start, before, objection.id)
        try:
            for _, was, now in periods.changes(current, new, start):
                check(RECOGNITION_TRANSITIONS, was.status, now.status, recognition, caller, given)
        except DomainError as exc:
            exc.detail = f"{await _label(session, recognition)}: {exc.detail}"
            raise
        found, restored = periods.covering(current, start), periods.covering(new, start)
        planned.append(
            Effect(
                recognition,
                found.status if found else link.status_after,
                restored.status if restored else None,
                current,
                new,
            )
        )
    for effect in planned:
        recognition = effect.recognition
        rewritten = await periods.replace(
            session, recognition.id, effect.old, effect.new, today, objection_id=objection.id
        )
        moved = await sync_status(session, recognition, effect.new, caller, today, objection_id=objection.id)
        if rewritten or moved:
            recognition.version += 1
            recognition.updated_at = utcnow()
            changed(session, recognition, corrected_from=start)
        session.add(recognition)
    log.info("decision.revoked_ex_tunc", decision_id=str(decision.id), objection_id=str(objection.id))
    return planned


async def later_decisions(session: AsyncSession, decision: Decision, recognition_ids: Sequence[UUID]) -> list[Decision]:
    """Decisions sent after this one that name any of these recognitions (oldest first)."""
    stmt = (
        select(Decision)
        .join(DecisionRecognition, col(DecisionRecognition.decision_id) == col(Decision.id))
        .where(
            col(DecisionRecognition.recognition_id).in_(recognition_ids),
            Decision.id != decision.id,
            col(Decision.status).in_([DecisionStatus.SENT, DecisionStatus.FINAL]),
            col(Decision.sent_at) > decision.sent_at,
        )
        .distinct()
        .order_by(col(Decision.sent_at))
    )
    return list((await session.exec(stmt)).all())


async def refuse_if_changed_since(session: AsyncSession, decision: Decision, recognition_ids: Sequence[UUID]) -> None:
    """Restoring must not undo a later adverse decision on the same recognitions."""
    later = next(
        (d for d in await later_decisions(session, decision, recognition_ids) if d.kind in ADVERSE), None
    )
    if later is not None:
        raise Conflict(
            f"A later {later.kind.value} decision ({later.id}) changed these recognitions after the "
            "contested one; restoring would undo it. Reconsider that decision first"
        )


async def sync_status(
    session: AsyncSession,
    recognition: Recognition,
    segments: Sequence[Segment],
    caller: Caller,
    today: date,
    *,
    decision_id: UUID | None = None,
    objection_id: UUID | None = None,
) -> bool:
    """Set `status` to what the periods say for today; True when it moved."""
    current = periods.covering(segments, today)
    if current is None or current.status is recognition.status:
        return False
    before, recognition.status = recognition.status, current.status
    by_decision = decision_id or (None if objection_id else current.decision_id)
    detail = {
        "from": before.value,
        "to": current.status.value,
        "decision_id": str(by_decision) if by_decision else None,
    }
    if objection_id is not None:
        detail["objection_id"] = str(objection_id)
    await audit.record(session, caller, "recognition.status_changed", recognition, detail=detail)
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
            await _first_granted(session, recognition, periods.covering(segments, today))
    await session.flush()
    return seen
