"""Recognition criteria as data, in versioned lists, and the assessments advisers record against them.

SBB recognises a learning company when it meets SBB's conditions (art. 7.2.10 and 7.2.11 WEB; SBB's
recognition rules, tightened on 1 September 2023 after the Stagepact mbo): a qualified workplace trainer,
a suitable workplace, cooperation with school and SBB, and, explicitly since the Van Baarle motion, a
recruitment and working environment free of discrimination. The conditions change over time, so they
live in lists with a version and a validity (`valid_from`, `valid_until`); an assessment keeps the list
it was made on. The first list is shipped by the migration that made these tables.

Staff only: no company, school or public view reads these tables (no `__scope__`, so a non-staff caller
sees nothing of them); the register shows only the status that results from decisions.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field

from erkenning.core.db import TimestampedModel, UUIDModel, enum_field, timestamp_field

# The criterion an investigation into discrimination concerns by default; every list must hold it.
NON_DISCRIMINATION = "non_discrimination"


class CriterionResult(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NOT_ASSESSED = "not_assessed"


class AssessmentOccasion(StrEnum):
    """Why the criteria were assessed: an application (aanvraag) or a reassessment (herbeoordeling)."""

    APPLICATION = "application"
    REASSESSMENT = "reassessment"


class CriteriaList(TimestampedModel, table=True):
    """Erkenningsvoorwaarden: one version of SBB's recognition criteria, in force over [valid_from, valid_until).

    Versions follow each other without overlap: publishing a new one ends the one before it on the new
    one's `valid_from` (the service does this under a lock; `version` is unique).
    """

    __tablename__ = "criteria_list"
    __table_args__ = (
        sa.CheckConstraint("valid_until IS NULL OR valid_until > valid_from", name="validity_ordered"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    version: int = Field(unique=True)
    valid_from: date
    valid_until: date | None = Field(default=None)
    note: str | None = Field(default=None, max_length=2000, description="why this version (e.g. the rule change)")
    published_by: UUID | None = Field(
        default=None, foreign_key="principal.id", ondelete="RESTRICT", description="none: shipped with the service"
    )


class RecognitionCriterion(UUIDModel, table=True):
    """Erkenningsvoorwaarde: one condition of a list: its stable code, Dutch title, description and source."""

    __tablename__ = "recognition_criterion"
    __table_args__ = (
        sa.UniqueConstraint("criteria_list_id", "code"),
        sa.CheckConstraint("code ~ '^[a-z][a-z0-9_]{1,39}$'", name="code_format"),
    )

    criteria_list_id: UUID = Field(foreign_key="criteria_list.id", index=True, ondelete="RESTRICT")
    position: int
    code: str = Field(max_length=40, description="stable over versions; decisions and cases refer to it")
    title: str = Field(max_length=200)
    description: str = Field(max_length=4000)
    source: str = Field(max_length=500, description="the legal or policy source of the condition")


class CriteriaAssessment(TimestampedModel, table=True):
    """Beoordeling: an adviser's assessment of one recognition against the criteria list in force that day.

    `all_met` is fixed when it is recorded: every criterion of its list met. An assessment is never
    changed; a new one supersedes it (the latest by `assessed_on`, then by recording time, is current).
    """

    __tablename__ = "criteria_assessment"
    __table_args__ = (sa.Index("ix_criteria_assessment_latest", "recognition_id", "assessed_on", "created_at"),)

    recognition_id: UUID = Field(foreign_key="recognition.id", ondelete="RESTRICT")
    company_id: UUID = Field(foreign_key="company.id", index=True, ondelete="RESTRICT")
    criteria_list_id: UUID = Field(foreign_key="criteria_list.id", index=True, ondelete="RESTRICT")
    occasion: AssessmentOccasion = enum_field(AssessmentOccasion)
    assessed_on: date
    assessed_by: UUID = Field(foreign_key="principal.id", ondelete="RESTRICT")
    note: str | None = Field(default=None, max_length=4000)
    all_met: bool


class CriteriaAssessmentItem(UUIDModel, table=True):
    """One criterion of an assessment: met, not met or not assessed, with a note and the date it was judged."""

    __tablename__ = "criteria_assessment_item"
    __table_args__ = (sa.UniqueConstraint("assessment_id", "criterion_id"),)

    assessment_id: UUID = Field(foreign_key="criteria_assessment.id", index=True, ondelete="CASCADE")
    criterion_id: UUID = Field(foreign_key="recognition_criterion.id", index=True, ondelete="RESTRICT")
    result: CriterionResult = enum_field(CriterionResult)
    note: str | None = Field(default=None, max_length=2000)
    assessed_on: date | None = Field(default=None, description="when this criterion was judged (none if not assessed)")
    created_at: datetime = timestamp_field(default_now=True)

