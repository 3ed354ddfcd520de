"""Objections (bezwaar, chapters 6 and 7 Awb): filed, judged admissible, decided by a beslissing op bezwaar.

Filed through the portal within the objection term, or recorded by staff from paper with its day of
receipt and postmark: posted within the term and received within a week after it is on time (art.
6:9(2)); later, staff decide with a reason whether the lateness is excusable (art. 6:11). Its receipt is
confirmed with its own reference (art. 6:14). It is decided within six weeks after the objection term
(twelve with an advisory committee), extendable once by six weeks with notice and reason (art. 7:10).
The hearing (art. 7:2, 7:3) is `ObjectionHearingService`'s.

The beslissing op bezwaar (art. 7:12) is a letter of its own, naming appeal to the court (art. 8:1, 8:7,
6:7) and never open to a new objection (art. 7:1). Upholding revokes the decision and restores what it
changed from its start (art. 7:11, `erkenning.recognition.effects.revoke_ex_tunc`); no new decision is made.
"""

from __future__ import annotations

import builtins
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import calendar, clock, mail
from erkenning.core.audit import service as audit
from erkenning.core.auth.scope import get_scoped, scoped
from erkenning.core.caller import Caller, Role
from erkenning.core.db import utcnow
from erkenning.core.errors import Conflict, InvalidTransition, NotFound, Unprocessable, ValidationFailed
from erkenning.core.paging import fetch_page
from erkenning.core.settings import Settings
from erkenning.core.states import Move, allowed, apply
from erkenning.recognition import dispatch, effects, objection_dates
from erkenning.recognition.dispatch import LetterRenderer
from erkenning.recognition.models import (
    OBJECTION_DECIDED,
    Decision,
    DecisionStatus,
    FiledVia,
    HearingSkipGround,
    HearingStatus,
    LetterKind,
    Objection,
    ObjectionStatus,
)
from erkenning.recognition.services.decisions import DecisionService
from erkenning.recognition.states import (
    ADVERSE,
    DECISION_TRANSITIONS,
    OBJECTION_TRANSITIONS,
)

# Upheld in full or inadmissible without a hearing: the ground of art. 7:3 Awb that applies, recorded.
_SKIPPED_AS = {
    ObjectionStatus.UPHELD: HearingSkipGround.FULLY_UPHELD,
    ObjectionStatus.INADMISSIBLE: HearingSkipGround.MANIFESTLY_INADMISSIBLE,
}


class ObjectionTermPassed(Unprocessable):
    type = "objection-term-passed"
    title = "The objection term has passed"


class ObjectionDecided(Conflict):
    type = "objection-decided"
    title = "A beslissing op bezwaar is open to appeal, not to a new objection"


