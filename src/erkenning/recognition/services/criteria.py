"""Recognition criteria lists (versions over time) and the assessments of recognitions against them.

A reassessment that finds every criterion met sets the next one `REASSESSMENT_YEARS` later. The reading
side (the list in force, the latest assessments, what a grant misses) is `erkenning.recognition.assessed`.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import date
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import clock
from erkenning.core.audit import service as audit
from erkenning.core.caller import Caller
from erkenning.core.errors import Conflict, NotFound, ValidationFailed
from erkenning.core.settings import Settings
from erkenning.recognition.assessed import criteria_of, in_force
from erkenning.recognition.criteria import (
    AssessmentOccasion,
    CriteriaAssessment,
    CriteriaAssessmentItem,
    CriteriaList,
    CriterionResult,
    RecognitionCriterion,
)
from erkenning.recognition.criteria_schemas import (
    AssessmentCreate,
    AssessmentItemRead,
    AssessmentRead,
    CriteriaListCreate,
    CriteriaListRead,
    CriterionRead,
)
from erkenning.recognition.models import RecognitionStatus
from erkenning.recognition.services.recognitions import IN_FORCE, RecognitionService, next_reassessment


def _list_read(listed: CriteriaList, criteria: Sequence[RecognitionCriterion]) -> CriteriaListRead:
    return CriteriaListRead(
        id=listed.id,
        version=listed.version,
        valid_from=listed.valid_from,
        valid_until=listed.valid_until,
        note=listed.note,
        published_at=listed.created_at,
        criteria=[CriterionRead.model_validate(c) for c in criteria],
    )


class CriteriaService:
    """Erkenningsvoorwaarden: the versioned lists; admins publish a new version."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def versions(self) -> builtins.list[CriteriaListRead]:
        lists = (await self.session.exec(select(CriteriaList).order_by(col(CriteriaList.version).desc()))).all()
        return [_list_read(listed, await criteria_of(self.session, listed.id)) for listed in lists]

    async def version(self, version: int) -> CriteriaListRead:
        if not 1 <= version <= 2**31 - 1:
            raise NotFound(f"No criteria list version {version}")
        listed = (await self.session.exec(select(CriteriaList).where(CriteriaList.version == version))).first()
        if listed is None:
            raise NotFound(f"No criteria list version {version}")
        return _list_read(listed, await criteria_of(self.session, listed.id))

    async def current(self, day: date | None = None) -> CriteriaListRead:
        listed = await in_force(self.session, day or clock.today())
        return _list_read(listed, await criteria_of(self.session, listed.id))

    async def publish(self, data: CriteriaListCreate, caller: Caller) -> CriteriaListRead:
        """A new version from `valid_from` (today or later); the latest version before it ends that day.

        Assessments already recorded keep the version they were made on."""
        if data.valid_from < clock.today():
            raise ValidationFailed([{"field": "valid_from", "message": "a new version applies from today or later"}])
        # One publisher at a time: lock the latest version (there is always one: the migration ships it).
        latest = (
            await self.session.exec(
                select(CriteriaList).order_by(col(CriteriaList.version).desc()).limit(1).with_for_update()
            )
        ).first()
        if latest is None:
            raise Conflict("No criteria list to follow up")
        if data.valid_from <= latest.valid_from:
            raise ValidationFailed([{
                "field": "valid_from",
                "message": f"must be after version {latest.version}'s start ({latest.valid_from.isoformat()})",
            }])
        latest.valid_until = data.valid_from
        self.session.add(latest)
        listed = CriteriaList(
            version=latest.version + 1, valid_from=data.valid_from, note=data.note, published_by=caller.principal_id
        )
        self.session.add(listed)
        try:
            async with self.session.begin_nested():
                await self.session.flush()
        except IntegrityError:
            # Another admin published the same version number first (the lock held the row we read).
            raise Conflict("Another version was published meanwhile; look at the versions and try again") from None
        criteria = [
            RecognitionCriterion(criteria_list_id=listed.id, position=n, **c.model_dump())
            for n, c in enumerate(data.criteria, 1)
        ]
        self.session.add_all(criteria)
        await self.session.flush()
        await audit.record(
            self.session, caller, "criteria.published", listed,
            detail={"version": listed.version, "valid_from": listed.valid_from.isoformat(),
                    "codes": [c.code for c in criteria]},
        )
        return _list_read(listed, criteria)


