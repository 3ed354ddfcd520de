"""Decisions (besluiten): drafted, put to the company first when harmful, approved, sent, final or revoked.

For other domains (the investigation workflow):

    decision = await create_from_investigation(
        session, settings, kind="suspend", recognition_ids=[...], grounds=..., legal_basis=...,
        effective_from=date | None, effective_until=date | None, investigation_id=case.id,
        drafted_by=proposer, approved_by=approver,
    )

drafts, approves (four eyes still hold) and sends in the caller's transaction. A suspension with no
`effective_until` lasts until reinstated.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import calendar, clock, mail
from erkenning.core.audit import service as audit
from erkenning.core.auth.scope import get_scoped, scoped
from erkenning.core.caller import Caller
from erkenning.core.db import utcnow
from erkenning.core.errors import Conflict, InvalidTransition, ValidationFailed
from erkenning.core.logging import get_logger
from erkenning.core.paging import fetch_page
from erkenning.core.settings import Settings
from erkenning.core.states import Move, allowed, apply
from erkenning.recognition import effects
from erkenning.recognition.models import (
    Decision,
    DecisionKind,
    DecisionRecognition,
    DecisionStatus,
    Objection,
    Qualification,
    Recognition,
)
from erkenning.recognition.schemas import (
    DecisionCreate,
    DecisionRecognitionRead,
    DecisionUpdate,
    check_suspension_dates,
)
from erkenning.recognition.states import (
    ADVERSE,
    DECISION_TRANSITIONS,
    needs_hearing,
)

log = get_logger(__name__)

S = DecisionStatus
# Draft decisions in the wide sense: their text is not final or public yet, so every read is audited.
UNSENT = frozenset({S.DRAFT, S.INTENDED, S.APPROVED, S.CANCELLED})


class DecisionService:
    """Besluiten over erkenningen."""

    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

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
                await audit.record(
                    self.session, caller, "decision.read", decision,
                    detail={"status": decision.status.value, "via": via},
                )

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

    async def objection_ids(self, decision_id: UUID, caller: Caller) -> builtins.list[UUID]:
        stmt = scoped(select(Objection.id), Objection, caller).where(Objection.decision_id == decision_id)
        return list((await self.session.exec(stmt.order_by(col(Objection.created_at)))).all())

    def actions(self, decision: Decision, caller: Caller) -> builtins.list[Move]:
        return allowed(DECISION_TRANSITIONS, decision, caller)

    # ------------------------------------------------------------ drafting

    async def _named(self, recognition_ids: Sequence[UUID], caller: Caller) -> builtins.list[Recognition]:
        found = list(
            (
                await self.session.exec(
                    scoped(select(Recognition), Recognition, caller).where(
                        col(Recognition.id).in_(recognition_ids)
                    )
                )
            ).all()
        )
        missing = set(recognition_ids) - {r.id for r in found}
        if missing:
            raise ValidationFailed(
                [
                    {
                        "field": "recognition_ids",
                        "message": f"no such recognition: {sorted(map(str, missing))[0]}",
                    }
                ]
            )
        if len({r.company_id for r in found}) > 1:
            raise ValidationFailed(
                [{"field": "recognition_ids", "message": "a decision concerns one company"}]
            )
        return found

    @staticmethod
    def _check_dates(kind: DecisionKind, start: date | None, until: date | None) -> None:
        """No retroactive harm; a suspension ends after it starts (`start` None: the day it is sent)."""
        if start is not None and kind in ADVERSE and start < clock.today():
            raise ValidationFailed(
                [
                    {
                        "field": "effective_from",
                        "message": f"a {kind.value} decision does not take effect before it is sent "
                        f"(effective_from {start.isoformat()} has passed)",
                    }
                ]
            )
        if until is not None and until <= (start or clock.today()):
            raise ValidationFailed(
                [{"field": "effective_until", "message": "the suspension would end before it starts"}]
            )

    async def draft(
        self, data: DecisionCreate, caller: Caller, *, investigation_id: UUID | None = None
    ) -> Decision:
        recognitions = await self._named(data.recognition_ids, caller)
        self._check_dates(data.kind, data.effective_from, data.effective_until)
        if caller.principal_id is None:
            raise InvalidTransition("A decision is drafted by a person")
        decision = Decision(
            company_id=recognitions[0].company_id,
            kind=data.kind,
            grounds=data.grounds,
            legal_basis=data.legal_basis,
            effective_from=data.effective_from,
            effective_until=data.effective_until,
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
                "recognitions": len(recognitions),
                "investigation_id": str(investigation_id) if investigation_id else None,
            },
        )
        return decision

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
        try:
            check_suspension_dates(decision.kind, start, until, indefinite)
        except ValueError as exc:
            raise ValidationFailed([{"field": "effective_until", "message": str(exc)}]) from None
        self._check_dates(decision.kind, start, until)
        decision.effective_from, decision.effective_until = start, until
        for name in ("grounds", "legal_basis"):
            if given.get(name) is not None:
                setattr(decision, name, given[name])
        ids = [link.recognition_id for link in await self.linked(decision)]
        await effects.plan(self.session, decision, await self._named(ids, caller), caller)
        decision.updated_at = utcnow()
        self.session.add(decision)
        await audit.record(
            self.session, caller, "decision.updated", decision, detail={"fields": sorted(given)}
        )
        return decision

    # ------------------------------------------------------------ intended decision (art. 4:8 Awb)

    async def intend(self, decision_id: UUID, caller: Caller) -> Decision:
        """Put a harmful decision to the company, which may respond within the term."""
        decision = await self.get(decision_id, caller, for_update=True)
        apply(DECISION_TRANSITIONS, decision, S.INTENDED, caller)
        decision.intended_on = clock.today()
        decision.response_due = calendar.term_end(
            decision.intended_on, days=self.settings.intended_decision_response_days
        )
        await self.saved(
            decision, caller, "decision.intended", response_due=decision.response_due.isoformat()
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

    async def approve(self, decision_id: UUID, caller: Caller) -> Decision:
        decision = await self.get(decision_id, caller, for_update=True)
        apply(DECISION_TRANSITIONS, decision, S.APPROVED, caller)
        if (
            needs_hearing(decision)
            and decision.response_received_at is None
            and decision.response_term_passed_at is None
        ):
            decision.response_term_passed_at = utcnow()
            await audit.record(self.session, caller, "decision.response_term_passed", decision)
        decision.approved_by, decision.approved_at = caller.principal_id, utcnow()
        await self.saved(decision, caller, "decision.approved")
        return decision

    async def reopen(self, decision_id: UUID, caller: Caller) -> Decision:
        decision = await self.get(decision_id, caller, for_update=True)
        apply(DECISION_TRANSITIONS, decision, S.DRAFT, caller)
        decision.approved_by = decision.approved_at = None
        await self.saved(decision, caller, "decision.reopened")
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
        """approved → sent: the decision takes effect on its recognitions and the objection term starts."""
        apply(DECISION_TRANSITIONS, decision, S.SENT, caller)
        today = clock.today()
        self._check_dates(decision.kind, decision.effective_from, decision.effective_until)
        decision.effective_from = decision.effective_from or today
        links = {link.recognition_id: link for link in await self.linked(decision)}
        recognitions = await effects.lock(self.session, sorted(links))
        planned = await effects.plan(self.session, decision, recognitions, caller)
        decision.sent_at, decision.sent_on = utcnow(), today
        decision.objection_deadline = calendar.term_end(today, weeks=self.settings.objection_term_weeks)
        await self.saved(
            decision, caller, "decision.sent", objection_deadline=decision.objection_deadline.isoformat()
        )
        await effects.carry_out(self.session, self.settings, decision, planned, caller, today)
        for effect in planned:
            link = links[effect.recognition.id]
            link.status_before, link.status_after = effect.before, effect.after
            self.session.add(link)
        mail.queue(self.session, "decision_sent", decision_id=decision.id)
        log.info("decision.sent", decision_id=str(decision.id), kind=decision.kind.value)
        return decision

    # ------------------------------------------------------------ from an investigation

    async def create_from_investigation(
        self,
        *,
        kind: DecisionKind | str,
        recognition_ids: Sequence[UUID],
        grounds: str,
        legal_basis: str,
        effective_from: date | None,
        effective_until: date | None,
        investigation_id: UUID,
        drafted_by: Caller,
        approved_by: Caller,
    ) -> Decision:
        """Draft, approve and send in one go: the investigation heard the company, so no intended decision."""
        kind = DecisionKind(kind)
        try:
            data = DecisionCreate(
                kind=kind,
                recognition_ids=list(recognition_ids),
                grounds=grounds,
                legal_basis=legal_basis,
                effective_from=effective_from,
                effective_until=effective_until,
                until_reinstated=kind is DecisionKind.SUSPEND and effective_until is None,
            )
        except ValidationError as exc:
            raise ValidationFailed(
                [
                    {"field": ".".join(map(str, e["loc"])) or "decision", "message": e["msg"]}
                    for e in exc.errors()
                ]
            ) from None
        decision = await self.draft(data, drafted_by, investigation_id=investigation_id)
        await self.approve(decision.id, approved_by)
        return await self.send(decision.id, approved_by)

    async def saved(self, decision: Decision, caller: Caller, action: str, **detail: Any) -> None:
        decision.updated_at = utcnow()
        self.session.add(decision)
        await self.session.flush()
        await audit.record(
            self.session, caller, action, decision, detail={"status": decision.status.value, **detail}
        )


async def create_from_investigation(session: AsyncSession, settings: Settings, **kwargs: Any) -> Decision:
    """See `DecisionService.create_from_investigation` (the entry point for the investigation workflow)."""
    return await DecisionService(session, settings).create_from_investigation(**kwargs)
