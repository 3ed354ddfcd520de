"""Reading the criteria: the list in force, the latest assessments, and what a grant still misses.

A grant needs every criterion met in a current assessment of each recognition it names: the latest
assessment, made on the list in force that day (art. 7.2.10 WEB: SBB recognises a company that meets the
conditions). `unmet_for_grant` says what is missing; the decision table's ready hook refuses a grant with
it (409, see `erkenning.recognition.states`).

For other domains:

* `criterion_by_code(session, code, day)` — the criterion of that code in the list in force on `day`;
* `criterion(session, criterion_id)` — one criterion (a decision's or a case's), or None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import clock
from erkenning.core.errors import Conflict, ValidationFailed
from erkenning.recognition.criteria import (
    CriteriaAssessment,
    CriteriaAssessmentItem,
    CriteriaList,
    CriterionResult,
    RecognitionCriterion,
)
from erkenning.recognition.criteria_schemas import AssessmentSummary
from erkenning.recognition.models import Qualification, Recognition


async def in_force(session: AsyncSession, day: date) -> CriteriaList:
    """The criteria list in force on `day`."""
    stmt = select(CriteriaList).where(
        col(CriteriaList.valid_from) <= day,
        sa.or_(col(CriteriaList.valid_until).is_(None), col(CriteriaList.valid_until) > day),
    )
    found = (await session.exec(stmt)).first()
    if found is None:
        raise Conflict(f"No recognition criteria are in force on {day.isoformat()}")
    return found


async def criteria_of(session: AsyncSession, list_id: UUID) -> list[RecognitionCriterion]:
    stmt = (
        select(RecognitionCriterion)
        .where(RecognitionCriterion.criteria_list_id == list_id)
        .order_by(col(RecognitionCriterion.position))
    )
    return list((await session.exec(stmt)).all())


async def titles(session: AsyncSession, day: date | None = None) -> dict[str, str]:
    """Code -> Dutch title of every criterion ever listed, the version in force on `day` (default today) winning."""
    rows = (await session.exec(
        select(col(RecognitionCriterion.code), col(RecognitionCriterion.title), col(CriteriaList.valid_from))
        .join(CriteriaList, col(CriteriaList.id) == col(RecognitionCriterion.criteria_list_id))
        .where(col(CriteriaList.valid_from) <= (day or clock.today()))
        .order_by(col(CriteriaList.valid_from))
    )).all()
    return {code: title for code, title, _ in rows}


async def criterion(session: AsyncSession, criterion_id: UUID | None) -> RecognitionCriterion | None:
    return await session.get(RecognitionCriterion, criterion_id) if criterion_id else None


async def criterion_by_code(
    session: AsyncSession, code: str, day: date, *, field: str = "criterion"
) -> RecognitionCriterion:
    """The criterion of this code in the list in force on `day`; an unknown code is a 422 on `field`."""
    listed = await in_force(session, day)
    for found in await criteria_of(session, listed.id):
        if found.code == code:
            return found
    raise ValidationFailed(
        [{"field": field, "message": f"no criterion {code} in the criteria list in force (version {listed.version})"}]
    )


# ---------------------------------------------------------------- for grants and worklists


async def latest(session: AsyncSession, recognition_ids: Sequence[UUID]) -> dict[UUID, AssessmentSummary]:
    """The latest assessment of each recognition (those with one), summarised."""
    if not recognition_ids:
        return {}
    stmt = (
        select(CriteriaAssessment, CriteriaList.version)
        .join(CriteriaList, col(CriteriaList.id) == col(CriteriaAssessment.criteria_list_id))
        .where(col(CriteriaAssessment.recognition_id).in_(recognition_ids))
        .order_by(
            col(CriteriaAssessment.recognition_id),
            col(CriteriaAssessment.assessed_on).desc(),
            col(CriteriaAssessment.created_at).desc(),
        )
        .ext(distinct_on(col(CriteriaAssessment.recognition_id)))
    )
    found = {a.id: (a, version) for a, version in (await session.exec(stmt)).all()}
    results: dict[UUID, dict[CriterionResult, list[str]]] = {a: {r: [] for r in CriterionResult} for a in found}
    if found:
        items = await session.exec(
            select(CriteriaAssessmentItem.assessment_id, CriteriaAssessmentItem.result, RecognitionCriterion.code)
            .join(RecognitionCriterion, col(RecognitionCriterion.id) == col(CriteriaAssessmentItem.criterion_id))
            .where(col(CriteriaAssessmentItem.assessment_id).in_(list(found)))
            .order_by(col(RecognitionCriterion.position))
        )
        for assessment_id, result, code in items.all():
            results[assessment_id][CriterionResult(result)].append(code)
    return {
        a.recognition_id: AssessmentSummary(
            assessment_id=a.id, assessed_on=a.assessed_on, criteria_version=version, all_met=a.all_met,
            not_met=results[a.id][CriterionResult.NOT_MET], not_assessed=results[a.id][CriterionResult.NOT_ASSESSED],
        )
        for a, version in found.values()
    }


@dataclass(frozen=True)
class Missing:
    """What one recognition of a grant misses: no assessment, one on an older version, or criteria not met."""

    recognition_id: UUID
    name: str  # crebo and pathway, e.g. "25180 bol"
    in_force: int  # the version in force
    assessed_version: int | None = None  # None: never assessed
    not_met: tuple[str, ...] = ()
    not_assessed: tuple[str, ...] = ()
    # The same criteria by their Dutch titles (in the version in force), for pages.
    not_met_titles: tuple[str, ...] = ()
    not_assessed_titles: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.assessed_version is None:
            return f"{self.name}: no assessment of the criteria recorded"
        if self.assessed_version != self.in_force:
            return (
                f"{self.name}: assessed on criteria version {self.assessed_version}; version {self.in_force} is in "
                "force, assess again"
            )
        parts = [f"not met: {', '.join(self.not_met)}"] if self.not_met else []
        parts += [f"not assessed: {', '.join(self.not_assessed)}"] if self.not_assessed else []
        return f"{self.name}: {'; '.join(parts)}"


async def unmet_for_grant(session: AsyncSession, recognition_ids: Sequence[UUID], day: date) -> list[Missing]:
    """Why a grant of these recognitions may not be made on `day`, one per recognition; empty: it may.

    Each needs a current assessment with every criterion met: its latest, on the list in force on `day`."""
    if not recognition_ids:
        return []
    listed = await in_force(session, day)
    found = await latest(session, recognition_ids)
    names = dict((await session.exec(
        select(Recognition.id, sa.func.concat(Qualification.crebo, " ", Recognition.pathway))
        .join(Qualification, col(Qualification.id) == col(Recognition.qualification_id))
        .where(col(Recognition.id).in_(recognition_ids))
    )).all())
    titles = {c.code: c.title for c in await criteria_of(session, listed.id)}
    missing = []
    for rid in sorted(recognition_ids, key=lambda r: names.get(r, "")):
        summary, name = found.get(rid), names.get(rid, str(rid))
        if summary is None:
            missing.append(Missing(rid, name, listed.version))
        elif summary.criteria_version != listed.version or not summary.all_met:
            missing.append(Missing(
                rid, name, listed.version, summary.criteria_version, tuple(summary.not_met),
                tuple(summary.not_assessed), tuple(titles.get(c, c) for c in summary.not_met),
                tuple(titles.get(c, c) for c in summary.not_assessed),
            ))
    return missing
