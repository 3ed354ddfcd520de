"""API shapes for investigations (back office) and hearing requests (portal)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from erkenning.core.states import Move
from erkenning.recognition.criteria_schemas import CriterionCode
from erkenning.reports.schemas import ReceiptLookup, bounded_text
from erkenning.training.models import Topic
from erkenning.workflows.models import (
    DeadlineKind,
    DeadlineStatus,
    InvestigationStatus,
    Outcome,
    ReactionRoute,
    ReactionStatus,
)
from erkenning.workflows.services.investigations import Proposal


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AssignIn(_In):
    adviser_id: UUID


class HearingIn(_In):
    question: str = Field(min_length=1, max_length=4000, description="what the company is asked to respond to")


class AnswerIn(_In):
    answer: str = Field(min_length=1, max_length=10000, description="the company's side")


# What the adviser puts to the reporting side, and its reaction: bounded, no control characters.
ReactionText = Annotated[str, *bounded_text(2000)]


class ReporterQuestionIn(_In):
    question: ReactionText = Field(
        description="the substance of the company's answer, in your own words: nothing of the company the "
        "reporting side did not name itself (its numbers, address, e-mail), nothing of other reports"
    )


class ReactionIn(_In):
    reaction: ReactionText = Field(description="the reporting side's reaction to SBB's question")


class ReceiptReactionIn(ReceiptLookup):
    reaction: ReactionText = Field(description="your reaction to SBB's question")


class ReasonIn(_In):
    reason: str = Field(min_length=1, max_length=500)


class ProposalIn(_In):
    outcome: Outcome
    findings: str = Field(min_length=1, max_length=10000)
    measures: str | None = Field(default=None, max_length=4000, description="improvement agreement: the measures")
    follow_up_on: date | None = Field(default=None, description="improvement agreement: follow-up date")
    recommended_topics: list[Topic] = Field(default_factory=list, max_length=10, description="course topic codes")
    recognition_ids: list[UUID] = Field(default_factory=list, max_length=200)
    effective_from: date | None = None
    effective_until: date | None = Field(default=None, description="suspension: end date; empty = until reinstated")
    placements_until: date | None = Field(
        default=None,
        description="suspension or withdrawal: running placements may continue until this day (inclusive), "
        "not before effective_from (the decision's transition arrangement)",
    )
    urgent_reason: str | None = Field(
        default=None, max_length=4000,
        description="suspension or withdrawal only: why it cannot wait for the company's response to an intended "
        "decision (art. 4:11 Awb); then a senior adviser approves the decision without one",
    )
    criterion_code: CriterionCode | None = Field(
        default=None,
        description="the recognition criterion the outcome concerns (not for unfounded); default for an improvement "
        "agreement, suspension or withdrawal: non_discrimination. A suspension or withdrawal names it as the "
        "condition no longer met.",
    )

    def proposal(self) -> Proposal:
        return Proposal(
            outcome=self.outcome, findings=self.findings, measures=self.measures, follow_up_on=self.follow_up_on,
            recommended_topics=tuple(self.recommended_topics), recognition_ids=tuple(self.recognition_ids),
            effective_from=self.effective_from, effective_until=self.effective_until,
            placements_until=self.placements_until, urgent_reason=self.urgent_reason,
            criterion_code=self.criterion_code,
        )


class TimelineEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    kind: str
    actor_role: str
    actor_id: UUID | None
    from_status: str | None
    to_status: str | None
    note: str | None
    data: dict[str, Any]


class DeadlineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: DeadlineKind
    status: DeadlineStatus
    due_at: datetime
    remind_at: datetime | None
    reminded_at: datetime | None
    passed_at: datetime | None
    working_days_left: int | None = None


class MoveRead(BaseModel):
    to: str
    needs: list[str]
    description: str

    @classmethod
    def of(cls, move: Move) -> MoveRead:
        return cls(to=move.to, needs=list(move.needs), description=move.description)


class ReporterReactionRead(BaseModel):
    """The reporting side of one report of the case (staff). `reaction` is given to the case's adviser and
    senior advisers only (`reaction_withheld` for other staff), as the report's confidential part is."""

    id: UUID
    report_id: UUID
    route: ReactionRoute
    status: ReactionStatus
    question: str
    asked_at: datetime
    due_at: datetime | None
    reminded_at: datetime | None
    reaction: str | None
    reacted_at: datetime | None
    reaction_withheld: bool = False
    reaction_erased_at: datetime | None = None


class InvestigationSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    company_id: UUID
    status: InvestigationStatus
    assigned_to: UUID | None
    opened_at: datetime
    outcome: Outcome | None
    next_deadline_at: datetime | None = None
    overdue: bool = False


class InvestigationRead(InvestigationSummary):
    on_hold_reason: str | None
    hearing_question: str | None
    hearing_requested_at: datetime | None
    hearing_answer: str | None
    hearing_answered_at: datetime | None
    findings: str | None
    measures: str | None
    follow_up_on: date | None
    recommended_topics: list[str]
    recognition_ids: list[UUID]
    effective_from: date | None
    effective_until: date | None
    placements_until: date | None
    urgent_reason: str | None
    criterion_id: UUID | None = Field(description="the recognition criterion the outcome concerns")
    proposed_by: UUID | None
    approved_by: UUID | None
    decision_id: UUID | None
    closed_at: datetime | None
    version: int
    report_ids: list[UUID] = []
    timeline: list[TimelineEventRead] = []
    deadlines: list[DeadlineRead] = []
    allowed_moves: list[MoveRead] = []
    reporter_round_open: bool = False
    # Wederhoor of the reporting side: each report's question and reaction; the proposal weighs them.
    reporter_reactions: list[ReporterReactionRead] = []
    reporter_moves: list[MoveRead] = Field(default=[], description="putting the question to the reporting side")


class HearingRead(BaseModel):
    """What a company sees of an investigation: the question put to it and its deadline. No reports."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    question: str | None
    requested_at: datetime | None
    answer_due_at: datetime | None
    answered_at: datetime | None
    answer: str | None
    open_for_answer: bool


class AdviserTaskRead(BaseModel):
    id: UUID
    investigation_id: UUID
    company_id: UUID
    assigned_to: UUID | None
    kind: str
    note: str | None
    due_on: date | None
    done_at: datetime | None
    overdue: bool


class ReactionAsked(BaseModel):
    """A question SBB put to the reporting side, as that side sees it: never the company's answer itself,
    never anything of other reports. `reaction` is the side's own."""

    question: str
    asked_at: datetime
    due_at: datetime | None
    status: ReactionStatus
    open_for_reaction: bool
    reaction: str | None
    reacted_at: datetime | None


class SchoolReactionRead(ReactionAsked):
    """A question about a report this school passed on, with what the school knows of it already."""

    id: UUID
    report_id: UUID
    school_reference: str | None
    report_received_at: datetime


class ReceiptReactions(BaseModel):
    """What the anonymous reporter is asked, by its receipt code (newest first)."""

    reactions: list[ReactionAsked]
