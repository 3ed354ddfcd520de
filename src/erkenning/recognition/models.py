"""Qualifications, recognitions with the dated periods that say what held when, decisions and objections."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import DATERANGE, JSONB, ExcludeConstraint
from sqlmodel import Field, SQLModel

from erkenning.core.auth.scope import owned_by_company
from erkenning.core.caller import Caller, Role
from erkenning.core.db import (
    TimestampedModel,
    TZDateTime,
    UUIDModel,
    enum_field,
    metadata,
    timestamp_field,
)


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
    REFUSED = "refused"  # an application that a decision turned down


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
    __scope__: ClassVar = staticmethod(owned_by_company())
    __table_args__ = (sa.UniqueConstraint("company_id", "qualification_id", "pathway"),)

    company_id: UUID = Field(foreign_key="company.id", index=True, ondelete="RESTRICT")
    qualification_id: UUID = Field(foreign_key="qualification.id", index=True, ondelete="RESTRICT")
    pathway: Pathway = enum_field(Pathway)
    status: RecognitionStatus = enum_field(RecognitionStatus, default=RecognitionStatus.PENDING, index=True)
    granted_on: date | None = Field(default=None)
    reassessment_due: date | None = Field(default=None, index=True)
    reassessment_noticed_on: date | None = Field(
        default=None, description="when the daily task put the coming reassessment on the advisers' list"
    )
    version: int = Field(default=1)


# The transaction's recorded time: what the service set for it (`periods.stamp`, on the service clock),
# else the database's transaction time. Created by the migration that adds the period history.
RECORDED_AT_FUNCTION = "erkenning_recorded_at"


class RecognitionPeriod(UUIDModel, table=True):
    """One dated stretch of one status of a recognition: [valid_from, valid_until), open-ended if no end.

    PostgreSQL refuses two overlapping periods of the same recognition (exclusion constraint), so
    "what was the status on date D" has exactly one answer, found through the same GiST index.

    Two time axes: `during` is valid time (when the status holds), `recorded_from` is recorded time
    (since when the register says so). The rows here are the register's current knowledge; a trigger
    copies every row that is changed or deleted into `recognition_period_history` (see there).
    """

    __tablename__ = "recognition_period"
    __table_args__ = (
        ExcludeConstraint(
            (sa.column("recognition_id"), "="),
            (sa.column("during"), "&&"),
            using="gist",
            name="ex_recognition_period_no_overlap",
        ),
        # The daily task finds periods that started but are not yet reflected in recognition.status.
        sa.Index(
            "ix_recognition_period_unapplied_start",
            sa.text("lower(during)"),
            postgresql_where=sa.text("NOT applied"),
        ),
    )

    recognition_id: UUID = Field(foreign_key="recognition.id", index=True, ondelete="CASCADE")
    status: RecognitionStatus = enum_field(RecognitionStatus)
    during: Any = Field(sa_type=DATERANGE, description="[valid_from, valid_until)")
    decision_id: UUID | None = Field(
        default=None,
        index=True,
        foreign_key="decision.id",
        ondelete="RESTRICT",
        description="the decision this period comes from (none for the application's pending period)",
    )
    objection_id: UUID | None = Field(
        default=None,
        foreign_key="objection.id",
        ondelete="RESTRICT",
        description="the upheld objection that restored this period (art. 7:11 Awb), if one did",
    )
    applied: bool = Field(
        default=True,
        sa_column_kwargs={"server_default": sa.true()},
        description="False while the period starts in the future: recognition.status has not caught up yet",
    )
    created_at: Any = timestamp_field(default_now=True)
    recorded_from: datetime | None = Field(
        default=None,
        sa_type=TZDateTime,
        sa_column_kwargs={"server_default": sa.text(f"{RECORDED_AT_FUNCTION}()"), "nullable": False},
        description="recorded time: since when the register says this (set by the database on insert and "
        "on every change of what the row says, to the writing transaction's time)",
    )

    @staticmethod
    def range(valid_from: date, valid_until: date | None = None) -> Any:
        from sqlalchemy.dialects.postgresql import Range

        return Range(valid_from, valid_until, bounds="[)")


class RecognitionPeriodHistory(SQLModel, table=True):
    """A period as the register said it until it was changed or deleted: its valid and recorded time.

    System-versioned as SQL:2011 does it: a trigger on `recognition_period` copies the old row here on
    every UPDATE that changes what a period says and on every DELETE, with `recorded_from` (since when
    the register said it) and `recorded_until` (when that was superseded), and the decision or upheld
    objection that superseded it where the service named one (`periods.stamp`); none: an import or a
    correction outside the service. Nothing else writes here, and the database refuses UPDATE and
    DELETE. A row inserted and changed again in one transaction was never seen by anyone: no copy.
    """

    __tablename__ = "recognition_period_history"
    __table_args__ = (
        sa.CheckConstraint("recorded_from < recorded_until", name="recorded_interval"),
        sa.Index("ix_recognition_period_history_recognition_id", "recognition_id", "recorded_until"),
    )

    id: UUID = Field(primary_key=True, sa_column_kwargs={"server_default": sa.text("gen_random_uuid()")})
    period_id: UUID = Field(description="the row's id in recognition_period")
    recognition_id: UUID = Field(foreign_key="recognition.id", ondelete="RESTRICT")
    status: RecognitionStatus = enum_field(RecognitionStatus)
    during: Any = Field(sa_type=DATERANGE, description="[valid_from, valid_until)")
    decision_id: UUID | None = Field(default=None)
    objection_id: UUID | None = Field(default=None)
    recorded_from: datetime = Field(sa_type=TZDateTime)
    recorded_until: datetime = Field(sa_type=TZDateTime)
    superseded_by_decision_id: UUID | None = Field(default=None)
    superseded_by_objection_id: UUID | None = Field(default=None)


class DecisionKind(StrEnum):
    GRANT = "grant"
    REFUSE = "refuse"
    IMPOSE_CONDITIONS = "impose_conditions"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    WITHDRAW = "withdraw"
    LAPSE = "lapse"


class DecisionStatus(StrEnum):
    DRAFT = "draft"
    INTENDED = "intended"  # put to the company as an intended decision (voornemen), awaiting its response
    APPROVED = "approved"
    SENT = "sent"
    FINAL = "final"
    REVOKED = "revoked"
    CANCELLED = "cancelled"  # dropped before it was sent


# The reference number (kenmerk) of a decision: `SBB-B-<year of drafting>-<6+ digits>`, from this sequence
# through the database function `decision_kenmerk(day)` (see the migration that made it).
kenmerk_sequence = sa.Sequence("decision_kenmerk_seq", metadata=metadata)
KENMERK_DEFAULT = sa.text("decision_kenmerk(CURRENT_DATE)")


# What a company sees of its decisions: nothing before it is put to it or sent.
COMPANY_VISIBLE = (
    DecisionStatus.INTENDED,
    DecisionStatus.SENT,
    DecisionStatus.FINAL,
    DecisionStatus.REVOKED,
)


def _company_visible_decisions(model: type[Any], caller: Caller) -> sa.ColumnElement[bool]:
    if caller.role is Role.COMPANY and caller.company_id is not None:
        return sa.and_(
            model.company_id == caller.company_id,
            model.status.in_([s.value for s in COMPANY_VISIBLE]),
        )
    return sa.false()


class Decision(TimestampedModel, table=True):
    """Besluit: SBB's decision that changes (or refuses) recognitions of one company, from an effective date.

    Without an `effective_from` the decision takes effect on the day it is sent (filled in then).
    `effective_until` is set only for a suspension with an end date; a suspension without one lasts
    until a reinstate decision. The objection deadline is set when the decision is sent.
    `placements_until` is the transition arrangement: students whose placement was running when the
    decision took effect may finish it until that day (inclusive); never before the effective date.
    """

    __tablename__ = "decision"
    __scope__: ClassVar = staticmethod(_company_visible_decisions)
    __table_args__ = (
        sa.CheckConstraint(
            "effective_until IS NULL OR "
            "(kind = 'suspend' AND (effective_from IS NULL OR effective_until > effective_from))",
            name="effective_until_only_for_suspension",
        ),
        sa.CheckConstraint(
            "effective_from IS NOT NULL OR status IN ('draft', 'intended', 'approved', 'cancelled')",
            name="effective_from_set_when_sent",
        ),
        sa.CheckConstraint("approved_by IS NULL OR status <> 'draft'", name="draft_not_approved"),
        sa.CheckConstraint(
            "placements_until IS NULL OR effective_from IS NULL OR placements_until >= effective_from",
            name="placements_not_before_effect",
        ),
        sa.Index(
            "ix_decision_sent_deadline", "objection_deadline", postgresql_where=sa.text("status = 'sent'")
        ),
        sa.Index("ix_decision_company_created", "company_id", "created_at"),
    )

    __mapper_args__ = {"eager_defaults": True}  # RETURNING a kenmerk the database made

    kenmerk: str | None = Field(
        default=None,
        max_length=32,
        unique=True,
        nullable=False,
        sa_column_kwargs={"server_default": KENMERK_DEFAULT},
        description="reference number, unique per decision; assigned when it is drafted",
    )
    company_id: UUID = Field(foreign_key="company.id", ondelete="RESTRICT")
    kind: DecisionKind = enum_field(DecisionKind, index=True)
    status: DecisionStatus = enum_field(DecisionStatus, default=DecisionStatus.DRAFT, index=True)
    grounds: str = Field(sa_type=sa.Text)
    legal_basis: str = Field(max_length=500)
    effective_from: date | None = Field(default=None)
    effective_until: date | None = Field(default=None)
    placements_until: date | None = Field(default=None)
    # Set when an investigation's approved outcome made this decision (the hearing happened there).
    investigation_id: UUID | None = Field(default=None, index=True)
    # The recognition criterion (condition) that is no longer met: named by a suspension or withdrawal and in
    # its letter (art. 3:46 Awb: the decision states its grounds; art. 7.2.10 WEB: the conditions).
    criterion_id: UUID | None = Field(default=None, foreign_key="recognition_criterion.id", ondelete="RESTRICT")
    # Historical: set on the reinstate decision by which an upheld objection used to restore what it revoked,
    # before restoring became part of the beslissing op bezwaar itself (art. 7:11 Awb). No longer written.
    revokes_decision_id: UUID | None = Field(default=None, foreign_key="decision.id", ondelete="RESTRICT")

    drafted_by: UUID = Field(foreign_key="principal.id", ondelete="RESTRICT")
    approved_by: UUID | None = Field(default=None, foreign_key="principal.id", ondelete="RESTRICT")
    approved_at: datetime | None = timestamp_field(nullable=True)
    sent_by: UUID | None = Field(default=None, foreign_key="principal.id", ondelete="RESTRICT")
    # Art. 4:11 Awb: why the company was not first heard on an urgent measure (no intended decision).
    urgent_reason: str | None = Field(default=None, sa_type=sa.Text)

    # Intended decision (voornemen, art. 4:8 Awb): the company's response term and what came of it.
    intended_on: date | None = Field(default=None)
    response_due: date | None = Field(default=None)
    response_text: str | None = Field(default=None, sa_type=sa.Text)
    response_received_at: datetime | None = timestamp_field(nullable=True)
    response_term_passed_at: datetime | None = timestamp_field(nullable=True)
    # The approver who confirmed having read the company's response before deciding.
    response_read_by: UUID | None = Field(default=None, foreign_key="principal.id", ondelete="RESTRICT")
    response_read_at: datetime | None = timestamp_field(nullable=True)
    # Intended decisions spent by reopening (the measure may change: a new one is put to the company), with
    # the response each got: [{intended_on, response_due, response_received_at, response_text}].
    earlier_intentions: list[dict[str, Any]] = Field(
        default_factory=list, sa_type=JSONB, sa_column_kwargs={"server_default": "[]"}
    )

    sent_at: datetime | None = timestamp_field(nullable=True)
    sent_on: date | None = Field(default=None)
    objection_deadline: date | None = Field(default=None)
    final_at: datetime | None = timestamp_field(nullable=True)
    revoked_at: datetime | None = timestamp_field(nullable=True)
    cancelled_at: datetime | None = timestamp_field(nullable=True)

    @property
    def until_reinstated(self) -> bool:
        """A suspension without an end date lasts until a reinstate decision."""
        return self.kind is DecisionKind.SUSPEND and self.effective_until is None


def _status_field(name: str) -> Any:
    # Its own CHECK constraint name per column (two columns share the enum on one table).
    sa_type = sa.Enum(
        RecognitionStatus,
        native_enum=False,
        create_constraint=True,
        length=32,
        name=name,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )
    return Field(default=None, sa_type=sa_type, nullable=True)


class DecisionRecognition(SQLModel, table=True):
    """One recognition a decision names, and the status it moved it from and to (set when sent)."""

    __tablename__ = "decision_recognition"

    decision_id: UUID = Field(foreign_key="decision.id", primary_key=True, ondelete="CASCADE")
    recognition_id: UUID = Field(
        foreign_key="recognition.id", primary_key=True, index=True, ondelete="RESTRICT"
    )
    status_before: RecognitionStatus | None = _status_field("status_before")
    status_after: RecognitionStatus | None = _status_field("status_after")


class LetterKind(StrEnum):
    """The kinds of letter kept so far; the column is plain text, so a new kind needs no migration."""

    DECISION = "decision"
    INTENDED_DECISION = "intended_decision"
    OBJECTION_DECISION = "objection_decision"  # beslissing op bezwaar (art. 7:12 Awb), kenmerk: the objection's


class Letter(UUIDModel, table=True):
    """Brief: a letter as the company got it, kept unchanged (the database refuses UPDATE and DELETE).

    Rendered by `erkenning.letters` at the moment it goes out; `sha256` is the hash of `html` (UTF-8),
    also written in the audit row of that moment. Found through its decision (and the decision's scope).
    """

    __tablename__ = "letter"
    __table_args__ = (sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_hex"),)

    kenmerk: str = Field(max_length=40, unique=True)
    kind: str = Field(max_length=40, description="a LetterKind value")
    decision_id: UUID = Field(foreign_key="decision.id", index=True, ondelete="RESTRICT")
    objection_id: UUID | None = Field(default=None, foreign_key="objection.id", index=True, ondelete="RESTRICT")
    html: str = Field(sa_type=sa.Text)
    sha256: str = Field(max_length=64)
    created_at: datetime = timestamp_field(default_now=True)
    created_by: UUID = Field(foreign_key="principal.id", ondelete="RESTRICT")


class ObjectionStatus(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"  # gegrond: the decision is revoked and what it changed restored from its start
    REJECTED = "rejected"  # ongegrond: the decision stands
    INADMISSIBLE = "inadmissible"  # niet-ontvankelijk (e.g. late without excuse, art. 6:11 Awb): not judged
    WITHDRAWN = "withdrawn"


# What a beslissing op bezwaar (art. 7:12 Awb) decides: each gets its letter, open to appeal only.
OBJECTION_DECIDED = frozenset({ObjectionStatus.UPHELD, ObjectionStatus.REJECTED, ObjectionStatus.INADMISSIBLE})


class FiledVia(StrEnum):
    PORTAL = "portal"
    BACKOFFICE = "backoffice"
    POST = "post"  # received on paper; staff record the day of receipt and the postmark


class HearingStatus(StrEnum):
    """Hoorzitting (art. 7:2 Awb): not arranged yet, the objector invited, held (with its verslag), or skipped."""

    NONE = "none"
    INVITED = "invited"
    HELD = "held"
    SKIPPED = "skipped"


class HearingSkipGround(StrEnum):
    """The grounds of art. 7:3 Awb on which the hearing of the objector may be left out."""

    MANIFESTLY_INADMISSIBLE = "manifestly_inadmissible"  # a: kennelijk niet-ontvankelijk
    MANIFESTLY_UNFOUNDED = "manifestly_unfounded"  # b: kennelijk ongegrond
    WAIVED = "waived"  # c: de indiener heeft verklaard geen gebruik te willen maken van het recht te worden gehoord
    FULLY_UPHELD = "fully_upheld"  # e: aan het bezwaar wordt volledig tegemoetgekomen


# The reference (kenmerk) of an objection: `SBB-BZ-<year of receipt>-<6+ digits>`, through the database
# function `objection_reference(day)` (see the migration that made it).
objection_reference_sequence = sa.Sequence("objection_reference_seq", metadata=metadata)
OBJECTION_REFERENCE_DEFAULT = sa.text("objection_reference(CURRENT_DATE)")


class Objection(TimestampedModel, table=True):
    """Bezwaar: the company's objection against a sent decision (chapters 6 and 7 Awb).

    Filed within the objection term, or recorded by staff from paper with its day of receipt and postmark
    (on time if posted within the term and received within a week after it, art. 6:9(2)); a late one is
    judged admissible or not with a reason (art. 6:11). The objector is heard (hoorzitting, art. 7:2) unless
    a ground of art. 7:3 applies. It is decided within `decide_by` (art. 7:10), extendable once by six
    weeks, by a beslissing op bezwaar with its own letter (kenmerk `reference`).
    """

    __tablename__ = "objection"
    __scope__: ClassVar = staticmethod(owned_by_company())
    __table_args__ = (
        # One undecided objection per decision at a time.
        sa.Index(
            "uq_objection_one_pending_per_decision",
            "decision_id",
            unique=True,
            postgresql_where=sa.text("status = 'pending'"),
        ),
        # The hourly reminder of the decision term reads only pending objections.
        sa.Index("ix_objection_pending_decide_by", "decide_by", postgresql_where=sa.text("status = 'pending'")),
        sa.CheckConstraint("postmarked_on IS NULL OR postmarked_on <= filed_on", name="postmark_not_after_receipt"),
        sa.CheckConstraint("timely OR filed_via = 'post'", name="only_paper_late"),
        sa.CheckConstraint(
            "hearing_status <> 'skipped' OR hearing_skip_ground IS NOT NULL", name="skipped_hearing_has_ground"
        ),
        sa.CheckConstraint("hearing_status <> 'held' OR hearing_report IS NOT NULL", name="held_hearing_has_report"),
    )

    __mapper_args__ = {"eager_defaults": True}  # RETURNING the reference the database made

    reference: str | None = Field(
        default=None,
        max_length=32,
        unique=True,
        nullable=False,
        sa_column_kwargs={"server_default": OBJECTION_REFERENCE_DEFAULT},
        description="the objection's own reference (kenmerk), e.g. SBB-BZ-2026-000012; also its letter's",
    )
    decision_id: UUID = Field(foreign_key="decision.id", index=True, ondelete="RESTRICT")
    company_id: UUID = Field(foreign_key="company.id", index=True, ondelete="RESTRICT")
    status: ObjectionStatus = enum_field(ObjectionStatus, default=ObjectionStatus.PENDING, index=True)
    grounds: str = Field(sa_type=sa.Text)
    filed_on: date = Field(description="the day SBB received it (art. 6:9 Awb)")
    filed_via: FiledVia = enum_field(FiledVia)
    filed_by: UUID = Field(foreign_key="principal.id", ondelete="RESTRICT")
    postmarked_on: date | None = Field(default=None, description="paper: the postmark's date (art. 6:9(2) Awb)")
    # Within the term (or posted within it and received within a week after it, art. 6:9(2) Awb).
    timely: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    # A late one: admissible (verschoonbaar, art. 6:11 Awb) or not, decided with a reason; None: not yet.
    late_excused: bool | None = Field(default=None)
    late_reason: str | None = Field(default=None, sa_type=sa.Text)
    late_decided_by: UUID | None = Field(default=None, foreign_key="principal.id", ondelete="RESTRICT")
    late_decided_at: datetime | None = timestamp_field(nullable=True)

    # Decision term (art. 7:10 Awb): the last day to decide; extended once by six weeks with its reason.
    decide_by: date | None = Field(default=None)
    extended_at: datetime | None = timestamp_field(nullable=True)
    extended_by: UUID | None = Field(default=None, foreign_key="principal.id", ondelete="RESTRICT")
    extension_reason: str | None = Field(default=None, sa_type=sa.Text)
    term_reminded_at: datetime | None = timestamp_field(nullable=True)
    term_escalated_at: datetime | None = timestamp_field(nullable=True)

    # Hoorzitting (art. 7:2 Awb), or why it was left out (art. 7:3).
    hearing_status: HearingStatus = enum_field(HearingStatus, default=HearingStatus.NONE)
    hearing_at: datetime | None = timestamp_field(nullable=True)
    hearing_place: str | None = Field(default=None, max_length=500)
    hearing_video_link: str | None = Field(default=None, max_length=500)
    hearing_invited_at: datetime | None = timestamp_field(nullable=True)
    hearing_report: str | None = Field(default=None, sa_type=sa.Text, description="verslag van de hoorzitting")
    hearing_held_at: datetime | None = timestamp_field(nullable=True)
    hearing_skip_ground: HearingSkipGround | None = enum_field(HearingSkipGround, default=None, nullable=True)
    hearing_skip_note: str | None = Field(default=None, sa_type=sa.Text)
    hearing_by: UUID | None = Field(default=None, foreign_key="principal.id", ondelete="RESTRICT")

    decided_by: UUID | None = Field(default=None, foreign_key="principal.id", ondelete="RESTRICT")
    decided_at: datetime | None = timestamp_field(nullable=True)
    decided_on: date | None = Field(default=None, description="the day the beslissing op bezwaar was sent")
    appeal_deadline: date | None = Field(default=None, description="last day to appeal to the court (art. 6:7)")
    outcome_reason: str | None = Field(default=None, sa_type=sa.Text)
    # Upheld: the date from which the recognitions were restored (the contested decision's effective date,
    # or the later date this beslissing op bezwaar states, with its reason).
    restore_from: date | None = Field(default=None)
    restore_reason: str | None = Field(default=None, sa_type=sa.Text)
    # Historical: the reinstate decision by which an upheld objection restored from the day it was decided,
    # before restoring became part of the beslissing op bezwaar itself (art. 7:11 Awb). No longer written.
    reinstate_decision_id: UUID | None = Field(default=None, foreign_key="decision.id", ondelete="RESTRICT")
