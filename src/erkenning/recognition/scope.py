"""The full scope of a decision, for whoever approves or sends it: each recognition with its status
before and after, and the dates.

After sending, the statuses are those recorded when it took effect. Before, they are what sending it
today would do (`effects.plan`, which writes nothing), with the reason where it could not.
"""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import clock
from erkenning.core.caller import Caller, Role
from erkenning.core.errors import DomainError
from erkenning.recognition import effects
from erkenning.recognition.models import Decision, DecisionRecognition, DecisionStatus, Qualification, Recognition
from erkenning.recognition.schemas import ScopeRead

# The dry run of sending asks what an adviser sending it could do; it changes nothing.
_PREVIEW = Caller(principal_id=None, role=Role.ADVISER, name="scope preview")
_SENT = frozenset({DecisionStatus.SENT, DecisionStatus.FINAL, DecisionStatus.REVOKED})


async def of_decision(session: AsyncSession, decision: Decision) -> list[ScopeRead]:
    stmt = (
        select(DecisionRecognition, Recognition, Qualification)
        .join(Recognition, col(Recognition.id) == col(DecisionRecognition.recognition_id))
        .join(Qualification, col(Qualification.id) == col(Recognition.qualification_id))
        .where(DecisionRecognition.decision_id == decision.id)
        .order_by(col(Qualification.crebo), col(Recognition.pathway))
    )
    rows = []
    for link, recognition, qualification in (await session.exec(stmt)).all():
        before, after, problem = link.status_before, link.status_after, None
        if decision.status not in _SENT:
            try:
                [effect] = await effects.plan(session, decision, [recognition], _PREVIEW)
                before, after = effect.before, effect.after
            except DomainError as exc:
                problem = exc.detail
        rows.append(
            ScopeRead(
                recognition_id=recognition.id,
                crebo=qualification.crebo,
                qualification_name=qualification.name,
                level=qualification.level,
                pathway=recognition.pathway,
                status_before=before,
                status_after=after,
                effective_from=decision.effective_from or clock.today(),
                effective_until=decision.effective_until,
                placements_until=decision.placements_until,
                problem=problem,
            )
        )
    return rows
