"""Measures from investigations: an approved suspension or withdrawal becomes an intended decision.

For the investigation workflow:

    decision = await measures.from_investigation(
        session, settings, letters, kind="suspend", recognition_ids=[...], grounds=..., legal_basis=...,
        effective_from=date, effective_until=date | None, placements_until=date, urgent_reason=None,
        criterion_code="non_discrimination", investigation_id=case.id, drafted_by=proposer, intended_by=approver,
    )

drafts the decision and puts it to the company as an intended decision (art. 4:8 Awb), in the caller's
transaction; an urgent one (art. 4:11 Awb) stays a draft for a senior adviser to approve. Nothing is
sent: a person sends a decision, after a senior adviser approved it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import calendar, clock
from erkenning.core.caller import Caller
from erkenning.core.settings import Settings
from erkenning.recognition import drafting
from erkenning.recognition.dispatch import LetterRenderer
from erkenning.recognition.models import Decision, DecisionKind
from erkenning.recognition.services.decisions import DecisionService


async def from_investigation(
    session: AsyncSession,
    settings: Settings,
    letters: LetterRenderer,
    *,
    kind: DecisionKind | str,
    recognition_ids: Sequence[UUID],
    grounds: str,
    legal_basis: str,
    effective_from: date | None,
    effective_until: date | None,
    placements_until: date | None,
    urgent_reason: str | None,
    criterion_code: str | None,
    investigation_id: UUID,
    drafted_by: Caller,
    intended_by: Caller,
) -> Decision:
    """Draft the measure an approved investigation proposes, and put it to the company as an intended
    decision (art. 4:8 Awb): the investigation heard the company on the facts, not on this measure.
    An urgent measure (art. 4:11 Awb, the reason given) stays a draft, for a senior adviser to approve."""
    kind = DecisionKind(kind)
    data = drafting.create_input(
        kind=kind,
        recognition_ids=list(recognition_ids),
        grounds=grounds,
        legal_basis=legal_basis,
        effective_from=effective_from,
        effective_until=effective_until,
        until_reinstated=kind is DecisionKind.SUSPEND and effective_until is None,
        placements_until=placements_until,
        urgent_reason=urgent_reason or None,
        criterion_code=criterion_code,
    )
    service = DecisionService(session, settings, letters)
    decision = await service.draft(data, drafted_by, investigation_id=investigation_id)
    if decision.urgent_reason is None:
        await service.intend(decision.id, intended_by)
    return decision


async def preview_intended(
    session: AsyncSession, settings: Settings, letters: LetterRenderer, *, kind: DecisionKind | str,
    recognition_ids: Sequence[UUID], company_id: UUID, drafted_by: UUID, **dates_and_texts: Any,
) -> str:
    """The intended decision's letter as `from_investigation` would put it today, for the senior adviser who
    approves the proposal to read first: nothing is drafted or kept, and it has no kenmerk of its own yet.
    `dates_and_texts`: `from_investigation`'s grounds, legal_basis, effective_from, effective_until and
    placements_until."""
    today = clock.today()
    decision = Decision(
        kenmerk=PREVIEW_KENMERK, company_id=company_id, drafted_by=drafted_by, kind=DecisionKind(kind),
        intended_on=today, response_due=calendar.term_end(today, days=settings.intended_decision_response_days),
        **dates_and_texts,
    )
    return await letters.intended_decision(session, settings, decision, recognition_ids=list(recognition_ids))


# What a preview's letter shows where the kenmerk goes (the decision gets its own when it is drafted).
PREVIEW_KENMERK = "CONCEPT"
