"""Voluntary training: the course catalogue, sessions of workshops and webinars, and participation."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field

from erkenning.core.auth.scope import owned_by_company
from erkenning.core.caller import Caller, Role
from erkenning.core.clock import AMSTERDAM
from erkenning.core.db import TimestampedModel, enum_field, timestamp_field


class CourseFormat(StrEnum):
    WORKSHOP = "workshop"
    WEBINAR = "webinar"
    E_LEARNING = "e_learning"

    @property
    def has_sessions(self) -> bool:
        return self is not CourseFormat.E_LEARNING


class Topic(StrEnum):
    """The kept list of course topics; investigations and monitoring refer to these codes."""

    DISCRIMINATION_FREE_RECRUITMENT = "discrimination_free_recruitment"
    EQUAL_OPPORTUNITIES = "equal_opportunities"
    WORKPLACE_TRAINER = "workplace_trainer"
    SOCIAL_SAFETY = "social_safety"
    ADOLESCENT_BRAIN = "adolescent_brain"


class InvitationKind(StrEnum):
    NEW_COMPANY = "new_company"  # the company's first recognition became active by a grant
    IMPROVEMENT_AGREEMENT = "improvement_agreement"  # a case closed with improvement agreements


class ParticipationStatus(StrEnum):
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    ATTENDED = "attended"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


# Statuses that hold one of a session's seats (everything but the waiting list and cancellations).
SEAT_STATUSES = (
    ParticipationStatus.ENROLLED,
    ParticipationStatus.ATTENDED,
    ParticipationStatus.COMPLETED,
    ParticipationStatus.NO_SHOW,
)
# Statuses that count as "done the course" for a topic (attending a session is doing it).
DONE_STATUSES = (ParticipationStatus.ATTENDED, ParticipationStatus.COMPLETED)


def _catalogue_for_companies(model: type[Any], caller: Caller) -> sa.ColumnElement[bool]:
    # Companies see the active catalogue; schools and the public see none of it through these tables.
    if caller.role is Role.COMPANY:
        return model.active.is_(True)
    return sa.false()


def _sessions_for_companies(model: type, caller: Caller) -> sa.ColumnElement[bool]:
    if caller.role is Role.COMPANY:
        return sa.true()
    return sa.false()


def _topics_check() -> str:
    codes = ", ".join(f"'{t.value}'" for t in Topic)
    return f"cardinality(topics) >= 1 AND topics <@ ARRAY[{codes}]::varchar[]"


class Course(TimestampedModel, table=True):
    """Cursus: one of SBB's voluntary offerings (workshop, webinar or e-learning)."""

    __tablename__ = "course"
    __scope__: ClassVar = staticmethod(_catalogue_for_companies)
    __table_args__ = (
        sa.CheckConstraint(_topics_check(), name="topics_from_list"),
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.Index("ix_course_topics", "topics", postgresql_using="gin"),
    )

    code: str = Field(max_length=40, unique=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=4000)
    format: CourseFormat = enum_field(CourseFormat, index=True)
    topics: list[str] = Field(sa_type=ARRAY(sa.String(50)))
    duration_minutes: int
    active: bool = Field(default=True)
    for_new_companies: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": sa.false()},
        description="offered to every newly recognised company (an invitation, once)",
    )
    online_url: str | None = Field(
        default=None, max_length=500, description="where an e-learning is started (the learning platform)"
    )
    version: int = Field(default=1, description="optimistic lock: changes must name the version they saw")


class CourseSession(TimestampedModel, table=True):
    """Bijeenkomst: one dated session of a workshop or webinar, with its seats."""

    __tablename__ = "course_session"
    __scope__: ClassVar = staticmethod(_sessions_for_companies)
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("enrolment_closes_at <= starts_at", name="closes_before_start"),
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("location IS NOT NULL OR online_url IS NOT NULL", name="place_or_link"),
    )

    course_id: UUID = Field(foreign_key="course.id", index=True, ondelete="RESTRICT")
    starts_at: datetime = timestamp_field(index=True)
    ends_at: datetime = timestamp_field()
    location: str | None = Field(default=None, max_length=300)
    online_url: str | None = Field(default=None, max_length=500)
    capacity: int
    enrolment_closes_at: datetime = timestamp_field()
    cancelled_at: datetime | None = timestamp_field(nullable=True)


