"""API shapes for qualifications, recognitions, decisions and objections."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from erkenning.core import clock
from erkenning.core.fields import Boolean
from erkenning.recognition.criteria_schemas import AssessmentSummary, CriterionCode, CriterionRead
from erkenning.recognition.models import (
    DecisionKind,
    DecisionStatus,
    Pathway,
    RecognitionStatus,
)
from erkenning.recognition.states import HARMFUL

Crebo = Annotated[str, Field(pattern=r"^[0-9]{5}$", description="crebo code: 5 digits")]
Level = Annotated[int, Field(ge=1, le=4, description="qualification level 1-4")]
Text = Annotated[str, Field(min_length=1, max_length=20_000)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# ---------------------------------------------------------------- qualifications


class QualificationCreate(_Input):
    crebo: Crebo
    name: str = Field(min_length=1, max_length=200)
    level: Level
    active: Boolean = True


class QualificationUpdate(_Input):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    level: Level | None = None
    active: Boolean | None = None


class QualificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    crebo: str
    name: str
    level: int
    active: bool
    updated_at: datetime


class LineErrorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line: int
    reason: str


class ImportReport(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    inserted: int
    updated: int
    unchanged: int
    errors: list[LineErrorRead]


# ---------------------------------------------------------------- recognitions


class RecognitionCreate(_Input):
    """An application for recognition: it starts `pending` and only a decision moves it on."""

    company_id: UUID
    crebo: Crebo
    pathway: Pathway
    applied_on: date | None = Field(default=None, description="default today; never in the future")


class PeriodRead(BaseModel):
    status: RecognitionStatus
    valid_from: date
    valid_until: date | None = Field(description="exclusive; none: open-ended")
    decision_id: UUID | None


class RecognitionRead(BaseModel):
    id: UUID
    company_id: UUID
    qualification_id: UUID
    crebo: str
    qualification_name: str
    level: int
    pathway: Pathway
    status: RecognitionStatus = Field(description="status today")
    granted_on: date | None
    reassessment_due: date | None


class RecognitionDetail(RecognitionRead):
    periods: list[PeriodRead]
    decision_ids: list[UUID] = Field(description="decisions that name this recognition, newest first")


class StatusOnRead(BaseModel):
    recognition_id: UUID
    on: date
    status: RecognitionStatus | None = Field(
        description="none: no status on that date (before the application)"
    )
    since: date | None
    until: date | None
    decision_id: UUID | None


class RecordedPeriodRead(PeriodRead):
    """A period the register holds now, and since when it says so."""

    objection_id: UUID | None = Field(description="the upheld objection that restored it (art. 7:11 Awb)")
    recorded_from: datetime = Field(description="recorded time: since when the register says this")


class SupersededPeriodRead(RecordedPeriodRead):
    """A period the register said until it was changed or deleted, and what superseded it."""

    recorded_until: datetime = Field(description="recorded time: until when the register said this")
    superseded_by_decision_id: UUID | None = Field(description="the decision whose change superseded it")
    superseded_by_objection_id: UUID | None = Field(
        description="the upheld objection whose restoration superseded it (neither: an import or a correction)"
    )


class RegisterAnswerRead(BaseModel):
    """What the register answers about a date (as verify does): the status and its unbroken run."""

    status: RecognitionStatus | None = Field(description="none: no period on that date")
    recognised: bool
    since: date | None
    until: date | None = Field(description="exclusive; none: open-ended")
    decision_id: UUID | None


class RecordedAnswerRead(BaseModel):
    day: date = Field(description="the date asked about")
    answered_at: datetime = Field(description="the moment whose answer `then` is")
    then: RegisterAnswerRead = Field(description="what the register answered about `day` at `answered_at`")
    now: RegisterAnswerRead = Field(description="what holds on `day` as the register knows it now")
    corrected: bool = Field(description="the answer given then has since been corrected")


class RecognitionHistoryRead(BaseModel):
    """Both time axes of a recognition: valid time (what holds when) and recorded time (what was said when)."""

    recognition_id: UUID
    periods: list[RecordedPeriodRead] = Field(description="the periods now, in date order")
    superseded: list[SupersededPeriodRead] = Field(
        description="every period the register said before, in the order it was superseded"
    )
    answer: RecordedAnswerRead | None = Field(description="given answered_on or answered_at")


class ReassessmentDueRead(RecognitionRead):
    company_name: str
    company_sbb_id: str
    reassessment_noticed_on: date | None
    last_assessment: AssessmentSummary | None = Field(
        description="what was last assessed against the recognition criteria, and when (none: never)"
    )


class ReassessedCreate(_Input):
    assessed_on: date = Field(description="the visit that found the criteria still met")


# ---------------------------------------------------------------- decisions


class _DecisionDates(_Input):
    effective_from: date | None = Field(default=None, description="default: the day it is sent")
    effective_until: date | None = Field(default=None, description="suspension only: its last day + 1")
    until_reinstated: Boolean = Field(default=False, description="suspension only: no end date")
    placements_until: date | None = Field(
        default=None,
        description="transition arrangement: placements running when it takes effect may continue until this "
        "day (inclusive); required for a suspension or withdrawal (a withdrawal from a later effective_from: "
        "that day, unless given), never before the effective date",
    )


# Kinds that rest on a recognition criterion no longer met: they name it (art. 3:46 Awb, art. 7.2.10 WEB).
NAMES_CRITERION = frozenset({DecisionKind.SUSPEND, DecisionKind.WITHDRAW})


# Kinds whose letter must say what happens to students already placed with the company.
ENDS_PLACEMENTS = frozenset({DecisionKind.SUSPEND, DecisionKind.WITHDRAW})
UrgentReason = Annotated[
    str,
    Field(
        min_length=1,
        max_length=4000,
        description="art. 4:11 Awb: why this harmful measure cannot wait for the company's response to an "
        "intended decision (then there is none)",
    ),
]


class DecisionCreate(_DecisionDates):
    kind: DecisionKind
    recognition_ids: list[UUID] = Field(min_length=1, max_length=200)
    grounds: Text
    legal_basis: str = Field(min_length=1, max_length=500)
    urgent_reason: UrgentReason | None = None
    criterion_code: CriterionCode | None = Field(
        default=None,
        description="the recognition criterion no longer met (e.g. non_discrimination), in the list in force; "
        "required for a suspension or withdrawal, named in the decision and its letter",
    )

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if len(set(self.recognition_ids)) != len(self.recognition_ids):
            raise ValueError("recognition_ids: each recognition once")
        check_suspension_dates(self.kind, self.effective_from, self.effective_until, self.until_reinstated)
        self.placements_until = default_placements(self.kind, self.effective_from, self.placements_until)
        check_placements(self.kind, self.effective_from, self.placements_until)
        check_urgency(self.kind, self.urgent_reason)
        if self.kind in NAMES_CRITERION and self.criterion_code is None:
            raise ValueError("criterion_code: a suspension or withdrawal names the criterion no longer met")
        return self


def check_suspension_dates(
    kind: DecisionKind, start: date | None, until: date | None, indefinite: bool
) -> None:
    """A suspension ends on a date or lasts until reinstated (say which); other kinds have no end."""
    if kind is DecisionKind.SUSPEND:
        if (until is None) == (not indefinite):
            raise ValueError("a suspension needs either effective_until or until_reinstated=true")
        if until is not None and start is not None and until <= start:
            raise ValueError("effective_until must be after effective_from")
    elif until is not None or indefinite:
        raise ValueError("only a suspension has an end date (effective_until / until_reinstated)")


def default_placements(kind: DecisionKind, start: date | None, placements_until: date | None) -> date | None:
    """A withdrawal that takes effect later already gives running placements that time: unless said
    otherwise, they may continue until (and on) its effective date, nothing beyond. Every other
    suspension or withdrawal states it."""
    if placements_until is None and kind is DecisionKind.WITHDRAW and start is not None and start > clock.today():
        return start
    return placements_until


def check_placements(kind: DecisionKind, start: date | None, placements_until: date | None) -> None:
    """A suspension or withdrawal says until when running placements may continue; never before it applies."""
    if placements_until is None and kind in ENDS_PLACEMENTS:
        raise ValueError(
            "placements_until: a suspension or withdrawal states until when running placements may continue"
        )
    if placements_until is not None and start is not None and placements_until < start:
        raise ValueError("placements_until must not be before effective_from")


def check_urgency(kind: DecisionKind, urgent_reason: str | None) -> None:
    if urgent_reason and kind not in HARMFUL:
        raise ValueError("urgent_reason: only a decision that harms the company skips the intended decision")


def date_problems(
    kind: DecisionKind, start: date | None, until: date | None, indefinite: bool, placements_until: date | None,
    urgent_reason: str | None,
) -> list[dict[str, str]]:
    """Every rule of the kind's dates and urgency that fails, each on its field (not only the first)."""
    problems = []
    for name, check in (
        ("effective_until", lambda: check_suspension_dates(kind, start, until, indefinite)),
        ("placements_until", lambda: check_placements(kind, start, placements_until)),
        ("urgent_reason", lambda: check_urgency(kind, urgent_reason)),
    ):
        try:
            check()
        except ValueError as exc:
            problems.append({"field": name, "message": str(exc)})
    return problems


