"""Reports of internship discrimination and their confidential part, kept in a table of its own."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from erkenning.core import clock
from erkenning.core.auth.scope import owned_by_school
from erkenning.core.db import TimestampedModel, enum_field, timestamp_field

# A row written without a day of receipt (SQL by hand, older code) was received the day it was written, in Dutch time.
RECEIVED_TODAY = sa.text("((now() AT TIME ZONE 'Europe/Amsterdam')::date)")


class ReportStatus(StrEnum):
    RECEIVED = "received"
    IN_TRIAGE = "in_triage"
    SUBSTANTIATED = "substantiated"
    NOT_SUBSTANTIATED = "not_substantiated"
    REFERRED = "referred"


class Ground(StrEnum):
    """The ground of the alleged discrimination (as in the Algemene wet gelijke behandeling, simplified).

    `education_level` (opleidingsniveau: e.g. an mbo student passed over for being an mbo student) is no
    ground of the Awgb (art. 1), nor of the acts on disability (Wgbh/cz) and age (Wgbl); SBB records it
    because students report it (issue 15), and the Stagepact report counts it with the other grounds.
    Whether the conduct reported is discrimination in law is for the investigation to weigh.
    """

    ETHNICITY = "ethnicity"
    RELIGION = "religion"
    DISABILITY = "disability"
    SEX = "sex"
    AGE = "age"
    SEXUAL_ORIENTATION = "sexual_orientation"
    EDUCATION_LEVEL = "education_level"
    OTHER = "other"


class Channel(StrEnum):
    """How the report reached SBB.

    `municipality`: a municipality passing a report on; municipalities give their residents access to an
    anti-discrimination agency (Wet gemeentelijke antidiscriminatievoorzieningen, art. 2), so a report may
    come from either.
    """

    SCHOOL_REPORTING_POINT = "school_reporting_point"
    ANTI_DISCRIMINATION_AGENCY = "anti_discrimination_agency"
    MUNICIPALITY = "municipality"
    CONTACT_FORM = "contact_form"
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    PUBLIC_FORM = "public_form"
    OTHER = "other"


# The channels staff enter a report from (schools and the public use their own routes), in the order offered.
ADVISER_CHANNELS = (
    Channel.PHONE, Channel.EMAIL, Channel.LETTER, Channel.ANTI_DISCRIMINATION_AGENCY, Channel.MUNICIPALITY,
    Channel.CONTACT_FORM, Channel.OTHER,
)


class ReferralBody(StrEnum):
    """Where a report is referred to when SBB is not the body to handle it."""

    ANTI_DISCRIMINATION_AGENCY = "anti_discrimination_agency"
    POLICE = "police"
    HUMAN_RIGHTS_INSTITUTE = "human_rights_institute"  # College voor de Rechten van de Mens


class CoarseStatus(StrEnum):
    """All a school or an anonymous reporter learns: never the triage outcome or an investigation."""

    RECEIVED = "received"
    BEING_HANDLED = "being handled"
    CLOSED = "closed"


class ReadPurpose(StrEnum):
    """Why the confidential part is opened; a closed list, so the audit trail holds no free text and a
    reporter can be told the purposes of each consultation (GDPR art. 15)."""

    TRIAGE = "triage"
    INVESTIGATION = "investigation"
    HEARING_PREPARATION = "hearing_preparation"
    DECISION = "decision"
    OBJECTION = "objection"
    REFERRAL = "referral"
    DATA_SUBJECT_REQUEST = "data_subject_request"


# The reference of a report: `SBB-M-<year received>-<6+ digits>`, from this sequence through the database
# function `report_reference(day)` (see the migration that made it).
reference_sequence = sa.Sequence("report_reference_seq", metadata=TimestampedModel.metadata)
REFERENCE_DEFAULT = sa.text("report_reference(CURRENT_DATE)")


class Report(TimestampedModel, table=True):
    """Melding: a report of internship discrimination about a company; `created_at` is when it arrived.

    `received_on` is the day SBB received it (a call, an e-mail or letter, an agency's or a municipality's
    referral may be entered later; a school's or the public form's report is received when it is entered).
    Holds only what every adviser may see. The reporter and the student's own account are in
    `ReportConfidential`. A school sees the reports it passed on (through `__scope__`), companies none.
    """

    __tablename__ = "report"
    __scope__: ClassVar = staticmethod(owned_by_school())
    __table_args__ = (
        sa.CheckConstraint("crebo ~ '^[0-9]{5}$'", name="crebo_5_digits"),
        sa.CheckConstraint(
            "company_id IS NOT NULL OR company_name_given IS NOT NULL OR company_kvk_given IS NOT NULL "
            "OR company_establishment_given IS NOT NULL OR company_sbb_id_given IS NOT NULL",
            name="company_identified",
        ),
        sa.CheckConstraint(
            "(channel = 'school_reporting_point') = (school_brin IS NOT NULL)", name="school_channel"
        ),
        sa.CheckConstraint("(status = 'referred') = (referred_to IS NOT NULL)", name="referral_named"),
        sa.CheckConstraint(
            "status <> 'substantiated' OR company_id IS NOT NULL", name="substantiated_has_company"
        ),
        sa.CheckConstraint(
            "(status IN ('received', 'in_triage')) = (triaged_at IS NULL)", name="triaged_at_matches_status"
        ),
        sa.CheckConstraint("received_on >= incident_date", name="received_after_incident"),
        # The repeat count at triage: reports about one company in a window of time.
        sa.Index("ix_report_company_created", "company_id", "created_at"),
    )

    __mapper_args__ = {"eager_defaults": True}  # RETURNING the reference the database made

    reference: str | None = Field(
        default=None,
        max_length=32,
        unique=True,
        nullable=False,
        sa_column_kwargs={"server_default": REFERENCE_DEFAULT},
        description="reference number (kenmerk), e.g. SBB-M-2026-000123; assigned when it arrives",
    )
    channel: Channel = enum_field(Channel, index=True)
    school_brin: str | None = Field(default=None, max_length=6, index=True)
    school_reference: str | None = Field(default=None, max_length=50, description="the school's own case number")

    # The company as matched (null until an adviser matches it) and as the reporter named it.
    company_id: UUID | None = Field(default=None, foreign_key="company.id", ondelete="RESTRICT")
    company_name_given: str | None = Field(default=None, max_length=200)
    company_kvk_given: str | None = Field(default=None, max_length=8)
    company_establishment_given: str | None = Field(default=None, max_length=12)
    company_sbb_id_given: str | None = Field(default=None, max_length=12)

    ground: Ground = enum_field(Ground, index=True)
    incident_date: date
    received_on: date = Field(
        default_factory=clock.today, index=True, sa_column_kwargs={"server_default": RECEIVED_TODAY},
        description="the day SBB received the report (not in the future, not before the incident)",
    )
    crebo: str | None = Field(default=None, max_length=5)
    summary: str = Field(max_length=500)

    status: ReportStatus = enum_field(ReportStatus, default=ReportStatus.RECEIVED, index=True)
    assigned_to: UUID | None = Field(default=None, foreign_key="principal.id", index=True, ondelete="RESTRICT")
    assigned_at: datetime | None = timestamp_field(nullable=True)
    triage_reason: str | None = Field(default=None, max_length=2000)
    referred_to: ReferralBody | None = enum_field(ReferralBody, default=None, nullable=True)

    # What retention rules count from (issue 7): when the triage outcome was decided, when the case closed.
    triaged_at: datetime | None = timestamp_field(nullable=True, index=True)
    closed_at: datetime | None = timestamp_field(nullable=True, index=True)
    confidential_erased_at: datetime | None = timestamp_field(nullable=True)

    # SHA-256 of the anonymous reporter's receipt code (the code itself is shown once, never stored).
    receipt_hash: str | None = Field(default=None, max_length=64, unique=True)

    @property
    def coarse_status(self) -> CoarseStatus:
        if self.closed_at is not None:
            return CoarseStatus.CLOSED
        if self.status is ReportStatus.RECEIVED:
            return CoarseStatus.RECEIVED
        return CoarseStatus.BEING_HANDLED


class ReportConfidential(TimestampedModel, table=True):
    """The confidential part of a report (melder, verhaal): need-to-know, every read audited.

    One row per report; erasing it (retention) deletes the row and stamps the report. No `__scope__`:
    no company or school caller can select it, and staff reach it only through
    `ReportService.read_confidential`, which checks the assignment.
    """

    __tablename__ = "report_confidential"

    report_id: UUID = Field(foreign_key="report.id", unique=True, ondelete="CASCADE")
    reporter_name: str | None = Field(default=None, max_length=200)
    reporter_contact: str | None = Field(default=None, max_length=200)
    narrative: str | None = Field(default=None, max_length=8000)

    def __repr_args__(self) -> Any:
        # Never let a repr (in a log line, a traceback, a debugger) show the content.
        return [("id", self.id), ("report_id", self.report_id)]


class ReportingPoint(TimestampedModel, table=True):
    """Meldpunt: a school's own low-threshold reporting point for internship discrimination (Stagepact mbo
    2023–2027: every mbo institution provides one). Kept by the school through its school token, one per
    BRIN code of the token; checked by SBB, and an edit by the school makes it unchecked again.

    The school table does not exist, so the school's municipality (which decides its regional ADV) is asked
    here. Public: the report page shows it to students.
    """

    __tablename__ = "reporting_point"
    __scope__: ClassVar = staticmethod(owned_by_school("brin"))
    __table_args__ = (
        sa.CheckConstraint("brin ~ '^[0-9]{2}[A-Z]{2}([0-9]{2})?$'", name="brin_form"),
        sa.CheckConstraint("email IS NOT NULL OR phone IS NOT NULL OR url IS NOT NULL", name="reachable"),
        sa.CheckConstraint("url IS NULL OR url LIKE 'https://%'", name="url_https"),
        sa.CheckConstraint("(checked_at IS NULL) = (checked_by IS NULL)", name="checked_by_someone"),
    )

    brin: str = Field(max_length=6, unique=True)
    school_name: str = Field(max_length=200, index=True)
    municipality: str = Field(max_length=100, index=True)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=20)
    url: str | None = Field(default=None, max_length=500)
    hours: str | None = Field(default=None, max_length=500, description="opening hours, or a note on how to reach it")
    version: int = Field(default=1, description="raised by every edit; a check names the version it saw")
    updated_by: UUID = Field(foreign_key="principal.id", ondelete="RESTRICT")
    checked_at: datetime | None = timestamp_field(nullable=True)
    checked_by: UUID | None = Field(default=None, foreign_key="principal.id", ondelete="RESTRICT")


class Adv(TimestampedModel, table=True):
    """Antidiscriminatievoorziening (ADV): the regional agency to which every municipality must give its
    residents access (Wet gemeentelijke antidiscriminatievoorzieningen, art. 1–2): it helps people who
    experienced discrimination and registers their complaints, anonymous ones too. Kept by admins; the
    first rows come from `reports/data/advs.json`."""

    __tablename__ = "adv"
    __table_args__ = (
        sa.CheckConstraint("website IS NULL OR website LIKE 'https://%'", name="website_https"),
    )

    name: str = Field(max_length=200, unique=True)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=20)
    website: str | None = Field(default=None, max_length=500)
    source: str = Field(max_length=500, description="where the entry comes from, and when it was checked")
    updated_by: UUID | None = Field(default=None, description="the admin who changed it last; None: shipped data")


class AdvMunicipality(SQLModel, table=True):
    """A municipality (gemeente) and the one ADV that covers it (Wgadv art. 2: each municipality has one)."""

    __tablename__ = "adv_municipality"
    __table_args__ = (sa.Index("uq_adv_municipality_lower", sa.text("lower(municipality)"), unique=True),)

    municipality: str = Field(max_length=100, primary_key=True)
    adv_id: UUID = Field(foreign_key="adv.id", ondelete="CASCADE", index=True)
