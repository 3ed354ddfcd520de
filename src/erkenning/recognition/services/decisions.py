"""Decisions (besluiten): drafted, put to the company first when harmful, approved, sent by a person with
their letter, final or revoked.

The procedure follows the Awb: a harmful decision is first put to the company as an intended decision
(voornemen, art. 4:8) unless it is urgent and the reason is recorded (art. 4:11); a senior adviser who
did not draft it approves it once the company responded (and confirms having read the response) or
the term passed; a person sends it, and the letter (art. 3:41, with the remedy of art. 3:45) is kept
unchanged with its hash in the audit trail. The letter is written by the `LetterRenderer` this service
is given (see `erkenning.recognition.dispatch`).

An investigation's approved measure becomes an intended decision through
`erkenning.recognition.services.measures.from_investigation`.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any
from uuid import UUID

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import calendar, clock, mail
from erkenning.core.audit import service as audit
from erkenning.core.auth.scope import get_scoped, scoped
from erkenning.core.caller import Caller
from erkenning.core.db import utcnow
from erkenning.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from erkenning.core.logging import get_logger
from erkenning.core.paging import fetch_page
from erkenning.core.settings import Settings
from erkenning.core.states import Move, allowed, apply
from erkenning.recognition import assessed, dispatch, drafting, effects, scope
from erkenning.recognition.criteria import RecognitionCriterion
from erkenning.recognition.dispatch import Dispatch, LetterRenderer
from erkenning.recognition.models import (
    Decision,
    DecisionKind,
    DecisionRecognition,
    DecisionStatus,
    LetterKind,
    Objection,
    Qualification,
    Recognition,
)
from erkenning.recognition.schemas import (
    NAMES_CRITERION,
    DecisionCreate,
    DecisionRecognitionRead,
    DecisionUpdate,
    ScopeRead,
    date_problems,
)
from erkenning.recognition.states import (
    DECISION_TRANSITIONS,
    needs_hearing,
)

log = get_logger(__name__)

S = DecisionStatus
# Draft decisions in the wide sense: their text is not final or public yet, so every read is audited.
UNSENT = frozenset({S.DRAFT, S.INTENDED, S.APPROVED, S.CANCELLED})


class DecisionService:
    """Besluiten over erkenningen."""

    def __init__(self, session: AsyncSession, settings: Settings, letters: LetterRenderer | None = None) -> None:
        self.session = session
        self.settings = settings
        self.letters = letters

    def _renderer(self) -> LetterRenderer:
        if self.letters is None:
            raise RuntimeError("DecisionService was built without a LetterRenderer: it cannot write letters")
        return self.letters

    async def get(self, decision_id: UUID, caller: Caller, *, for_update: bool = False) -> Decision:
        return await get_scoped(
            self.session, Decision, decision_id, caller, for_update=for_update, what="decision"
        )

    async def read(self, decision_id: UUID, caller: Caller) -> Decision:
        """One decision to show; a read of one not yet sent (a draft, before it is final) is audited."""
        decision = await self.get(decision_id, caller)
        await self.audit_reads([decision], caller)
        return decision

    async def audit_reads(self, decisions: Sequence[Decision], caller: Caller, *, via: str = "detail") -> None:
        """Audit the reads of the decisions shown that are not sent yet (their text is not public)."""
        for decision in decisions:
            if decision.status in UNSENT:
                detail = {"status": decision.status.value, "via": via}
                await audit.record(self.session, caller, "decision.read", decision, detail=detail)

    async def list(
        self,
        caller: Caller,
        *,
        company_id: UUID | None = None,
        status: DecisionStatus | None = None,
        kind: DecisionKind | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Decision], int]:
        stmt = scoped(select(Decision), Decision, caller)
        if company_id is not None:
            stmt = stmt.where(Decision.company_id == company_id)
        if status is not None:
            stmt = stmt.where(Decision.status == status)
        if kind is not None:
            stmt = stmt.where(Decision.kind == kind)
        order = (col(Decision.created_at).desc(), col(Decision.id))
        return await fetch_page(self.session, stmt, *order, limit=limit, offset=offset)

    async def recognitions(self, decision_id: UUID) -> builtins.list[DecisionRecognitionRead]:
        stmt = (
            select(DecisionRecognition, Recognition, Qualification)
            .join(Recognition, col(Recognition.id) == col(DecisionRecognition.recognition_id))
            .join(Qualification, col(Qualification.id) == col(Recognition.qualification_id))
            .where(DecisionRecognition.decision_id == decision_id)
            .order_by(col(Qualification.crebo), col(Recognition.pathway))
        )
        return [
            DecisionRecognitionRead(
                recognition_id=r.id,
                crebo=q.crebo,
                qualification_name=q.name,
                pathway=r.pathway,
                status_before=link.status_before,
                status_after=link.status_after,
            )
            for link, r, q in (await self.session.exec(stmt)).all()
        ]

    async def scope(self, decision: Decision) -> Sequence[ScopeRead]:
        """Each recognition with what the decision does (or would do, sent today) to it, and the dates."""
        return await scope.of_decision(self.session, decision)

    async def objection_ids(self, decision_id: UUID, caller: Caller) -> builtins.list[UUID]:
        stmt = scoped(select(Objection.id), Objection, caller).where(Objection.decision_id == decision_id)
        return list((await self.session.exec(stmt.order_by(col(Objection.created_at)))).all())

    async def criteria_given(self, decision: Decision) -> dict[str, Any]:
        """What the decision table's criteria check is given: for a grant, what its recognitions still miss."""
        if decision.kind is not DecisionKind.GRANT:
            return {}
        return {"criteria_unmet": [str(m) for m in await self.criteria_missing(decision)]}

    async def criteria_missing(self, decision: Decision) -> builtins.list[assessed.Missing]:
        """A grant: what each of its recognitions still misses of the criteria in force today."""
        if decision.kind is not DecisionKind.GRANT:
            return []
        ids = [link.recognition_id for link in await self.linked(decision)]
        return await assessed.unmet_for_grant(self.session, ids, clock.today())

    async def criteria_unmet(self, decision: Decision) -> builtins.list[str]:
        """A grant not yet sent: what its recognitions still miss of the criteria (empty otherwise)."""
        if decision.status not in (S.DRAFT, S.APPROVED):
            return []
        missing: builtins.list[str] = (await self.criteria_given(decision)).get("criteria_unmet", [])
        return missing

    async def criterion_of(self, decision: Decision) -> RecognitionCriterion | None:
        """The recognition criterion the decision names as no longer met."""
        return await assessed.criterion(self.session, decision.criterion_id)

    async def actions(self, decision: Decision, caller: Caller) -> builtins.list[Move]:
        """The moves the caller may make now; approving names `response_read` once the company responded."""
        given = await self.criteria_given(decision) if decision.status in (S.DRAFT, S.APPROVED) else {}
        moves = allowed(DECISION_TRANSITIONS, decision, caller, response_read=True, **given)
        if decision.response_received_at is None:
            return moves
        return [replace(m, needs=(*m.needs, "response_read")) if m.to == S.APPROVED.value else m for m in moves]

    # ------------------------------------------------------------ drafting

    async def draft(
        self, data: DecisionCreate, caller: Caller, *, investigation_id: UUID | None = None
    ) -> Decision:
        recognitions = await drafting.named(self.session, data.recognition_ids, caller)
        drafting.check_dates(data.kind, data.effective_from, data.effective_until, data.placements_until)
        if caller.principal_id is None:
            raise InvalidTransition("A decision is drafted by a person")
        decision = Decision(
            kenmerk=await drafting.new_kenmerk(self.session),
            company_id=recognitions[0].company_id,
            kind=data.kind,
            grounds=data.grounds,
            legal_basis=data.legal_basis,
            effective_from=data.effective_from,
            effective_until=data.effective_until,
            placements_until=data.placements_until,
            urgent_reason=data.urgent_reason,
            criterion_id=await self._criterion_id(data.criterion_code),
            investigation_id=investigation_id,
            drafted_by=caller.principal_id,
        )
        await effects.plan(
            self.session, decision, recognitions, caller
        )  # refuses now what could never be sent
        self.session.add(decision)
        await self.session.flush()
        self.session.add_all(
            DecisionRecognition(decision_id=decision.id, recognition_id=r.id) for r in recognitions
        )
        await self.session.flush()
        await audit.record(
            self.session,
            caller,
            "decision.drafted",
            decision,
            detail={
                "kind": decision.kind.value,
                "kenmerk": decision.kenmerk,
                "recognitions": len(recognitions),
                "investigation_id": str(investigation_id) if investigation_id else None,
                "urgent_reason": decision.urgent_reason,
                "criterion_code": data.criterion_code,
            },
        )
        return decision

    async def _criterion_id(self, code: str | None) -> UUID | None:
        if code is None:
            return None
        return (await assessed.criterion_by_code(self.session, code, clock.today(), field="criterion_code")).id

    async def linked(self, decision: Decision) -> builtins.list[DecisionRecognition]:
        stmt = select(DecisionRecognition).where(DecisionRecognition.decision_id == decision.id)
        return list((await self.session.exec(stmt)).all())

    async def update(self, decision_id: UUID, data: DecisionUpdate, caller: Caller) -> Decision:
        decision = await self.get(decision_id, caller, for_update=True)
        if decision.status is not S.DRAFT:
            raise InvalidTransition(f"Only a draft can be changed; this decision is {decision.status.value}")
        given = data.model_dump(exclude_unset=True)
        start = data.effective_from if "effective_from" in given else decision.effective_from
        if "effective_until" in given or "until_reinstated" in given:
            until, indefinite = data.effective_until, data.until_reinstated
        else:
            until, indefinite = decision.effective_until, decision.until_reinstated
        placements = data.placements_until if "placements_until" in given else decision.placements_until
        urgent = data.urgent_reason if "urgent_reason" in given else decision.urgent_reason
        if problems := date_problems(decision.kind, start, until, indefinite, placements, urgent):
            raise ValidationFailed(problems)
        drafting.check_dates(decision.kind, start, until, placements)
        decision.effective_from, decision.effective_until = start, until
        decision.placements_until, decision.urgent_reason = placements, urgent
        for name in ("grounds", "legal_basis"):
            if given.get(name) is not None:
                setattr(decision, name, given[name])
        if "criterion_code" in given:
            if data.criterion_code is None and decision.kind in NAMES_CRITERION:
                message = "a suspension or withdrawal names the criterion no longer met"
                raise ValidationFailed([{"field": "criterion_code", "message": message}])
            decision.criterion_id = await self._criterion_id(data.criterion_code)
        ids = [link.recognition_id for link in await self.linked(decision)]
        await effects.plan(self.session, decision, await drafting.named(self.session, ids, caller), caller)
        decision.updated_at = utcnow()
        self.session.add(decision)
        detail: dict[str, Any] = {"fields": sorted(given)}
        if "urgent_reason" in given:
            detail["urgent_reason"] = urgent
        await audit.record(self.session, caller, "decision.updated", decision, detail=detail)
        return decision

    # ------------------------------------------------------------ intended decision (art. 4:8 Awb)

    async def intend(self, decision_id: UUID, caller: Caller) -> Decision:
        """Put a harmful decision to the company (e-mail, portal, a kept letter); it may respond within the term."""
        decision = await self.get(decision_id, caller, for_update=True)
        apply(DECISION_TRANSITIONS, decision, S.INTENDED, caller)
        decision.intended_on = clock.today()
        decision.response_due = calendar.term_end(
            decision.intended_on, days=self.settings.intended_decision_response_days
        )
        html = await self._renderer().intended_decision(self.session, self.settings, decision)
        letter = await dispatch.keep(self.session, decision, LetterKind.INTENDED_DECISION, html, caller)
        await self.saved(
            decision,
            caller,
            "decision.intended",
            response_due=decision.response_due.isoformat(),
            letter_id=str(letter.id),
            letter_sha256=letter.sha256,
        )
        mail.queue(self.session, "decision_intended", decision_id=decision.id)
        return decision

    async def record_response(self, decision_id: UUID, text: str, caller: Caller) -> Decision:
        """The company's response (through the portal, or received otherwise and recorded by an adviser)."""
        decision = await self.get(decision_id, caller, for_update=True)
        if decision.status is not S.INTENDED:
            raise InvalidTransition(
                "A response is taken while the decision is an intended decision, before approval"
            )
        if decision.response_received_at is not None:
            raise Conflict("The response to this intended decision has already been recorded")
        decision.response_text = text
        decision.response_received_at = utcnow()
        await self.saved(
            decision,
            caller,
            "decision.response_recorded",
            late=clock.today() > (decision.response_due or date.max),
        )
        return decision

    # ------------------------------------------------------------ approval, sending, reopening

    async def approve(self, decision_id: UUID, caller: Caller, *, response_read: bool = False) -> Decision:
        """Approve; after a response to the intended decision only by one who confirms having read it."""
        decision = await self.get(decision_id, caller, for_update=True)
        given = await self.criteria_given(decision)
        apply(DECISION_TRANSITIONS, decision, S.APPROVED, caller, response_read=response_read, **given)
        if (
            needs_hearing(decision)
            and decision.response_received_at is None
            and decision.response_term_passed_at is None
        ):
            decision.response_term_passed_at = utcnow()
            await audit.record(self.session, caller, "decision.response_term_passed", decision)
        if decision.response_received_at is not None:
            decision.response_read_by, decision.response_read_at = caller.principal_id, utcnow()
            await audit.record(self.session, caller, "decision.response_read", decision)
        decision.approved_by, decision.approved_at = caller.principal_id, utcnow()
        await self.saved(decision, caller, "decision.approved", urgent_reason=decision.urgent_reason)
        return decision

    async def reopen(self, decision_id: UUID, caller: Caller) -> Decision:
        """Back to draft; the approval lapses. A decision that was put to the company as an intended decision
        needs a new one before it is approved again (art. 4:8 Awb): the measure may change in the draft, and
        the company was heard on the old one. The spent intention and its response stay on record."""
        decision = await self.get(decision_id, caller, for_update=True)
        apply(DECISION_TRANSITIONS, decision, S.DRAFT, caller)
        decision.approved_by = decision.approved_at = None
        decision.response_read_by = decision.response_read_at = None
        spent = decision.intended_on is not None
        if spent:
            decision.earlier_intentions = [*decision.earlier_intentions, _intention_of(decision)]
            decision.intended_on = decision.response_due = None
            decision.response_text = None
            decision.response_received_at = decision.response_term_passed_at = None
        await self.saved(decision, caller, "decision.reopened", intention_spent=spent)
        return decision

    async def cancel(self, decision_id: UUID, caller: Caller) -> Decision:
        decision = await self.get(decision_id, caller, for_update=True)
        was = apply(DECISION_TRANSITIONS, decision, S.CANCELLED, caller)
        decision.cancelled_at = utcnow()
        await self.saved(decision, caller, "decision.cancelled", was=was.value)
        if was is S.INTENDED:
            mail.queue(self.session, "decision_intention_dropped", decision_id=decision.id)
        return decision

    async def send(self, decision_id: UUID, caller: Caller) -> Decision:
        decision = await self.get(decision_id, caller, for_update=True)
        return await self.send_locked(decision, caller)

    async def send_locked(self, decision: Decision, caller: Caller) -> Decision:
        """approved → sent, by a person: the letter is written and kept, the decision takes effect on its
        recognitions, and the objection term starts (art. 6:7/6:8 Awb)."""
        apply(DECISION_TRANSITIONS, decision, S.SENT, caller, **await self.criteria_given(decision))
        today = clock.today()
        drafting.check_dates(
            decision.kind, decision.effective_from, decision.effective_until, decision.placements_until
        )
        decision.effective_from = decision.effective_from or today
        links = {link.recognition_id: link for link in await self.linked(decision)}
        recognitions = await effects.lock(self.session, sorted(links))
        planned = await effects.plan(self.session, decision, recognitions, caller)
        decision.sent_at, decision.sent_on, decision.sent_by = utcnow(), today, caller.principal_id
        decision.objection_deadline = calendar.term_end(today, weeks=self.settings.objection_term_weeks)
        html = await self._renderer().decision(self.session, self.settings, decision, Dispatch.of_sent(decision))
        letter = await dispatch.keep(self.session, decision, LetterKind.DECISION, html, caller)
        await self.saved(
            decision,
            caller,
            "decision.sent",
            kenmerk=decision.kenmerk,
            objection_deadline=decision.objection_deadline.isoformat(),
            letter_id=str(letter.id),
            letter_sha256=letter.sha256,
        )
        await effects.carry_out(self.session, self.settings, decision, planned, caller, today)
        for effect in planned:
            link = links[effect.recognition.id]
            link.status_before, link.status_after = effect.before, effect.after
            self.session.add(link)
        mail.queue(self.session, "decision_sent", decision_id=decision.id)
        log.info("decision.sent", decision_id=str(decision.id), kind=decision.kind.value)
        return decision

    # ------------------------------------------------------------ letters

    async def has_letter(self, decision: Decision, kind: LetterKind) -> bool:
        return await dispatch.kept(self.session, decision.id, kind) is not None

    async def letter(
        self, decision_id: UUID, caller: Caller, kind: LetterKind | None = None
    ) -> dispatch.LetterText:
        """A letter of the decision to read or download (the read audited as any other, see `read`)."""
        return await self.letter_of(await self.read(decision_id, caller), caller, kind)

    async def letter_of(
        self, decision: Decision, caller: Caller, kind: LetterKind | None = None
    ) -> dispatch.LetterText:
        """A letter of a decision the caller has read.

        The decision letter of a sent decision is the one kept; before sending, staff get it as it would be
        sent today (not kept). The intended decision's letter is the one kept when it was put to the
        company. Without `kind`: the intended decision's letter while that is where it stands, else the
        decision letter.
        """
        if kind is None:
            kind = LetterKind.INTENDED_DECISION if decision.status is S.INTENDED else LetterKind.DECISION
        if kind is LetterKind.DECISION and decision.status in UNSENT:
            if not caller.is_staff:
                raise NotFound("This decision has not been sent")
            if decision.status is S.CANCELLED:
                raise InvalidTransition("A cancelled decision is never sent: it has no letter")
            dispatched = Dispatch.if_sent_today(decision, self.settings)
            html = await self._renderer().decision(self.session, self.settings, decision, dispatched)
            return dispatch.LetterText(html=html, kenmerk=dispatch.kenmerk_of(decision, kind), kept=False)
        found = await dispatch.kept(self.session, decision.id, kind)
        if found is None:
            raise NotFound("No letter of this kind was kept for this decision")
        return dispatch.LetterText(html=found.html, kenmerk=found.kenmerk, kept=True)

    async def saved(self, decision: Decision, caller: Caller, action: str, **detail: Any) -> None:
        decision.updated_at = utcnow()
        self.session.add(decision)
        await self.session.flush()
        await audit.record(
            self.session, caller, action, decision, detail={"status": decision.status.value, **detail}
        )


def _intention_of(decision: Decision) -> dict[str, Any]:
    """The intended decision being spent, with the response it got (kept in `earlier_intentions`)."""
    def day(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "intended_on": day(decision.intended_on),
        "response_due": day(decision.response_due),
        "response_received_at": day(decision.response_received_at),
        "response_text": decision.response_text,
    }
