"""API shapes for courses, sessions, participation and completions.

Times come in timezone-aware (a naive time is refused) and go out in Europe/Amsterdam.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
        model_validator,
)

from erkenning.core import clock
from erkenning.core.fields import SPACE, TRIMMED, Boolean
from erkenning.training.models import (
    Course,
    CourseFormat,
    CourseSession,
    InvitationKind,
    Participation,
    ParticipationStatus,
    Topic,
)

if TYPE_CHECKING:
    from erkenning.training.services.invitations import Offer

LocalTime = Annotated[datetime, AfterValidator(clock.local)]
CourseCode = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$", description="e.g. WS-WERVING")
]
Title = Annotated[str, Field(min_length=1, max_length=200)]
Topics = Annotated[list[Topic], Field(min_length=1, max_length=len(Topic))]
TrainerName = Annotated[
    str, Field(min_length=1, max_length=200, description="the workplace trainer who attends")
]
ExternalId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:@+\-]{1,100}$")]
SbbCompanyId = Annotated[str, Field(pattern=r"^[0-9]{1,12}$", description="SBB company id (leerbedrijf-ID)")]
# Around it, the white space the shape strips before the check (see erkenning.core.fields).
HTTPS_URL = rf"^[{TRIMMED}]*https://[^{SPACE}/$.?#\x00][^\n\x00][^{SPACE}\x00]*[{TRIMMED}]*$"
_URL = re.compile(HTTPS_URL)


def _unique(topics: list[Topic]) -> list[Topic]:
    return sorted(set(topics), key=list(Topic).index)


def _https_url(value: str | None) -> str | None:
    if value is not None and not _URL.fullmatch(value):
        raise ValueError("an online link is an https:// address")
    return value


# ------------------------------------------------------------------ courses


class CourseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: CourseCode
    title: Title
    description: str = Field(default="", max_length=4000)
    format: CourseFormat
    topics: Annotated[Topics, AfterValidator(_unique)]
    duration_minutes: int = Field(ge=1, le=100_000)
    active: Boolean = True
    for_new_companies: Boolean = Field(
        default=False, description="offered to every newly recognised company, once (an invitation)"
    )
    online_url: Annotated[str | None, AfterValidator(_https_url)] = Field(
        default=None, max_length=500, pattern=HTTPS_URL,
        description="an e-learning's start page on the learning platform (https)",
    )


class CourseUpdate(BaseModel):
    """Only the fields given change (left out or null: unchanged, but null removes `online_url`); `version`
    must be the one you read (else 409). Code, format are fixed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: int = Field(ge=1)
    title: Title | None = None
    description: str | None = Field(default=None, max_length=4000)
    topics: Annotated[Topics, AfterValidator(_unique)] | None = None
    duration_minutes: int | None = Field(default=None, ge=1, le=100_000)
    active: Boolean | None = None
    for_new_companies: Boolean | None = None
    online_url: Annotated[str | None, AfterValidator(_https_url)] = Field(
        default=None, max_length=500, pattern=HTTPS_URL, description="null removes it"
    )


class CourseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    code: str
    title: str
    description: str
    format: CourseFormat
    topics: list[Topic]
    duration_minutes: int
    active: bool
    for_new_companies: bool
    online_url: str | None = Field(default=None, description="an e-learning's start page")
    version: int
    created_at: LocalTime
    updated_at: LocalTime


class InvitedCourseRead(BaseModel):
    """A course an invitation offers (still in the catalogue)."""

    id: UUID
    code: str
    title: str
    format: CourseFormat
    topics: list[Topic]


class InvitationRead(BaseModel):
    """Courses selected for the company: as a new company, or after improvement agreements (voluntary)."""

    id: UUID
    kind: InvitationKind
    topics: list[Topic] = Field(description="the recommended topics (improvement agreements; else empty)")
    courses: list[InvitedCourseRead]
    created_at: LocalTime
    dismissed_at: LocalTime | None

    @classmethod
    def of(cls, offer: Offer) -> InvitationRead:
        invitation = offer.invitation
        return cls(
            id=invitation.id, kind=invitation.kind, topics=invitation.topics,
            courses=[InvitedCourseRead.model_validate(c, from_attributes=True) for c in offer.courses],
            created_at=invitation.created_at, dismissed_at=invitation.dismissed_at,
        )


