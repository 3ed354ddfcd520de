"""Objections (bezwaar): filed against a sent decision within its term; upheld, rejected or withdrawn."""

from __future__ import annotations

import builtins
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
from erkenning.core.errors import Conflict, InvalidTransition, Unprocessable
from erkenning.core.paging import fetch_page
from erkenning.core.settings import Settings
from erkenning.core.states import Move, allowed, apply
from erkenning.recognition.models import (
    Decision,
    DecisionKind,
    DecisionRecognition,
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
        self, objection_id: UUID, outcome: ObjectionStatus, reason: str, caller: Caller
    ) -> Objection:
        """Upheld: the decision is revoked, its effect undone by a reinstate decision. Rejected: it stands."""
        objection = await self.get(objection_id, caller, for_update=True)
        decision = await self.decisions.get(objection.decision_id, caller, for_update=True)
        apply(OBJECTION_TRANSITIONS, objection, outcome, caller, reason=reason, decision=decision)
        objection.decided_by, objection.decided_at, objection.outcome_reason = (
            caller.principal_id,
            utcnow(),
            reason,
        )
        if outcome is ObjectionStatus.UPHELD:
            reinstate = await self._revoke_and_restore(decision, reason, caller)
            objection.reinstate_decision_id = reinstate.id
        await self._saved(objection, caller, f"objection.{outcome.value}")
        mail.queue(self.session, "objection_decided", objection_id=objection.id)
        return objection

    async def _revoke_and_restore(self, decision: Decision, reason: str, caller: Caller) -> Decision:
        """Revoke the (locked) decision; restore what it changed, from today, by a new reinstate decision."""
        decisions = self.decisions
        apply(DECISION_TRANSITIONS, decision, DecisionStatus.REVOKED, caller, objection_upheld=True)
        decision.revoked_at = utcnow()
        await decisions.saved(decision, caller, "decision.revoked")
        links = await decisions.linked(decision)
        await self._refuse_if_changed_since(decision, [link.recognition_id for link in links])
        assert caller.principal_id is not None  # only advisers decide an objection
        reinstate = Decision(
            company_id=decision.company_id,
            kind=DecisionKind.REINSTATE,
            effective_from=clock.today(),
            grounds=f"Herroeping van het besluit van {decision.sent_on} na gegrond bezwaar.\n\n{reason}",
            legal_basis="art. 7:11 Awb (heroverweging na bezwaar)",
            revokes_decision_id=decision.id,
            drafted_by=caller.principal_id,
        )
        self.session.add(reinstate)
        await self.session.flush()
        self.session.add_all(
            DecisionRecognition(decision_id=reinstate.id, recognition_id=link.recognition_id)
            for link in links
        )
        await decisions.saved(reinstate, caller, "decision.drafted", revokes_decision_id=str(decision.id))
        apply(DECISION_TRANSITIONS, reinstate, DecisionStatus.APPROVED, caller)
        reinstate.approved_by, reinstate.approved_at = caller.principal_id, utcnow()
        await decisions.saved(reinstate, caller, "decision.approved")
        restore = {
            link.recognition_id: link.status_before for link in links if link.status_before is not None
        }
        return await decisions.send_locked(reinstate, caller, restore=restore)

    async def _refuse_if_changed_since(self, decision: Decision, recognition_ids: builtins.list[UUID]) -> None:
        """Restoring must not undo a later adverse decision on the same recognitions."""
        later = (
            await self.session.exec(
                select(Decision)
                .join(DecisionRecognition, col(DecisionRecognition.decision_id) == col(Decision.id))
                .where(
                    col(DecisionRecognition.recognition_id).in_(recognition_ids),
                    Decision.id != decision.id,
                    col(Decision.status).in_([DecisionStatus.SENT, DecisionStatus.FINAL]),
                    col(Decision.kind).in_(ADVERSE),
                    col(Decision.sent_at) > decision.sent_at,
                )
            )
        ).first()
        if later is not None:
            raise Conflict(
                f"A later {later.kind.value} decision ({later.id}) changed these recognitions after the "
                "contested one; restoring would undo it. Reconsider that decision first"
            )

    async def withdraw(self, objection_id: UUID, caller: Caller) -> Objection:
        objection = await self.get(objection_id, caller, for_update=True)
        apply(OBJECTION_TRANSITIONS, objection, ObjectionStatus.WITHDRAWN, caller)
        await self._saved(objection, caller, "objection.withdrawn")
        return objection

    async def _saved(self, objection: Objection, caller: Caller, action: str) -> None:
        objection.updated_at = utcnow()
        self.session.add(objection)
        await self.session.flush()
        await audit.record(
            self.session,
            caller,
            action,
            objection,
            detail={"decision_id": str(objection.decision_id), "status": objection.status.value},
        )
