"""Investigations (onderzoek) of substantiated reports, their timeline, deadlines and adviser tasks."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field

from erkenning.core.auth.scope import owned_by_school
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


class RoundState(StrEnum):
    """Whether the reporting side of a case's reports is being asked to react (wederhoor): see `states`."""

    IDLE = "idle"
    OPEN = "open"


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
    # The other side: while true, the reporting side of the case's reports may still react (`ReporterReaction`).
    reporter_round_open: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})

    # The proposal and its approval.
    outcome: Outcome | None = enum_field(Outcome, default=None, nullable=True)
    findings: str | None = Field(default=None, max_length=10000)
    measures: str | None = Field(default=None, max_length=4000)
    follow_up_on: date | None = Field(default=None)
    recommended_topics: list[str] = Field(default_factory=list, sa_type=ARRAY(sa.String(64)))
    recognition_ids: list[UUID] = Field(default_factory=list, sa_type=ARRAY(sa.Uuid()))
    # The recognition criterion the outcome concerns (a discrimination case: the non-discrimination criterion).
    criterion_id: UUID | None = Field(default=None, foreign_key="recognition_criterion.id", ondelete="RESTRICT")
    effective_from: date | None = Field(default=None)
    effective_until: date | None = Field(default=None)
    # A suspension or withdrawal: until when running placements may continue (the decision's transition
    # arrangement), and why it cannot wait for the company's response to an intended decision (art. 4:11 Awb).
    placements_until: date | None = Field(default=None)
    urgent_reason: str | None = Field(default=None, max_length=4000)
    proposed_by: UUID | None = Field(default=None, foreign_key="principal.id")
    proposed_at: datetime | None = timestamp_field(nullable=True)
    approved_by: UUID | None = Field(default=None, foreign_key="principal.id")
    approved_at: datetime | None = timestamp_field(nullable=True)
    decision_id: UUID | None = Field(default=None, index=True)
    closed_at: datetime | None = timestamp_field(nullable=True)
    version: int = Field(default=1)

    @property
    def reporter_round(self) -> RoundState:
        return RoundState.OPEN if self.reporter_round_open else RoundState.IDLE


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


class ReactionRoute(StrEnum):
    """How the reporting side of a report is asked, and answers: by the way the report came in."""

    SCHOOL = "school"  # the school's reporting point, on its report pages (and by e-mail to its contact)
    RECEIPT = "receipt"  # the anonymous reporter, on the receipt-status page, by the receipt code
    ADVISER = "adviser"  # a report an adviser entered: asked outside the service, the reaction recorded


class ReactionStatus(StrEnum):
    ASKED = "asked"
    ANSWERED = "answered"
    NO_REACTION = "no_reaction"


class ReporterReaction(TimestampedModel, table=True):
    """Wederhoor van de meldende kant: the substance of the company's answer, as the adviser words it, put
    to the reporting side of one report of the case, and its reaction (or none within the term).

    A school sees the rows of the reports it passed on (`__scope__`), a company none; the anonymous
    reporter reaches its own through the receipt code only. Staff read the reaction text when they may
    read the report's confidential part (the case's adviser, senior advisers); retention erases it with it.
    """

    __tablename__ = "reporter_reaction"
    __scope__: ClassVar = staticmethod(owned_by_school())
    __table_args__ = (
        # One open question per report at a time (a case asks again only after the last round closed).
        sa.Index(
            "uq_reporter_reaction_open_per_report", "report_id", unique=True,
            postgresql_where=sa.text("status = 'asked'"),
        ),
    )

    investigation_id: UUID = Field(foreign_key="investigation.id", index=True, ondelete="CASCADE")
    report_id: UUID = Field(foreign_key="report.id", index=True, ondelete="RESTRICT")
    route: ReactionRoute = enum_field(ReactionRoute)
    school_brin: str | None = Field(default=None, max_length=6, index=True)
    question: str = Field(max_length=2000)
    asked_by: UUID | None = Field(default=None, foreign_key="principal.id")
    asked_at: datetime = timestamp_field(default_now=True)
    status: ReactionStatus = enum_field(ReactionStatus, default=ReactionStatus.ASKED)
    reaction: str | None = Field(default=None, max_length=2000)
    reacted_at: datetime | None = timestamp_field(nullable=True)
    recorded_by: UUID | None = Field(default=None, foreign_key="principal.id")
    reminded_at: datetime | None = timestamp_field(nullable=True)
    closed_at: datetime | None = timestamp_field(nullable=True)
    reaction_erased_at: datetime | None = timestamp_field(nullable=True)

    def __repr_args__(self) -> Any:
        # The reaction may hold what the reporter wrote: never in a log line or a traceback.
        return [("id", self.id), ("report_id", self.report_id), ("status", self.status)]


class DeadlineKind(StrEnum):
    HEARING_ANSWER = "hearing_answer"
    REPORTER_REACTION = "reporter_reaction"
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