# ------------------------------------------------------------------ sessions


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    starts_at: AwareDatetime
    ends_at: AwareDatetime
    location: str | None = Field(default=None, min_length=1, max_length=300, description="address or room")
    online_url: Annotated[str | None, AfterValidator(_https_url)] = Field(
        default=None, max_length=500, pattern=HTTPS_URL
    )
    capacity: int = Field(ge=1, le=10_000)
    enrolment_closes_at: AwareDatetime | None = Field(
        default=None, description="default: when the session starts"
    )

    @model_validator(mode="after")
    def _consistent(self) -> SessionCreate:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if self.enrolment_closes_at is not None and self.enrolment_closes_at > self.starts_at:
            raise ValueError("enrolment_closes_at must not be after starts_at")
        if self.location is None and self.online_url is None:
            raise ValueError("give a location or an online_url")
        return self


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    course_id: UUID
    starts_at: LocalTime
    ends_at: LocalTime
    location: str | None
    online_url: str | None
    capacity: int
    enrolment_closes_at: LocalTime
    cancelled_at: LocalTime | None
    enrolled: int = Field(description="seats taken")
    waitlisted: int
    seats_left: int
    enrolment_open: bool = Field(description="not cancelled and before the closing time (full: waiting list)")

    @classmethod
    def of(cls, session: CourseSession, enrolled: int, waitlisted: int) -> SessionRead:
        return cls.model_validate(
            {
                **session.model_dump(),
                "enrolled": enrolled,
                "waitlisted": waitlisted,
                "seats_left": max(session.capacity - enrolled, 0),
                "enrolment_open": session.cancelled_at is None and clock.now() < session.enrolment_closes_at,
            }
        )


# ------------------------------------------------------------------ participation


class EnrolmentCreate(BaseModel):
    """Enrol in a session (workshop, webinar) or in an e-learning: give exactly one of the two."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    session_id: UUID | None = None
    course_id: UUID | None = Field(default=None, description="for an e-learning (it has no sessions)")
    trainer_name: TrainerName | None = None

    @model_validator(mode="after")
    def _one_target(self) -> EnrolmentCreate:
        if (self.session_id is None) == (self.course_id is None):
            raise ValueError("give either session_id or course_id")
        return self


class StaffEnrolmentCreate(EnrolmentCreate):
    company_id: UUID


class ParticipationRead(BaseModel):
    """One participation with what it is about: the course history's line."""

    id: UUID
    company_id: UUID
    course_id: UUID
    course_code: str
    course_title: str
    format: CourseFormat
    topics: list[Topic]
    session_id: UUID | None
    session_starts_at: LocalTime | None
    session_ends_at: LocalTime | None
    location: str | None
    online_url: str | None
    trainer_name: str | None
    status: ParticipationStatus
    waitlisted_at: LocalTime | None
    completed_on: date | None
    certificate_code: str | None
    created_at: LocalTime
    updated_at: LocalTime

    @classmethod
    def of(cls, p: Participation, course: Course, session: CourseSession | None) -> ParticipationRead:
        return cls(
            id=p.id,
            company_id=p.company_id,
            course_id=course.id,
            course_code=course.code,
            course_title=course.title,
            format=course.format,
            topics=course.topics,
            session_id=p.session_id,
            session_starts_at=session.starts_at if session else None,
            session_ends_at=session.ends_at if session else None,
            location=session.location if session else None,
            online_url=session.online_url if session else None,
            trainer_name=p.trainer_name,
            status=p.status,
            waitlisted_at=p.waitlisted_at,
            completed_on=p.completed_on,
            certificate_code=p.certificate_code,
            created_at=p.created_at,
            updated_at=p.updated_at,
        )


class AttendanceRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    participation_id: UUID
    status: Literal[ParticipationStatus.ATTENDED, ParticipationStatus.NO_SHOW]


class AttendanceCreate(BaseModel):
    """The attendance list of one session: attended or no_show for each participation named."""

    model_config = ConfigDict(extra="forbid")

    records: list[AttendanceRecord] = Field(min_length=1, max_length=10_000)

    @model_validator(mode="after")
    def _each_once(self) -> AttendanceCreate:
        ids = [r.participation_id for r in self.records]
        if len(ids) != len(set(ids)):
            raise ValueError("each participation may appear once")
        return self


# ------------------------------------------------------------------ completions and certificates


def _completion_date(value: Any) -> Any:
    """A date (YYYY-MM-DD) or a timezone-aware time, taken as its date in Amsterdam."""
    if isinstance(value, str) and len(value.strip()) > 10:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise ValueError("a completion time needs its UTC offset")
        return clock.local(moment).date()
    return value


def _not_in_future(value: date) -> date:
    if value > clock.today():
        raise ValueError("a completion cannot lie in the future")
    return value


CompletionDate = Annotated[date, BeforeValidator(_completion_date), AfterValidator(_not_in_future)]


class CompletionIn(BaseModel):
    """One completed e-learning as the learning platform reports it (webhook body or CSV row)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    completion_id: ExternalId = Field(
        description="the platform's own id of this completion (idempotency key)"
    )
    course_code: CourseCode
    company_sbb_id: SbbCompanyId
    completed_at: CompletionDate = Field(description="YYYY-MM-DD, or an ISO 8601 time with offset")


class CompletionResult(BaseModel):
    result: Literal["recorded", "already_recorded"]
    participation_id: UUID


class ImportResult(BaseModel):
    rows: int
    recorded: int
    already_recorded: int


class CertificateRead(BaseModel):
    """What the public may learn from a certificate code: nothing more."""

    course_title: str
    company_name: str
    completed_on: date