class ObjectionService:
    """Bezwaren tegen besluiten."""

    def __init__(self, session: AsyncSession, settings: Settings, letters: LetterRenderer | None = None) -> None:
        self.session = session
        self.settings = settings
        self.letters = letters
        self.decisions = DecisionService(session, settings, letters)

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

    async def file(
        self,
        decision_id: UUID,
        grounds: str,
        caller: Caller,
        *,
        received_on: date | None = None,
        postmarked_on: date | None = None,
    ) -> Objection:
        """File an objection against a sent adverse decision. Through the portal: no later than its objection
        deadline. Recorded by staff from paper (`received_on`, optionally `postmarked_on`): on time if received
        within the term, or posted within it and received within a week after it (art. 6:9(2) Awb); later, it is
        recorded as late, for a decision on its admissibility (art. 6:11 Awb)."""
        decision = await self.decisions.get(decision_id, caller, for_update=True)
        paper = received_on is not None or postmarked_on is not None
        if paper and caller.role is Role.COMPANY:
            raise InvalidTransition("A paper objection is recorded by SBB staff")
        received = received_on or clock.today()
        await self._refuse_a_second(decision)
        if decision.status not in (DecisionStatus.SENT, DecisionStatus.FINAL) or decision.sent_on is None:
            raise InvalidTransition(
                f"An objection is filed against a sent decision; this one is {decision.status.value}"
            )
        if decision.kind not in ADVERSE:
            raise Unprocessable(
                f"A {decision.kind.value} decision is in the company's favour; there is nothing to object to"
            )
        objection_dates.check_paper_dates(decision.sent_on, received, postmarked_on)
        timely = objection_dates.timely(decision, received, postmarked_on)
        if not timely and not paper:
            deadline = decision.objection_deadline
            assert deadline is not None
            raise ObjectionTermPassed(
                f"The objection term for this decision ended on {deadline.isoformat()}; "
                "an objection can no longer be filed",
                deadline=deadline.isoformat(),
            )
        if caller.principal_id is None:
            raise InvalidTransition("An objection is filed by a person")
        via = FiledVia.POST if paper else FiledVia.PORTAL if caller.role is Role.COMPANY else FiledVia.BACKOFFICE
        objection = Objection(
            reference=await _new_reference(self.session, received),
            decision_id=decision.id,
            company_id=decision.company_id,
            grounds=grounds,
            filed_on=received,
            postmarked_on=postmarked_on,
            timely=timely,
            decide_by=objection_dates.decision_term(self.settings, decision),
            filed_via=via,
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
            detail={
                "decision_id": str(decision.id), "via": objection.filed_via.value, "reference": objection.reference,
                "received_on": received.isoformat(), "postmarked_on": postmarked_on.isoformat() if postmarked_on
                else None, "timely": timely, "decide_by": objection.decide_by.isoformat() if objection.decide_by
                else None,
            },
        )
        # Art. 6:14 Awb: the receipt of an objection is confirmed in writing (with its own reference).
        mail.queue(self.session, "objection_received", objection_id=objection.id)
        return objection

    async def _refuse_a_second(self, decision: Decision) -> None:
        """Once an objection against the decision is decided, the beslissing op bezwaar stands in its place:
        open to appeal to the court, never to a new objection (art. 7:1 Awb)."""
        stmt = select(Objection.reference).where(
            Objection.decision_id == decision.id, col(Objection.status).in_([s.value for s in OBJECTION_DECIDED])
        )
        decided = (await self.session.exec(stmt)).first()
        if decided is not None:
            raise ObjectionDecided(
                f"SBB decided an objection against this decision ({decided}); against that beslissing op bezwaar "
                "lies appeal to the administrative court, not a new objection (art. 7:1 Awb)"
            )

    async def decide_lateness(self, objection_id: UUID, admissible: bool, reason: str, caller: Caller) -> Objection:
        """A late objection: the lateness is excusable and it is judged (art. 6:11 Awb), or it is declared
        inadmissible by a beslissing op bezwaar; either way with the reason recorded."""
        objection = await self.get(objection_id, caller, for_update=True)
        if objection.timely:
            raise InvalidTransition("This objection came in on time (art. 6:9 Awb): there is no lateness to judge")
        if objection.late_excused is not None:
            raise Conflict("Whether this late objection is admissible has already been decided")
        if objection.status is not ObjectionStatus.PENDING:
            raise InvalidTransition("The objection is no longer pending")
        if not reason.strip():
            raise ValidationFailed([{"field": "reason", "message": "required for this change"}])
        objection.late_excused, objection.late_reason = admissible, reason
        objection.late_decided_by, objection.late_decided_at = caller.principal_id, utcnow()
        await self._saved(objection, caller, "objection.lateness_decided", admissible=admissible, reason=reason)
        if admissible:
            return objection
        return await self.decide(objection_id, ObjectionStatus.INADMISSIBLE, reason, caller)

    async def extend(self, objection_id: UUID, reason: str, caller: Caller) -> Objection:
        """Postpone the decision by six weeks, once, with notice to the company and the reason (art. 7:10(3) Awb)."""
        objection = await self.get(objection_id, caller, for_update=True)
        if not caller.is_staff:
            raise InvalidTransition("SBB extends the decision term")
        if objection.status is not ObjectionStatus.PENDING:
            raise InvalidTransition("The objection is no longer pending")
        if objection.extended_at is not None:
            raise Conflict(
                "The decision term was already extended once (art. 7:10(3) Awb); a further postponement needs "
                "the objector's consent (art. 7:10(4)), which is not built here"
            )
        if objection.decide_by is None:
            raise InvalidTransition("This objection has no decision term to extend")
        if not reason.strip():
            raise ValidationFailed([{"field": "reason", "message": "required for this change"}])
        before = objection.decide_by
        objection.decide_by = objection_dates.extended(before)
        objection.extended_at, objection.extended_by, objection.extension_reason = utcnow(), caller.principal_id, reason
        # The reminder and the escalation run again before the new end.
        objection.term_reminded_at = objection.term_escalated_at = None
        await self._saved(
            objection, caller, "objection.term_extended", decide_by_before=before.isoformat(),
            decide_by=objection.decide_by.isoformat(), reason=reason,
        )
        mail.queue(self.session, "objection_term_extended", objection_id=objection.id)
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
        """The beslissing op bezwaar (art. 7:12 Awb), sent with its letter naming appeal to the court.

        Upheld: the decision is revoked and its effect undone from its start (art. 7:11 Awb), or from the later
        `restore_from` it states with its `restore_reason`. Rejected: it stands (only after the hearing, or with a
        ground of art. 7:3 to leave it out). Inadmissible: not judged on its merits."""
        if outcome is not ObjectionStatus.UPHELD and (restore_from is not None or restore_reason is not None):
            raise ValidationFailed(
                [{"field": "restore_from", "message": "only an upheld objection restores the recognitions"}]
            )
        objection = await self.get(objection_id, caller, for_update=True)
        decision = await self.decisions.get(objection.decision_id, caller, for_update=True)
        apply(OBJECTION_TRANSITIONS, objection, outcome, caller, reason=reason, decision=decision)
        today = clock.today()
        objection.decided_by, objection.decided_at, objection.outcome_reason = (
            caller.principal_id,
            utcnow(),
            reason,
        )
        objection.decided_on = today
        objection.appeal_deadline = calendar.term_end(today, weeks=self.settings.objection_term_weeks)
        if outcome in _SKIPPED_AS and objection.hearing_status in (HearingStatus.NONE, HearingStatus.INVITED):
            objection.hearing_status, objection.hearing_skip_ground = HearingStatus.SKIPPED, _SKIPPED_AS[outcome]
            objection.hearing_skip_note = "Vastgelegd bij de beslissing op bezwaar (artikel 7:3 Awb)."
        detail: dict[str, Any] = {}
        if outcome is ObjectionStatus.UPHELD:
            start = objection_dates.restore_date(decision, restore_from, restore_reason)
            objection.restore_from, objection.restore_reason = start, restore_reason
            detail = await self._revoke_ex_tunc(decision, objection, caller, start)
        await self._saved(objection, caller, f"objection.{outcome.value}", **detail)
        letter = await self._keep_letter(objection, decision, caller)
        await audit.record(
            self.session, caller, "objection.letter_sent", objection,
            detail={"letter_id": str(letter.id), "letter_sha256": letter.sha256, "kenmerk": letter.kenmerk,
                    "appeal_deadline": objection.appeal_deadline.isoformat()},
        )
        mail.queue(self.session, "objection_decided", objection_id=objection.id)
        return objection

    async def _keep_letter(self, objection: Objection, decision: Decision, caller: Caller) -> Any:
        if self.letters is None:
            raise RuntimeError("ObjectionService was built without a LetterRenderer: it cannot write letters")
        html = await self.letters.objection_decision(self.session, self.settings, objection, decision)
        return await dispatch.keep(
            self.session, decision, LetterKind.OBJECTION_DECISION, html, caller, objection=objection
        )

    async def letter(self, objection_id: UUID, caller: Caller) -> dispatch.LetterText:
        """The beslissing op bezwaar as sent (kept unchanged); 404 before it is decided."""
        objection = await self.get(objection_id, caller)
        found = await dispatch.kept_of_objection(self.session, objection.id)
        if found is None:
            raise NotFound("No beslissing op bezwaar was sent for this objection")
        return dispatch.LetterText(html=found.html, kenmerk=found.kenmerk, kept=True)

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


async def _new_reference(session: AsyncSession, received: date) -> str:
    """The objection's own reference, `SBB-BZ-<year of receipt>-<number>`, from the database's sequence."""
    made = await session.exec(sa.select(sa.func.objection_reference(received)))  # type: ignore[call-overload]
    return str(made.scalar_one())