class DecisionUpdate(_DecisionDates):
    """Change a draft; the dates are given together (the suspension's end or `until_reinstated`)."""

    grounds: Text | None = None
    legal_basis: str | None = Field(default=None, min_length=1, max_length=500)
    urgent_reason: UrgentReason | None = Field(
        default=None, description="art. 4:11 Awb; give null to take it back (the intended decision is then needed)"
    )
    criterion_code: CriterionCode | None = Field(
        default=None, description="the recognition criterion no longer met (a suspension or withdrawal keeps one)"
    )


class DecisionApprove(_Input):
    """Approval; when the company responded to the intended decision, the approver confirms having read it."""

    response_read: Boolean = Field(
        default=False, description="I read the company's response (required if there is one)"
    )


class ResponseCreate(_Input):
    """The company's response (zienswijze) to an intended decision."""

    text: Text


class ActionRead(BaseModel):
    to: str
    needs: list[str]
    description: str


class DecisionRecognitionRead(BaseModel):
    recognition_id: UUID
    crebo: str
    qualification_name: str
    pathway: Pathway
    status_before: RecognitionStatus | None
    status_after: RecognitionStatus | None


class ScopeRead(BaseModel):
    """What the decision does to one recognition: as sent, or as it would if sent today."""

    recognition_id: UUID
    crebo: str
    qualification_name: str
    level: int
    pathway: Pathway
    status_before: RecognitionStatus | None = Field(description="its status on the effective date, before")
    status_after: RecognitionStatus | None = Field(description="none: unchanged (conditions) or not possible")
    effective_from: date
    effective_until: date | None
    placements_until: date | None
    problem: str | None = Field(default=None, description="why it could not be sent as it stands today")


