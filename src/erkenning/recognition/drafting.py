"""What a decision must be when it is drafted and changed: its recognitions, its dates, its kenmerk.

Checked again when it is sent (dates pass), so a decision never takes effect retroactively against the
company, a suspension ends after it starts, and running placements never end before it applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import clock
from erkenning.core.auth.scope import scoped
from erkenning.core.caller import Caller
from erkenning.core.errors import ValidationFailed
from erkenning.recognition.models import DecisionKind, Recognition
from erkenning.recognition.schemas import DecisionCreate
from erkenning.recognition.states import ADVERSE


async def named(session: AsyncSession, recognition_ids: Sequence[UUID], caller: Caller) -> list[Recognition]:
    """The recognitions a decision names: each must exist in the caller's scope, all of one company."""
    stmt = scoped(select(Recognition), Recognition, caller).where(col(Recognition.id).in_(recognition_ids))
    found = list((await session.exec(stmt)).all())
    missing = set(recognition_ids) - {r.id for r in found}
    if missing:
        raise ValidationFailed(
            [{"field": "recognition_ids", "message": f"no such recognition: {sorted(map(str, missing))[0]}"}]
        )
    if len({r.company_id for r in found}) > 1:
        raise ValidationFailed([{"field": "recognition_ids", "message": "a decision concerns one company"}])
    return found


def check_dates(
    kind: DecisionKind, start: date | None, until: date | None, placements_until: date | None = None
) -> None:
    """No retroactive harm; a suspension ends after it starts; running placements may not end before the
    decision applies (`start` None: the day it is sent)."""
    today = clock.today()
    if start is not None and kind in ADVERSE and start < today:
        message = (
            f"a {kind.value} decision does not take effect before it is sent "
            f"(effective_from {start.isoformat()} has passed)"
        )
        raise ValidationFailed([{"field": "effective_from", "message": message}])
    if until is not None and until <= (start or today):
        raise ValidationFailed([{"field": "effective_until", "message": "the suspension would end before it starts"}])
    if placements_until is not None and placements_until < (start or today):
        message = "running placements would end before the decision applies"
        raise ValidationFailed([{"field": "placements_until", "message": message}])


async def new_kenmerk(session: AsyncSession) -> str:
    """A new reference number, `SBB-B-<year of drafting>-<number>`, from the database's sequence."""
    made = await session.exec(sa.select(sa.func.decision_kenmerk(clock.today())))  # type: ignore[call-overload]
    return str(made.scalar_one())


def create_input(**fields: Any) -> DecisionCreate:
    """`DecisionCreate` from another domain's values; its refusals as a `ValidationFailed` (422)."""
    try:
        return DecisionCreate(**fields)
    except ValidationError as exc:
        raise ValidationFailed(
            [{"field": ".".join(map(str, e["loc"])) or "decision", "message": e["msg"]} for e in exc.errors()]
        ) from None
