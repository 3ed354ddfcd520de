"""Objections (bezwaar): filed against a sent decision within its term; upheld, rejected or withdrawn.

Upholding is the beslissing op bezwaar that revokes the decision and restores what it changed from
its start (art. 7:11 Awb, `erkenning.recognition.effects.revoke_ex_tunc`); no new decision is made.
"""

from __future__ import annotations

import builtins
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import clock, mail
from erkenning.core.audit import service as audit
from erkenning.core.auth.scope import get_scoped, scoped
from erkenning.core.caller import Caller, Role
from erkenning.core.db import utcnow
from erkenning.core.errors import Conflict, InvalidTransition, Unprocessable, ValidationFailed
from erkenning.core.paging import fetch_page
from erkenning.core.settings import Settings
from erkenning.core.states import Move, allowed, apply
from erkenning.recognition import effects
from erkenning.recognition.models import (
    Decision,
    DecisionStatus,
    FiledVia,
    Objection,
    ObjectionStatus,
)
from erkenning.recognition.services.decisions import DecisionService
from erkenning.recognition.states import (
    ADVERSE,
    DECISION_TRANSITIONS,
    OBJECTION_TRANSITIONS,
)


class ObjectionTermPassed(Unprocessable):
    type = "objection-term-passed"
    title = "The objection term has passed"