class AssessmentService:
    """Beoordelingen: an adviser records per criterion met / not met / not assessed, with a note and the date."""

    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    async def record(self, recognition_id: UUID, data: AssessmentCreate, caller: Caller) -> AssessmentRead:
        """Record an assessment on the list in force that day: at the application (a pending recognition) or as
        a reassessment (one in force); a reassessment with every criterion met sets the next one."""
        if caller.principal_id is None:
            raise Conflict("An assessment is recorded by a person")
        recognition = await RecognitionService(self.session).get(recognition_id, caller, for_update=True)
        today = clock.today()
        assessed_on = data.assessed_on or today
        if assessed_on > today:
            raise ValidationFailed([{"field": "assessed_on", "message": "an assessment is not dated in the future"}])
        if recognition.status is RecognitionStatus.PENDING:
            occasion = AssessmentOccasion.APPLICATION
        elif recognition.status in IN_FORCE:
            occasion = AssessmentOccasion.REASSESSMENT
            if recognition.granted_on and assessed_on < recognition.granted_on:
                raise ValidationFailed([{"field": "assessed_on", "message": "a reassessment is after the grant"}])
        else:
            raise Conflict(f"A {recognition.status.value} recognition is not assessed")
        try:
            listed = await in_force(self.session, assessed_on)
        except Conflict as exc:
            raise ValidationFailed([{"field": "assessed_on", "message": exc.detail}]) from None
        criteria = await criteria_of(self.session, listed.id)
        by_code = {c.code: c for c in criteria}
        given = {item.code: item for item in data.items}
        if unknown := sorted(set(given) - set(by_code)):
            raise ValidationFailed([{
                "field": "items", "message": f"not in criteria list version {listed.version}: {', '.join(unknown)}",
            }])
        judged: list[tuple[RecognitionCriterion, CriterionResult, str | None, date | None]] = []
        for c in criteria:
            item = given.get(c.code)
            result = item.result if item else CriterionResult.NOT_ASSESSED
            on = (item.assessed_on if item else None) or (
                assessed_on if result is not CriterionResult.NOT_ASSESSED else None
            )
            if on is not None and on > today:
                raise ValidationFailed([{"field": "items", "message": f"{c.code}: judged in the future"}])
            judged.append((c, result, item.note if item else None, on))
        assessment = CriteriaAssessment(
            recognition_id=recognition.id, company_id=recognition.company_id, criteria_list_id=listed.id,
            occasion=occasion, assessed_on=assessed_on, assessed_by=caller.principal_id, note=data.note,
            all_met=all(result is CriterionResult.MET for _, result, _, _ in judged),
        )
        items = [
            CriteriaAssessmentItem(assessment_id=assessment.id, criterion_id=c.id, result=result, note=note,
                                   assessed_on=on)
            for c, result, note, on in judged
        ]
        self.session.add(assessment)
        await self.session.flush()
        self.session.add_all(items)
        await self.session.flush()
        next_due = None
        if occasion is AssessmentOccasion.REASSESSMENT and assessment.all_met:
            next_due = next_reassessment(recognition, assessed_on, self.settings)
            self.session.add(recognition)
        await audit.record(
            self.session, caller, "recognition.assessed", assessment,
            detail={
                "recognition_id": str(recognition.id), "occasion": occasion.value, "version": listed.version,
                "assessed_on": assessed_on.isoformat(), "all_met": assessment.all_met,
                "not_met": [
                    c.code for c, i in zip(criteria, items, strict=True) if i.result is CriterionResult.NOT_MET
                ],
                "next_due": next_due.isoformat() if next_due else None,
            },
        )
        return await self._read(assessment, listed, criteria, items)

    async def _read(
        self,
        assessment: CriteriaAssessment,
        listed: CriteriaList,
        criteria: Sequence[RecognitionCriterion],
        items: Sequence[CriteriaAssessmentItem],
    ) -> AssessmentRead:
        titles = {c.id: (c.code, c.title) for c in criteria}
        return AssessmentRead(
            id=assessment.id,
            recognition_id=assessment.recognition_id,
            company_id=assessment.company_id,
            criteria_version=listed.version,
            occasion=assessment.occasion,
            assessed_on=assessment.assessed_on,
            assessed_by=assessment.assessed_by,
            note=assessment.note,
            all_met=assessment.all_met,
            items=[
                AssessmentItemRead(
                    code=titles[i.criterion_id][0], title=titles[i.criterion_id][1], result=i.result, note=i.note,
                    assessed_on=i.assessed_on,
                )
                for i in items
            ],
            created_at=assessment.created_at,
        )

    async def _full(self, assessment: CriteriaAssessment) -> AssessmentRead:
        listed = await self.session.get(CriteriaList, assessment.criteria_list_id)
        assert listed is not None, "an assessment keeps its list"
        criteria = await criteria_of(self.session, listed.id)
        order = {c.id: c.position for c in criteria}
        stmt = select(CriteriaAssessmentItem).where(CriteriaAssessmentItem.assessment_id == assessment.id)
        items = sorted((await self.session.exec(stmt)).all(), key=lambda i: order[i.criterion_id])
        return await self._read(assessment, listed, criteria, items)

    async def for_recognition(self, recognition_id: UUID, caller: Caller) -> builtins.list[AssessmentRead]:
        """Every assessment of a recognition, the latest first (each with the version it was made on)."""
        recognition = await RecognitionService(self.session).get(recognition_id, caller)
        stmt = (
            select(CriteriaAssessment)
            .where(CriteriaAssessment.recognition_id == recognition.id)
            .order_by(col(CriteriaAssessment.assessed_on).desc(), col(CriteriaAssessment.created_at).desc())
        )
        return [await self._full(a) for a in (await self.session.exec(stmt)).all()]

    async def get(self, assessment_id: UUID, caller: Caller) -> AssessmentRead:
        assessment = await self.session.get(CriteriaAssessment, assessment_id)
        if assessment is None or not caller.is_staff:
            raise NotFound("No such assessment")
        return await self._full(assessment)
