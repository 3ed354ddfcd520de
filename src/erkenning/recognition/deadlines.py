"""What the passing of a term does: decisions final after the objection term (and the week a posted
objection may still arrive, art. 6:9(2) Awb), a response term recorded, an objection's decision term
(art. 7:10 Awb) reminded and escalated before it ends.

Both work from what is due in the database (so a missed run is caught up) and lock what they change,
skipping rows a request holds (the next run takes them).
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import calendar, mail
from erkenning.core.audit import service as audit
from erkenning.core.auth.models import Principal
from erkenning.core.caller import Caller, Role
from erkenning.core.db import utcnow
from erkenning.core.settings import Settings
from erkenning.core.states import apply
from erkenning.recognition.models import Decision, DecisionStatus, Objection, ObjectionStatus
from erkenning.recognition.services.decisions import DecisionService
from erkenning.recognition.states import DECISION_TRANSITIONS, beyond_objection


def _pending_objection() -> sa.Exists:
    return sa.exists().where(
        col(Objection.decision_id) == col(Decision.id), col(Objection.status) == ObjectionStatus.PENDING
    )


async def finalise_due(
    session: AsyncSession, settings: Settings, caller: Caller, today: date, *, batch: int = 500
) -> int:
    """Sent decisions whose objection term, and the week after it for posted objections (art. 6:9(2) Awb),
    passed without a pending objection become final; how many."""
    # A week and the Algemene termijnenwet's shift at most: the exact end is checked per row.
    stmt = (
        select(Decision)
        .where(Decision.status == DecisionStatus.SENT, col(Decision.objection_deadline) < today - timedelta(days=7))
        .where(~_pending_objection())
        .order_by(col(Decision.objection_deadline))
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    service = DecisionService(session, settings)
    done = 0
    for decision in (await session.exec(stmt)).all():
        if not beyond_objection(decision, today):
            continue
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


async def _senior_advisers(session: AsyncSession) -> list[UUID]:
    stmt = select(Principal.id).where(
        col(Principal.role) == Role.SENIOR_ADVISER, col(Principal.active), col(Principal.email).is_not(None)
    )
    return list((await session.exec(stmt)).all())


async def remind_objection_terms(session: AsyncSession, settings: Settings, caller: Caller, today: date) -> int:
    """Before an objection's decision term (art. 7:10 Awb) ends: a reminder to the senior advisers
    `OBJECTION_REMINDER_WORKING_DAYS` working days before, an escalation `OBJECTION_ESCALATION_WORKING_DAYS`
    before (each once; an extension sets them up again). How many e-mails rounds went out."""
    window = max(settings.objection_reminder_working_days, settings.objection_escalation_working_days)
    horizon = today + timedelta(days=2 * window + 14)  # working days are never more than this in calendar days
    stmt = (
        select(Objection)
        .where(Objection.status == ObjectionStatus.PENDING, col(Objection.decide_by).is_not(None))
        .where(col(Objection.decide_by) <= horizon, col(Objection.term_escalated_at).is_(None))
        .order_by(col(Objection.decide_by))
        .with_for_update(skip_locked=True)
    )
    seniors: list[UUID] | None = None
    rounds = 0
    for objection in (await session.exec(stmt)).all():
        assert objection.decide_by is not None
        left = calendar.working_days_between(today, objection.decide_by)
        escalate = left <= settings.objection_escalation_working_days
        if escalate:
            objection.term_escalated_at = utcnow()
            objection.term_reminded_at = objection.term_reminded_at or objection.term_escalated_at
        elif left <= settings.objection_reminder_working_days and objection.term_reminded_at is None:
            objection.term_reminded_at = utcnow()
        else:
            continue
        seniors = seniors if seniors is not None else await _senior_advisers(session)
        for principal_id in seniors:
            if escalate:
                mail.queue(session, "objection_term_escalation", objection_id=objection.id, principal_id=principal_id)
            else:
                mail.queue(session, "objection_term_reminder", objection_id=objection.id, principal_id=principal_id)
        action = "objection.term_escalated" if escalate else "objection.term_reminded"
        session.add(objection)
        await audit.record(
            session, caller, action, objection,
            detail={"decide_by": objection.decide_by.isoformat(), "working_days_left": left},
        )
        rounds += 1
    await session.flush()
    return rounds