class Participation(TimestampedModel, table=True):
    """Deelname: a company's enrolment in a session (workshop, webinar) or in an e-learning."""

    __tablename__ = "participation"
    __scope__: ClassVar = staticmethod(owned_by_company())
    __table_args__ = (
        # One live participation per company per session (a cancelled one may be followed by a new one).
        sa.Index(
            "uq_participation_session_company",
            "session_id",
            "company_id",
            unique=True,
            postgresql_where=sa.text("session_id IS NOT NULL AND status <> 'cancelled'"),
        ),
        # One open e-learning enrolment per company per course.
        sa.Index(
            "uq_participation_elearning_open",
            "course_id",
            "company_id",
            unique=True,
            postgresql_where=sa.text("session_id IS NULL AND status = 'enrolled'"),
        ),
        # The waiting list, in order.
        sa.Index(
            "ix_participation_waitlist",
            "session_id",
            "waitlisted_at",
            postgresql_where=sa.text("status = 'waitlisted'"),
        ),
        sa.CheckConstraint(
            "(status = 'completed') = (completed_on IS NOT NULL AND certificate_code IS NOT NULL)",
            name="completed_has_certificate",
        ),
    )

    course_id: UUID = Field(foreign_key="course.id", index=True, ondelete="RESTRICT")
    session_id: UUID | None = Field(
        default=None, foreign_key="course_session.id", index=True, ondelete="RESTRICT"
    )
    company_id: UUID = Field(foreign_key="company.id", index=True, ondelete="RESTRICT")
    trainer_name: str | None = Field(
        default=None, max_length=200, description="the workplace trainer who attends"
    )
    status: ParticipationStatus = enum_field(ParticipationStatus, index=True)
    waitlisted_at: datetime | None = timestamp_field(nullable=True)
    reminded_at: datetime | None = timestamp_field(nullable=True)
    completed_on: date | None = Field(default=None, index=True)
    certificate_code: str | None = Field(default=None, max_length=32, unique=True)
    platform_completion_id: str | None = Field(
        default=None, max_length=100, unique=True, description="the learning platform's id of the completion"
    )
    enrolled_by: UUID | None = Field(default=None, description="principal who enrolled the company")


class Invitation(TimestampedModel, table=True):
    """Uitnodiging: courses offered to one company, once per company as a new company, once per case after
    improvement agreements. Voluntary: it changes nothing but what the company is shown and sent."""

    __tablename__ = "course_invitation"
    __scope__: ClassVar = staticmethod(owned_by_company())
    __table_args__ = (
        sa.Index(
            "uq_course_invitation_new_company",
            "company_id",
            unique=True,
            postgresql_where=sa.text("kind = 'new_company'"),
        ),
        sa.Index(
            "uq_course_invitation_case",
            "investigation_id",
            unique=True,
            postgresql_where=sa.text("investigation_id IS NOT NULL"),
        ),
        sa.CheckConstraint(
            "(kind = 'improvement_agreement') = (investigation_id IS NOT NULL)", name="case_for_agreements_only"
        ),
    )

    company_id: UUID = Field(foreign_key="company.id", index=True, ondelete="RESTRICT")
    kind: InvitationKind = enum_field(InvitationKind)
    investigation_id: UUID | None = Field(
        default=None, description="the case whose improvement agreements it follows (no key: cases live above training)"
    )
    course_ids: list[UUID] = Field(sa_type=ARRAY(sa.Uuid()), description="the courses offered, as they were then")
    topics: list[str] = Field(
        default_factory=list, sa_type=ARRAY(sa.String(50)), description="the recommended topics (agreements)"
    )
    dismissed_at: datetime | None = timestamp_field(nullable=True)


def activity_date() -> Any:
    """SQL: the (Amsterdam) date a participation is about: completion, else session day, else enrolment.

    Use in queries that outer-join `course_session`.
    """
    return sa.func.coalesce(
        Participation.completed_on,
        sa.cast(sa.func.timezone(AMSTERDAM.key, CourseSession.starts_at), sa.Date),
        sa.cast(sa.func.timezone(AMSTERDAM.key, Participation.created_at), sa.Date),
    )
