"""API shapes for reports. Every free-text field is bounded and refuses control characters; input shapes
forbid unknown fields, so status, company_id or an assignment can't be slipped in."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic.config import JsonDict
from pydantic.fields import FieldInfo

from erkenning.companies.schemas import EstablishmentNumber, KvkNumber, SbbId
from erkenning.core import calendar, clock
from erkenning.core.states import Move
from erkenning.reports.models import Channel, CoarseStatus, Ground, ReadPurpose, ReferralBody, Report, ReportStatus

# Tabs and newlines are text; other control characters (NUL above all, which PostgreSQL refuses) are not.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_characters(value: str) -> str:
    # The message never quotes the input: a 422 body must not echo what a reporter wrote.
    if _CONTROL.search(value):
        raise ValueError("contains control characters")
    return value


def bounded_text(max_length: int) -> tuple[FieldInfo, AfterValidator]:
    """Free text: 1 to `max_length` characters, no control characters (tabs and newlines are text)."""
    # The pattern only tells the OpenAPI document what the validator refuses (its message stays).
    no_control: JsonDict = {"pattern": r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"}
    field: FieldInfo = Field(min_length=1, max_length=max_length, json_schema_extra=no_control)
    return field, AfterValidator(_no_control_characters)


Summary = Annotated[str, *bounded_text(500)]
Narrative = Annotated[str, *bounded_text(8000)]
PersonName = Annotated[str, *bounded_text(200)]
Contact = Annotated[str, *bounded_text(200)]
CompanyName = Annotated[str, *bounded_text(200)]
Reason = Annotated[str, *bounded_text(2000)]
Crebo = Annotated[str, Field(pattern=r"^[0-9]{5}$", description="crebo code of the qualification concerned")]
SchoolReference = Annotated[
    str, Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9][A-Za-z0-9_./-]*$",
               description="the school's own case number (letters, digits, _ . / -)")
]

_INPUT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CompanyGiven(BaseModel):
    """The company as the reporter names it: any of its identifiers, or just a name."""

    model_config = _INPUT

    sbb_id: SbbId | None = None
    kvk_number: KvkNumber | None = None
    establishment_number: EstablishmentNumber | None = None
    name: CompanyName | None = None

    @model_validator(mode="after")
    def _named(self) -> CompanyGiven:
        if not self.identified():
            raise ValueError("name the company: sbb_id, kvk_number, establishment_number or name")
        return self

    def identified(self) -> bool:
        return any((self.sbb_id, self.kvk_number, self.establishment_number, self.name))


class CompanyGivenByStaff(CompanyGiven):
    company_id: UUID | None = Field(default=None, description="the company in this register, if known")

    def identified(self) -> bool:
        return self.company_id is not None or super().identified()


def _a_past_day(what: str) -> Callable[[date], date]:
    """A day that has come (Dutch calendar), from 2000 on: an incident, the receipt of a report."""

    def check(value: date) -> date:
        if value > clock.today():
            raise ValueError(f"{what} cannot be in the future")
        if value < date(2000, 1, 1):
            raise ValueError(f"{what} is before 2000")
        return value

    return check


IncidentDate = Annotated[date, AfterValidator(_a_past_day("the incident date"))]
ReceivedOn = Annotated[date, AfterValidator(_a_past_day("the date of receipt"))]


class _ReportFacts(BaseModel):
    """What every report states; no confidential part here."""

    model_config = _INPUT

    company: CompanyGiven
    ground: Ground
    incident_date: IncidentDate
    crebo: Crebo | None = None
    summary: Summary = Field(
        description="short and non-sensitive: no names, no health or other special-category details"
    )


class ConfidentialGiven(BaseModel):
    """The reporter and the student's own account; seen only by the assigned adviser and senior advisers."""

    model_config = _INPUT

    reporter_name: PersonName | None = None
    reporter_contact: Contact | None = None
    narrative: Narrative | None = None


class AnonymousConfidential(BaseModel):
    model_config = _INPUT

    narrative: Narrative | None = None


class SchoolReportCreate(_ReportFacts):
    """A report passed on by a school's reporting point."""

    school_reference: SchoolReference | None = None
    confidential: ConfidentialGiven | None = None


class AdviserReportCreate(_ReportFacts):
    """A report entered by staff: received by phone, e-mail or letter, from an anti-discrimination agency or a
    municipality, through the contact form, or otherwise; with the day it was received."""

    company: CompanyGivenByStaff
    channel: Channel = Field(
        description="phone, email, letter, anti_discrimination_agency, municipality, contact_form or other "
        "(schools and the public have their own routes)"
    )
    received_on: ReceivedOn | None = Field(
        default=None, description="the day SBB received the report; not in the future, not before the incident "
        "date; default today"
    )
    confidential: ConfidentialGiven | None = None

    @field_validator("received_on")
    @classmethod
    def _received_after_incident(cls, value: date | None, info: ValidationInfo) -> date | None:
        incident = info.data.get("incident_date")  # validated before: declared earlier
        if value is not None and incident is not None and value < incident:
            raise ValueError("the date of receipt cannot be before the incident date")
        return value


class AnonymousReportCreate(_ReportFacts):
    """A report from anyone, without identity; only the student's account may be added."""

    confidential: AnonymousConfidential | None = None


class Receipt(BaseModel):
    receipt: str = Field(description="keep this code: it is the only way to see the status later; shown once")
    status: CoarseStatus


class ReceiptLookup(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    receipt: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9-]+$")


class ReceiptStatus(BaseModel):
    """All an anonymous reporter learns."""

    status: CoarseStatus