class DecisionRead(BaseModel):
    """What the company sees too: no staff identities."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    kenmerk: str = Field(description="reference number (kenmerk), on every letter")
    company_id: UUID
    kind: DecisionKind
    status: DecisionStatus
    grounds: str
    legal_basis: str
    effective_from: date | None = Field(description="none: the day it is sent")
    effective_until: date | None
    until_reinstated: bool
    placements_until: date | None
    urgent_reason: str | None = Field(description="art. 4:11 Awb: why there was no intended decision")
    intended_on: date | None
    response_due: date | None
    response_received_at: datetime | None
    sent_on: date | None
    objection_deadline: date | None
    criterion_id: UUID | None = Field(description="the recognition criterion the decision names as no longer met")
    revokes_decision_id: UUID | None = Field(
        description="historical: the decision a reinstate decision undid after an upheld objection, before "
        "restoring became part of the beslissing op bezwaar (art. 7:11 Awb); no longer set"
    )
    created_at: datetime


class DecisionStaffRead(DecisionRead):
    investigation_id: UUID | None
    drafted_by: UUID
    approved_by: UUID | None
    approved_at: datetime | None
    sent_by: UUID | None
    response_term_passed_at: datetime | None
    response_read_by: UUID | None
    response_read_at: datetime | None
    final_at: datetime | None
    revoked_at: datetime | None
    cancelled_at: datetime | None


class DecisionDetail(DecisionStaffRead):
    response_text: str | None
    recognitions: list[DecisionRecognitionRead]
    scope: list[ScopeRead] = Field(description="each recognition, what the decision does to it, with its dates")
    objection_ids: list[UUID]
    actions: list[ActionRead] = Field(description="what the caller may do with it now")
    criterion: CriterionRead | None = Field(description="the recognition criterion no longer met, if named")
    criteria_unmet: list[str] = Field(
        description="a grant: what its recognitions still miss of the criteria (empty: every criterion met)"
    )


class PortalDecisionDetail(DecisionRead):
    response_text: str | None
    recognitions: list[DecisionRecognitionRead]
    objection_ids: list[UUID]