class ObjectionService:
    """Bezwaren tegen besluiten."""

    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.decisions = DecisionService(session, settings)

    async def get(self, objection_id: UUID, caller: Caller, *, for_update: bool = False) -> Objection:
        return await get_scoped(
            self.session, Objection, objection_id, caller, for_update=for_update, what="objection"
        )

    async def list(
        self,
        caller: Caller,
        *,
        status: ObjectionStatus | None = None,
        decision_id: UUID | None = None,
        company_id: UUID | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Objection], int]:
        stmt = scoped(select(Objection), Objection, caller)
        if status is not None:
            stmt = stmt.where(Objection.status == status)
        if decision_id is not None:
            stmt = stmt.where(Objection.decision_id == decision_id)
        if company_id is not None:
            stmt = stmt.where(Objection.company_id == company_id)
        order = (col(Objection.created_at), col(Objection.id))
        return await fetch_page(self.session, stmt, *order, limit=limit, offset=offset)

    def actions(self, objection: Objection, caller: Caller, *, decision: Decision | None = None) -> builtins.list[Move]:
        """What the caller may do with the objection now; give the contested decision to have the
        independence rule (art. 7:5 Awb) judged too."""
        context: dict[str, Any] = {"decision": decision} if decision is not None else {}
        return allowed(OBJECTION_TRANSITIONS, objection, caller, **context)

    async def file(self, decision_id: UUID, grounds: str, caller: Caller) -> Objection:
        """File an objection: only against a sent decision, no later than its objection deadline."""
        decision = await self.decisions.get(decision_id, caller, for_update=True)
        deadline = decision.objection_deadline
        if (
            decision.status in (DecisionStatus.SENT, DecisionStatus.FINAL)
            and deadline
            and clock.today() > deadline
        ):
            raise ObjectionTermPassed(
                f"The objection term for this decision ended on {deadline.isoformat()}; "
                "an objection can no longer be filed",
                deadline=deadline.isoformat(),
            )
        if decision.status is not DecisionStatus.SENT:
            raise InvalidTransition(
                f"An objection is filed against a sent decision; this one is {decision.status.value}"
            )
        if decision.kind not in ADVERSE:
            raise Unprocessable(
                f"A {decision.kind.value} decision is in the company's favour; there is nothing to object to"
            )
        if caller.principal_id is None:
            raise InvalidTransition("An objection is filed by a person")
        objection = Objection(
            decision_id=decision.id,
            company_id=decision.company_id,
            grounds=grounds,
            filed_on=clock.today(),
            filed_via=FiledVia.PORTAL if caller.role is Role.COMPANY else FiledVia.BACKOFFICE,
            filed_by=caller.principal_id,
        )
        self.session.add(objection)
        try:
            async with self.session.begin_nested():
                await self.session.flush()
        except IntegrityError:
            raise Conflict("An objection against this decision is already pending") from None
        await audit.record(
            self.session,
            caller,
            "objection.filed",
            objection,
            detail={"decision_id": str(decision.id), "via": objection.filed_via.value},
        )
        # Art. 6:14 Awb: the receipt of an objection is confirmed in writing.
        mail.queue(self.session, "objection_received", objection_id=objection.id)
        return objection

    async def decide(
        self,
        objection_id: UUID,
        outcome: ObjectionStatus,
        reason: str,
        caller: Caller,
        *,
        restore_from: date | None = None,
        restore_reason: str | None = None,
    ) -> Objection:
        """Upheld: the decision is revoked and its effect undone from its start (art. 7:11 Awb), or from the
        later `restore_from` this beslissing op bezwaar states with its `restore_reason`. Rejected: it stands."""
        objection = await self.get(objection_id, caller, for_update=True)
        decision = await self.decisions.get(objection.decision_id, caller, for_update=True)
        apply(OBJECTION_TRANSITIONS, objection, outcome, caller, reason=reason, decision=decision)
        objection.decided_by, objection.decided_at, objection.outcome_reason = (
            caller.principal_id,
            utcnow(),
            reason,
        )
        detail: dict[str, Any] = {}
        if outcome is ObjectionStatus.UPHELD:
            start = _restore_date(decision, restore_from, restore_reason)
            objection.restore_from, objection.restore_reason = start, restore_reason
            detail = await self._revoke_ex_tunc(decision, objection, caller, start)
        elif restore_from is not None or restore_reason is not None:
            raise ValidationFailed(
                [{"field": "restore_from", "message": "only an upheld objection restores the recognitions"}]
            )
        await self._saved(objection, caller, f"objection.{outcome.value}", **detail)
        mail.queue(self.session, "objection_decided", objection_id=objection.id)
        return objection

    async def _revoke_ex_tunc(
        self, decision: Decision, objection: Objection, caller: Caller, start: date
    ) -> dict[str, Any]:
        """Revoke the (locked) decision and restore what it changed from `start`; what the audit row says."""
        decisions = self.decisions
        apply(DECISION_TRANSITIONS, decision, DecisionStatus.REVOKED, caller, objection_upheld=True)
        decision.revoked_at = utcnow()
        await decisions.saved(decision, caller, "decision.revoked", objection_id=str(objection.id))
        restored = await effects.revoke_ex_tunc(
            self.session, decisions.settings, decision, objection, caller, restore_from=start
        )
        ids = [e.recognition.id for e in restored]
        moot = [d for d in await effects.later_decisions(self.session, decision, ids) if d.kind not in ADVERSE]
        return {
            "restore_from": start.isoformat(),
            "restore_reason": objection.restore_reason,
            "recognitions_restored": [str(i) for i in ids],
            # Later favourable decisions (a reinstate that lifted the suspension): restoring from the start
            # already gives what they gave; they stay on record.
            "moot_decision_ids": [str(d.id) for d in moot],
        }

    async def withdraw(self, objection_id: UUID, caller: Caller) -> Objection:
        objection = await self.get(objection_id, caller, for_update=True)
        apply(OBJECTION_TRANSITIONS, objection, ObjectionStatus.WITHDRAWN, caller)
        await self._saved(objection, caller, "objection.withdrawn")
        return objection

    async def _saved(self, objection: Objection, caller: Caller, action: str, **detail: Any) -> None:
        objection.updated_at = utcnow()
        self.session.add(objection)
        await self.session.flush()
        await audit.record(
            self.session,
            caller,
            action,
            objection,
            detail={"decision_id": str(objection.decision_id), "status": objection.status.value, **detail},
        )


def _restore_date(decision: Decision, restore_from: date | None, restore_reason: str | None) -> date:
    """From when an upheld objection restores: the decision's own start, or a later date with its reason."""
    start = decision.effective_from
    assert start is not None, "a sent decision has its effective date"
    if restore_from is None:
        if restore_reason is not None:
            raise ValidationFailed(
                [{"field": "restore_reason", "message": "give the date it explains (restore_from)"}]
            )
        return start
    if restore_from < start:
        raise ValidationFailed(
            [
                {
                    "field": "restore_from",
                    "message": f"the recognitions are restored from the decision's start ({start.isoformat()}) "
                    "or a later date, never before it took effect",
                }
            ]
        )
    if restore_from != start and not restore_reason:
        raise ValidationFailed(
            [{"field": "restore_reason", "message": "a restoration from a later date than the decision's start "
              "states its reason"}]
        )
    return restore_from