class AssignmentCreate(BaseModel):
    model_config = _INPUT

    adviser_id: UUID = Field(description="an active adviser or senior adviser; an adviser may only take a report")


class CompanyMatch(BaseModel):
    model_config = _INPUT

    company_id: UUID


class TriageReason(BaseModel):
    model_config = _INPUT

    reason: Reason


class Referral(TriageReason):
    referred_to: ReferralBody


class CompanyAsGiven(BaseModel):
    sbb_id: str | None
    kvk_number: str | None
    establishment_number: str | None
    name: str | None


class ReportRead(BaseModel):
    """The non-confidential part, for staff."""

    id: UUID
    reference: str = Field(description="reference (kenmerk), e.g. SBB-M-2026-000123")
    received_at: datetime
    channel: Channel
    school_brin: str | None
    school_reference: str | None
    company_id: UUID | None
    company_given: CompanyAsGiven
    ground: Ground
    incident_date: date
    received_on: date
    crebo: str | None
    summary: str
    status: ReportStatus
    assigned_to: UUID | None
    assigned_at: datetime | None
    referred_to: ReferralBody | None
    triaged_at: datetime | None
    closed_at: datetime | None
    has_confidential: bool


class ReportDetail(ReportRead):
    """One report at triage: with the reason, the repeat count, and what the caller may do now."""

    triage_reason: str | None
    other_reports_recent: int | None = Field(
        description="other reports about the same company in the repeat window (null while the company is unknown)"
    )
    repeat_flag: bool
    may_read_confidential: bool
    actions: list[Move]


class ConfidentialRead(BaseModel):
    report_id: UUID
    reporter_name: str | None
    reporter_contact: str | None
    narrative: str | None


class SchoolReportRead(BaseModel):
    """What a school sees of a report it passed on: never the outcome of triage or an investigation."""

    id: UUID
    reference: str = Field(description="SBB's reference (kenmerk) of the report, e.g. SBB-M-2026-000123")
    received_at: datetime
    school_reference: str | None
    status: CoarseStatus
    assessed_by: date | None = Field(
        description="while `received`: the last day of SBB's term to assess the report "
        "(REPORT_TRIAGE_TERM_WORKING_DAYS working days after the day it arrived; weekends and the general holidays "
        "of the Algemene termijnenwet do not count); null once SBB is handling it"
    )
    next_step: str = Field(description="what happens next, in a sentence")


def report_read(report: Report, has_confidential: bool) -> dict[str, Any]:
    """The fields of ReportRead from a report row."""
    return {
        "id": report.id,
        "reference": report.reference,
        "received_at": report.created_at,
        "channel": report.channel,
        "school_brin": report.school_brin,
        "school_reference": report.school_reference,
        "company_id": report.company_id,
        "company_given": CompanyAsGiven(
            sbb_id=report.company_sbb_id_given,
            kvk_number=report.company_kvk_given,
            establishment_number=report.company_establishment_given,
            name=report.company_name_given,
        ),
        "ground": report.ground,
        "incident_date": report.incident_date,
        "received_on": report.received_on,
        "crebo": report.crebo,
        "summary": report.summary,
        "status": report.status,
        "assigned_to": report.assigned_to,
        "assigned_at": report.assigned_at,
        "referred_to": report.referred_to,
        "triaged_at": report.triaged_at,
        "closed_at": report.closed_at,
        "has_confidential": has_confidential,
    }


_NEXT_STEP = {
    CoarseStatus.RECEIVED: "SBB assesses the report by {due}. SBB may then ask your reporting point for a reaction; "
    "it tells you the outcome separately.",
    CoarseStatus.BEING_HANDLED: "SBB is handling the report and may ask your reporting point for a reaction; it tells "
    "you the outcome separately.",
    CoarseStatus.CLOSED: "SBB has finished handling the report.",
}


def school_report_read(report: Report, triage_term_working_days: int) -> SchoolReportRead:
    """What a school sees of its report, with SBB's term while it waits for assessment (`assessment_due`)."""
    status = report.coarse_status
    due = assessment_due(report.created_at, triage_term_working_days) if status is CoarseStatus.RECEIVED else None
    return SchoolReportRead(
        id=report.id, reference=str(report.reference), received_at=report.created_at,
        school_reference=report.school_reference, status=status, assessed_by=due,
        next_step=_NEXT_STEP[status].format(due=due.isoformat() if due else ""),
    )


def assessment_due(received_at: datetime, working_days: int) -> date:
    """The last day of SBB's term to assess a report: `working_days` working days after the (Dutch) day it arrived;
    Saturdays, Sundays and the general holidays of the Algemene termijnenwet (art. 3, with the days equated by
    decree) are not working days, so the term never ends on one of them (Atw art. 1)."""
    return calendar.add_working_days(clock.local(received_at).date(), working_days)


# Who consulted a report (admins), and what its reporter may learn of that (GDPR art. 15).
class ReportReadEntry(BaseModel):
    """One read of a report, as the audit trail holds it."""

    at: datetime
    action: str
    result: str
    purpose: str | None
    actor_id: UUID | None
    actor_name: str | None
    actor_role: str
    origin: str | None
    request_id: str | None


class ReportReads(BaseModel):
    report_id: UUID
    reads: list[ReportReadEntry]


class Consultation(BaseModel):
    """One consultation of the reporter's data: the day (Dutch calendar) and why. Nobody is named."""

    on: date
    purpose: ReadPurpose


class Consultations(BaseModel):
    consultations: list[Consultation]
