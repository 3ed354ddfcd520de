"""API shapes of objections (bezwaar, chapters 6 and 7 Awb): filing, the hearing, the term, the decision,
and the file the company may inspect (art. 7:4 Awb)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from erkenning.recognition.models import FiledVia, HearingSkipGround, HearingStatus, ObjectionStatus
from erkenning.recognition.schemas import Text, _Input

Short = Annotated[str, Field(min_length=1, max_length=500)]


class ObjectionCreate(_Input):
    grounds: Text


class PaperObjectionCreate(_Input):
    """An objection filed by staff on the company's behalf; with `received_on`: one received on paper."""

    grounds: Text
    received_on: date | None = Field(
        default=None, description="paper: the day SBB received it (art. 6:9 Awb); without it: today, not on paper"
    )
    postmarked_on: date | None = Field(
        default=None, description="paper: the postmark's date; posted within the term and received within a week "
        "after it is on time (art. 6:9(2) Awb)"
    )


class ObjectionDecide(_Input):
    outcome: Literal["upheld", "rejected", "inadmissible"]
    reason: Text
    restore_from: date | None = Field(
        default=None,
        description="upheld only: restore from this date instead of the decision's own start (never before "
        "it); needs restore_reason",
    )
    restore_reason: Text | None = Field(default=None, description="why the restoration starts later")


class LatenessDecide(_Input):
    """Art. 6:11 Awb: is the lateness excusable? Not admissible: the objection is declared inadmissible."""

    admissible: bool
    reason: Text


class TermExtend(_Input):
    """Art. 7:10(3) Awb: postpone the decision by six weeks, once, with the reason the company is told."""

    reason: Text


class HearingInvite(_Input):
    hearing_at: AwareDatetime = Field(description="date and time of the hearing, with its offset (ISO 8601)")
    place: Short | None = Field(default=None, description="the address where it is held")
    video_link: Annotated[str, Field(min_length=8, max_length=500, pattern=r"^https://\S+$")] | None = Field(
        default=None, description="an https link to join by video"
    )


class HearingHeld(_Input):
    report: Text = Field(description="the report (verslag) of the hearing; the company receives it")


class HearingSkip(_Input):
    ground: HearingSkipGround = Field(description="the ground of art. 7:3 Awb on which it is left out")
    note: Text


class ObjectionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    reference: str = Field(description="the objection's own reference (kenmerk), also its letter's")
    decision_id: UUID
    company_id: UUID
    status: ObjectionStatus
    grounds: str
    filed_on: date = Field(description="the day SBB received it")
    filed_via: FiledVia
    postmarked_on: date | None
    timely: bool = Field(description="received within the term, or posted within it and received within a week")
    late_excused: bool | None = Field(description="late only: admissible (art. 6:11 Awb) or not; null: not decided")
    late_reason: str | None
    decide_by: date | None = Field(description="the last day to decide (art. 7:10 Awb)")
    extended_at: datetime | None
    extension_reason: str | None
    hearing_status: HearingStatus
    hearing_at: datetime | None
    hearing_place: str | None
    hearing_video_link: str | None
    hearing_report: str | None = Field(description="the report (verslag) of the hearing, once held")
    hearing_held_at: datetime | None
    hearing_skip_ground: HearingSkipGround | None
    hearing_skip_note: str | None
    decided_at: datetime | None
    decided_on: date | None = Field(description="the day the beslissing op bezwaar was sent")
    appeal_deadline: date | None = Field(description="the last day to appeal to the court (art. 6:7 Awb)")
    outcome_reason: str | None
    restore_from: date | None = Field(description="upheld: the recognitions are restored from this date")
    restore_reason: str | None = Field(description="why the restoration starts later than the decision did")
    reinstate_decision_id: UUID | None = Field(
        description="historical: the reinstate decision that restored from the day the objection was decided, "
        "before restoring became part of the beslissing op bezwaar (art. 7:11 Awb); no longer set"
    )
    created_at: datetime


class ObjectionDetail(ObjectionRead):
    actions: list[dict[str, object]] = Field(description="what the caller may do now: decide, hearing moves")


class FileDocument(BaseModel):
    """One document of the file the company may inspect (art. 7:4 Awb)."""

    kind: str = Field(description="decision_letter, intended_decision_letter, response, investigation_hearing, "
                      "grounds, objection, hearing_invitation, hearing_report")
    title: str
    on: date | None
    text: str | None = Field(default=None, description="the document's text, where it is text")
    download: str | None = Field(default=None, description="where to download it (a kept letter)")


class ObjectionFileRead(BaseModel):
    """The file for inspection (art. 7:4 Awb): what the decision rests on that the company may see. Never the
    reporter's identity, the confidential part of a report, or the reports themselves."""

    objection_id: UUID
    reference: str
    decision_id: UUID
    documents: list[FileDocument]
