"""Letters of decisions: the domain keeps them, the renderer above it writes them.

A decision is a besluit under the Awb; the company is told of it by a letter (art. 3:41 Awb: a
decision addressed to someone is made known by sending it), and that letter names the remedy (art.
3:45 Awb). The text is written by `erkenning.letters` (Jinja templates, above the domains), which this
domain cannot import: a `DecisionService` is given a `LetterRenderer` by the code above it (the app's
providers, the worker's wiring, the CLI). What goes out is kept here unchanged (`letter`: the
database refuses UPDATE and DELETE) with its SHA-256, which the audit row of that moment repeats.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from uuid import UUID

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import calendar, clock
from erkenning.core.caller import Caller
from erkenning.core.errors import InvalidTransition
from erkenning.core.settings import Settings
from erkenning.recognition.models import Decision, Letter, LetterKind, Objection


@dataclass(frozen=True)
class Dispatch:
    """The dates a decision letter states: as it was sent, or as it would be sent today (a preview)."""

    decided_on: date  # the day the decision was taken (approved)
    sent_on: date  # the day it is sent (bekendgemaakt); the objection term starts the day after (art. 6:8)
    effective_from: date
    objection_deadline: date  # the last day of the objection term (art. 6:7 Awb, Algemene termijnenwet)

    @classmethod
    def of_sent(cls, decision: Decision) -> Dispatch:
        """The dates of a decision being sent or already sent."""
        if decision.sent_on is None or decision.effective_from is None or decision.objection_deadline is None:
            raise InvalidTransition("This decision has not been sent")
        return cls(
            decided_on=_decided_on(decision, decision.sent_on),
            sent_on=decision.sent_on,
            effective_from=decision.effective_from,
            objection_deadline=decision.objection_deadline,
        )

    @classmethod
    def if_sent_today(cls, decision: Decision, settings: Settings) -> Dispatch:
        """The dates the letter would state if the decision were sent today."""
        today = clock.today()
        return cls(
            decided_on=_decided_on(decision, today),
            sent_on=today,
            effective_from=decision.effective_from or today,
            objection_deadline=calendar.term_end(today, weeks=settings.objection_term_weeks),
        )


def _decided_on(decision: Decision, otherwise: date) -> date:
    return clock.local(decision.approved_at).date() if decision.approved_at else otherwise


@dataclass(frozen=True)
class LetterText:
    """A letter to hand out: its HTML, its kenmerk, and whether it is the one kept (else a preview)."""

    html: str
    kenmerk: str
    kept: bool

    @property
    def filename(self) -> str:
        return f"{self.kenmerk}{'' if self.kept else '-concept'}.html"


class LetterRenderer(Protocol):
    """Writes the letters of a decision as print-ready HTML (one document, its style embedded)."""

    async def decision(
        self, session: AsyncSession, settings: Settings, decision: Decision, dispatch: Dispatch
    ) -> str:
        """The decision letter: kenmerk, dates, addressee, recognitions, the decision, its basis and
        grounds, effect, transition arrangement, and the remedy (art. 3:45 Awb)."""
        ...

    async def intended_decision(
        self, session: AsyncSession, settings: Settings, decision: Decision,
        recognition_ids: Sequence[UUID] | None = None,
    ) -> str:
        """The intended decision (voornemen, art. 4:8 Awb): the measure, its scope and grounds, and until
        when the company may respond. `recognition_ids` names the scope of a decision not yet drafted (a
        preview); otherwise the decision's own recognitions."""
        ...

    async def objection_decision(
        self, session: AsyncSession, settings: Settings, objection: Objection, decision: Decision
    ) -> str:
        """The beslissing op bezwaar (art. 7:12 Awb): the objection's reference, the contested decision, the
        outcome and its grounds, how the objector was heard, and appeal to the court (art. 8:1, 8:7, 6:7)."""
        ...


def sha256(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def kenmerk_of(decision: Decision, kind: LetterKind) -> str:
    """A letter's own kenmerk: the decision's for the decision letter, with a suffix for the others."""
    assert decision.kenmerk is not None
    if kind is LetterKind.DECISION:
        return decision.kenmerk
    # A reopened decision is put to the company again (its earlier intentions spent): -V2, -V3, …
    spent = len(decision.earlier_intentions or [])
    return f"{decision.kenmerk}-V{spent + 1 if spent else ''}"


async def keep(
    session: AsyncSession,
    decision: Decision,
    kind: LetterKind,
    html: str,
    caller: Caller,
    *,
    objection: Objection | None = None,
) -> Letter:
    """Store a letter as it goes out (once: it can never be changed afterwards). A beslissing op bezwaar
    is kept under its objection's reference."""
    if caller.principal_id is None:
        raise InvalidTransition("A letter goes out on behalf of a person")
    kenmerk = objection.reference if objection is not None and objection.reference else kenmerk_of(decision, kind)
    letter = Letter(
        kenmerk=kenmerk, kind=kind.value, decision_id=decision.id, html=html,
        sha256=sha256(html), created_by=caller.principal_id, objection_id=objection.id if objection else None,
    )
    session.add(letter)
    await session.flush()
    return letter


async def kept(session: AsyncSession, decision_id: UUID, kind: LetterKind) -> Letter | None:
    """The stored letter of this kind of a decision, if one went out."""
    stmt = (
        select(Letter)
        .where(Letter.decision_id == decision_id, Letter.kind == kind.value)
        .order_by(col(Letter.created_at).desc())
    )
    return (await session.exec(stmt)).first()


async def kept_of_objection(session: AsyncSession, objection_id: UUID) -> Letter | None:
    """The beslissing op bezwaar kept for an objection, if it was decided."""
    stmt = select(Letter).where(
        Letter.objection_id == objection_id, Letter.kind == LetterKind.OBJECTION_DECISION.value
    )
    return (await session.exec(stmt)).first()
