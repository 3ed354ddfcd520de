"""Qualifications and recognitions, with the dated periods that say what held when."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import DATERANGE, ExcludeConstraint
from sqlmodel import Field

from erkenning.auth.models import Caller, Role
from erkenning.db import TimestampedModel, UUIDModel, enum_field, timestamp_field


class Pathway(StrEnum):
    """Leerweg: BOL (school-based, placement) or BBL (work-based)."""

    BOL = "bol"
    BBL = "bbl"


class RecognitionStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"


def _company_rows(model: type, caller: Caller) -> sa.ColumnElement[bool]:
    if caller.role is Role.COMPANY and caller.company_id is not None:
        return model.company_id == caller.company_id  # type: ignore[attr-defined,no-any-return]
    return sa.false()


class Qualification(TimestampedModel, table=True):
    """Kwalificatie: a catalogue row identified by its crebo code."""

    __tablename__ = "qualification"
    __table_args__ = (
        sa.CheckConstraint("crebo ~ '^[0-9]{5}$'", name="crebo_5_digits"),
        sa.CheckConstraint("level BETWEEN 1 AND 4", name="level_1_to_4"),
    )

    crebo: str = Field(max_length=5, unique=True)
    name: str = Field(max_length=200)
    level: int
    active: bool = Field(default=True)


class Recognition(TimestampedModel, table=True):
    """Erkenning: a company's recognition for one qualification on one pathway.

    `status` is the status today (kept by the decisions and the daily task); the truth for any date
    is in its periods.
    """

    __tablename__ = "recognition"
    __scope__: ClassVar = staticmethod(_company_rows)
    __table_args__ = (sa.UniqueConstraint("company_id", "qualification_id", "pathway"),)

    company_id: UUID = Field(foreign_key="company.id", index=True, ondelete="RESTRICT")
    qualification_id: UUID = Field(foreign_key="qualification.id", index=True, ondelete="RESTRICT")
    pathway: Pathway = enum_field(Pathway)
    status: RecognitionStatus = enum_field(RecognitionStatus, default=RecognitionStatus.PENDING, index=True)
    granted_on: date | None = Field(default=None)
    reassessment_due: date | None = Field(default=None, index=True)
    version: int = Field(default=1)


class RecognitionPeriod(UUIDModel, table=True):
    """One dated stretch of one status of a recognition: [valid_from, valid_until), open-ended if no end.

    PostgreSQL refuses two overlapping periods of the same recognition (exclusion constraint), so
    "what was the status on date D" has exactly one answer, found through the same GiST index.
    """

    __tablename__ = "recognition_period"
    __table_args__ = (
        ExcludeConstraint(
            (sa.column("recognition_id"), "="),
            (sa.column("during"), "&&"),
            using="gist",
            name="ex_recognition_period_no_overlap",
        ),
    )

    recognition_id: UUID = Field(foreign_key="recognition.id", index=True, ondelete="CASCADE")
    status: RecognitionStatus = enum_field(RecognitionStatus)
    during: Any = Field(sa_type=DATERANGE, description="[valid_from, valid_until)")
    decision_id: UUID | None = Field(default=None, index=True, description="the decision this period comes from")
    created_at: Any = timestamp_field(default_now=True)

    @staticmethod
    def range(valid_from: date, valid_until: date | None = None) -> Any:
        from sqlalchemy.dialects.postgresql import Range

        return Range(valid_from, valid_until, bounds="[)")
