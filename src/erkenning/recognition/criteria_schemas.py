"""API shapes for the recognition criteria lists and the assessments recorded against them (staff only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from erkenning.recognition.criteria import NON_DISCRIMINATION, AssessmentOccasion, CriterionResult

CriterionCode = Annotated[
    str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$", description="the criterion's stable code, e.g. non_discrimination")
]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# ---------------------------------------------------------------- the lists


class CriterionCreate(_Input):
    code: CriterionCode
    title: str = Field(min_length=1, max_length=200, description="Dutch title, as in letters and pages")
    description: str = Field(min_length=1, max_length=4000)
    source: str = Field(min_length=1, max_length=500, description="legal or policy source (e.g. art. 7.2.10 WEB)")


class CriteriaListCreate(_Input):
    valid_from: date = Field(description="from this day on the new version is in force; the previous one ends then")
    note: str | None = Field(default=None, max_length=2000, description="why this version")
    criteria: list[CriterionCreate] = Field(min_length=1, max_length=30)

    @model_validator(mode="after")
    def _codes(self) -> Self:
        codes = [c.code for c in self.criteria]
        if len(set(codes)) != len(codes):
            raise ValueError("criteria: each code once")
        if NON_DISCRIMINATION not in codes:
            # Stagepact mbo / motie-Van Baarle: discrimination-free recruitment and workplace is an explicit condition.
            raise ValueError(f"criteria: the list keeps the explicit criterion {NON_DISCRIMINATION}")
        return self


class CriterionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    code: str
    title: str
    description: str
    source: str
    position: int


class CriteriaListRead(BaseModel):
    id: UUID
    version: int
    valid_from: date
    valid_until: date | None
    note: str | None
    published_at: datetime
    criteria: list[CriterionRead]


# ---------------------------------------------------------------- assessments


class AssessmentItemCreate(_Input):
    code: CriterionCode
    result: CriterionResult
    note: str | None = Field(default=None, max_length=2000)
    assessed_on: date | None = Field(
        default=None,
        description="when this criterion was judged; default: the assessment's date (none if not assessed)",
    )


class AssessmentCreate(_Input):
    assessed_on: date | None = Field(default=None, description="the day of the assessment; default today")
    note: str | None = Field(default=None, max_length=4000)
    items: list[AssessmentItemCreate] = Field(
        max_length=30, description="per criterion of the list in force; a criterion left out is not assessed"
    )

    @model_validator(mode="after")
    def _once(self) -> Self:
        codes = [i.code for i in self.items]
        if len(set(codes)) != len(codes):
            raise ValueError("items: each criterion once")
        return self


class AssessmentItemRead(BaseModel):
    code: str
    title: str
    result: CriterionResult
    note: str | None
    assessed_on: date | None


class AssessmentRead(BaseModel):
    id: UUID
    recognition_id: UUID
    company_id: UUID
    criteria_version: int
    occasion: AssessmentOccasion
    assessed_on: date
    assessed_by: UUID
    note: str | None
    all_met: bool
    items: list[AssessmentItemRead]
    created_at: datetime


class AssessmentSummary(BaseModel):
    """What was last assessed and when, for the worklists."""

    assessment_id: UUID
    assessed_on: date
    criteria_version: int
    all_met: bool
    not_met: list[str] = Field(description="codes of the criteria found not met")
    not_assessed: list[str] = Field(description="codes of the criteria not assessed")
