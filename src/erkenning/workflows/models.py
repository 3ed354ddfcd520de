"""Investigations (onderzoek) of substantiated reports, their timeline, deadlines and adviser tasks."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field

from erkenning.core.caller import Caller, Role
from erkenning.core.db import TimestampedModel, UUIDModel, enum_field, json_field, timestamp_field


class InvestigationStatus(StrEnum):
    OPEN = "open"
    HEARING = "hearing"
    ASSESSMENT = "assessment"
    PROPOSED = "proposed"
    APPROVED = "approved"
    CLOSED = "closed"
    ON_HOLD = "on_hold"


OPEN_STATES = frozenset(
    {
        InvestigationStatus.OPEN,
        InvestigationStatus.HEARING,
        InvestigationStatus.ASSESSMENT,
        InvestigationStatus.PROPOSED,
    }
)


class Outcome(StrEnum):
    UNFOUNDED = "unfounded"
    IMPROVEMENT_AGREEMENT = "improvement_agreement"
    SUSPENSION = "suspension"
    WITHDRAWAL = "withdrawal"


def _hearing_of_own_company(model: type[Any], caller: Caller) -> sa.ColumnElement[bool]:
    # A company sees an investigation only through its hearing request (never the reports behind it).
    if caller.role is Role.COMPANY and caller.company_id is not None:
        return sa.and_(model.company_id == caller.company_id, model.hearing_requested_at.is_not(None))
    return sa.false()


class Investigation(TimestampedModel, table=True):
    """Onderzoek: SBB's investigation of a company after one or more substantiated reports."""

    __tablename__ = "investigation"
    __scope__: ClassVar = staticmethod(_hearing_of_own_company)
    __table_args__ = (
        # At most one open investigation per company: a new report joins it.
        sa.Index(
            "uq_investigation_one_open_per_company",
            "company_id",
            unique=True,
            postgresql_where=sa.text("status <> 'closed'"),
        ),
    )

    company_id: UUID = Field(foreign_key="company.id", index=True, ondelete="RESTRICT")
    status: InvestigationStatus = enum_field(InvestigationStatus, default=InvestigationStatus.OPEN, index=True)
    status_before_hold: InvestigationStatus | None = enum_field(
        InvestigationStatus, default=None, nullable=True, name="status_before_hold"
    )
    assigned_to: UUID | None = Field(default=None, foreign_key="principal.id", index=True)
    opened_at: datetime = timestamp_field(default_now=True)
    on_hold_since: datetime | None = timestamp_field(nullable=True)
    on_hold_reason: str | None = Field(default=None, max_length=500)

    # Hearing both sides (hoor en wederhoor): what the company is asked, and its answer.
    hearing_question: str | None = Field(default=None, max_length=4000)
    hearing_requested_at: datetime | None = timestamp_field(nullable=True)
    hearing_answer: str | None = Field(default=None, max_length=10000)
    hearing_answered_at: datetime | None = timestamp_field(nullable=True)

    # The proposal and its approval.
    outcome: Outcome | None = enum_field(Outcome, default=None, nullable=True)
    findings: str | None = Field(default=None, max_length=10000)
    measures: str | None = Field(default=None, max_length=4000)
    follow_up_on: date | None = Field(default=None)
    recommended_topics: list[str] = Field(default_factory=list, sa_type=ARRAY(sa.String(64)))
    recognition_ids: list[UUID] = Field(default_factory=list, sa_type=ARRAY(sa.Uuid()))
    effective_from: date | None = Field(default=None)
    effective_until: date | None = Field(default=None)
    proposed_by: UUID | None = Field(default=None, foreign_key="principal.id")
    proposed_at: datetime | None = timestamp_field(nullable=True)
    approved_by: UUID | None = Field(default=None, foreign_key="principal.id")
    approved_at: datetime | None = timestamp_field(nullable=True)
    decision_id: UUID | None = Field(default=None, index=True)
    closed_at: datetime | None = timestamp_field(nullable=True)
    version: int = Field(default=1)


class InvestigationReport(UUIDModel, table=True):
    """A report that led to (or joined) an investigation."""

    __tablename__ = "investigation_report"

    investigation_id: UUID = Field(foreign_key="investigation.id", index=True, ondelete="CASCADE")
    report_id: UUID = Field(foreign_key="report.id", unique=True, ondelete="RESTRICT")
    joined_at: datetime = timestamp_field(default_now=True)


class TimelineEvent(UUIDModel, table=True):
    """One step on a case's timeline: who, when, what, from which state to which."""

    __tablename__ = "investigation_event"
    __table_args__ = (sa.Index("ix_investigation_event_case_time", "investigation_id", "at"),)

    investigation_id: UUID = Field(foreign_key="investigation.id", ondelete="CASCADE")
    at: datetime = timestamp_field(default_now=True)
    kind: str = Field(max_length=50)
    actor_id: UUID | None = Field(default=None)
    actor_role: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=32)
    to_status: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, max_length=2000)
    data: dict[str, Any] = json_field()


class DeadlineKind(StrEnum):
    HEARING_ANSWER = "hearing_answer"
    LEAD_TIME = "lead_time"
    FOLLOW_UP = "follow_up"


class DeadlineStatus(StrEnum):
    OPEN = "open"
    MET = "met"
    CANCELLED = "cancelled"


class Deadline(UUIDModel, table=True):
    """A due moment on a case, with a reminder before and an escalation after, each sent once.

    The sweep reads only what is due (partial indexes on open deadlines), never every deadline.
    """

    __tablename__ = "deadline"
    __table_args__ = (
        sa.UniqueConstraint("investigation_id", "kind"),
        sa.Index(
            "ix_deadline_remind_due",
            "remind_at",
            postgresql_where=sa.text("status = 'open' AND reminded_at IS NULL"),
        ),
        sa.Index(
            "ix_deadline_escalate_due",
            "due_at",
            postgresql_where=sa.text("status = 'open' AND passed_at IS NULL"),
        ),
        # The overdue gauge on /metrics (escalated or not), scraped every few seconds.
        sa.Index("ix_deadline_open_due", "due_at", postgresql_where=sa.text("status = 'open'")),
    )

    investigation_id: UUID = Field(foreign_key="investigation.id", index=True, ondelete="CASCADE")
    kind: DeadlineKind = enum_field(DeadlineKind)
    status: DeadlineStatus = enum_field(DeadlineStatus, default=DeadlineStatus.OPEN)
    due_at: datetime = timestamp_field()
    remind_at: datetime | None = timestamp_field(nullable=True)
    reminded_at: datetime | None = timestamp_field(nullable=True)
    passed_at: datetime | None = timestamp_field(nullable=True)
    closed_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field(default_now=True)


class AdviserTask(TimestampedModel, table=True):
    """A to-do for the case's adviser (e.g. a follow-up whose recommended courses were not completed)."""

    __tablename__ = "adviser_task"

    investigation_id: UUID = Field(foreign_key="investigation.id", index=True, ondelete="CASCADE")
    assigned_to: UUID | None = Field(default=None, foreign_key="principal.id", index=True)
    kind: str = Field(max_length=50)
    note: str | None = Field(default=None, max_length=1000)
    due_on: date | None = Field(default=None)
    done_at: datetime | None = timestamp_field(nullable=True)
