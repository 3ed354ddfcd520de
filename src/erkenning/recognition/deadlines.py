"""What the passing of a term does to decisions: final after the objection term, a response term recorded.

Both work from what is due in the database (so a missed run is caught up) and lock what they change,
skipping rows a request holds (the next run takes them).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.caller import Caller
from erkenning.core.db import utcnow
from erkenning.core.settings import Settings
from erkenning.core.states import apply
from erkenning.recognition.models import Decision, DecisionStatus, Objection, ObjectionStatus
from erkenning.recognition.services.decisions import DecisionService
from erkenning.recognition.states import DECISION_TRANSITIONS


def _pending_objection() -> sa.Exists:
    return sa.exists().where(
        col(Objection.decision_id) == col(Decision.id), col(Objection.status) == ObjectionStatus.PENDING
    )


async def finalise_due(
    session: AsyncSession, settings: Settings, caller: Caller, today: date, *, batch: int = 500
) -> int:
    """Sent decisions whose objection term passed without a pending objection become final; how many."""
    stmt = (
        select(Decision)
        .where(Decision.status == DecisionStatus.SENT, col(Decision.objection_deadline) < today)
        .where(~_pending_objection())
        .order_by(col(Decision.objection_deadline))
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    service = DecisionService(session, settings)
    done = 0
    for decision in (await session.exec(stmt)).all():
        # Checked again under the lock: an objection filed meanwhile waited for it and is now visible.
        pending = (
            await session.exec(
                select(Objection.id).where(
                    Objection.decision_id == decision.id, Objection.status == ObjectionStatus.PENDING
                )
            )
        ).first() is not None
        apply(DECISION_TRANSITIONS, decision, DecisionStatus.FINAL, caller, objection_pending=pending)
        decision.final_at = utcnow()
        await service.saved(decision, caller, "decision.finalised")
        done += 1
    return done


async def record_lapsed_response_terms(
    session: AsyncSession, settings: Settings, caller: Caller, today: date
) -> int:
    """Record, once, that an intended decision's response term passed without a response; how many."""
    stmt = (
        select(Decision)
        .where(
            Decision.status == DecisionStatus.INTENDED,
            col(Decision.response_received_at).is_(None),
            col(Decision.response_term_passed_at).is_(None),
            col(Decision.response_due) < today,
        )
        .with_for_update(skip_locked=True)
    )
    service = DecisionService(session, settings)
    lapsed = list((await session.exec(stmt)).all())
    for decision in lapsed:
        decision.response_term_passed_at = utcnow()
        await service.saved(decision, caller, "decision.response_term_passed")
    return len(lapsed)
