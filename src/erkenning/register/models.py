"""School subscriptions to companies in the register, the school's webhook, and the delivery log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import DATERANGE
from sqlmodel import Field, SQLModel

from erkenning.core.auth.scope import owned_by_school
from erkenning.core.db import TimestampedModel, UUIDModel, enum_field, json_field, timestamp_field
from erkenning.recognition.models import RecognitionPeriod


class Channel(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


class SchoolWebhook(TimestampedModel, table=True):
    """The one URL a school receives its change notices at, and the salt its signing secret derives from.

    The secret itself is never stored: it is HMAC(WEBHOOK_SIGNING_SECRET, brin:salt), recomputed to sign.
    """

    __tablename__ = "school_webhook"
    __scope__: ClassVar = staticmethod(owned_by_school())

    school_brin: str = Field(max_length=6, unique=True)
    url: str = Field(max_length=500)
    secret_salt: str = Field(max_length=64)
    secret_hint: str = Field(max_length=12, description="the secret's last characters, to tell secrets apart")
    created_by: UUID | None = Field(default=None)


class Subscription(TimestampedModel, table=True):
    """Abonnement: a school follows a company's recognitions and is told of every change."""

    __tablename__ = "school_subscription"
    __scope__: ClassVar = staticmethod(owned_by_school())
    __table_args__ = (
        sa.UniqueConstraint("school_brin", "company_id"),
        sa.CheckConstraint("(channel = 'email') = (email IS NOT NULL)", name="email_for_email_channel"),
    )

    school_brin: str = Field(max_length=6)  # searched through the unique (school_brin, company_id)
    company_id: UUID = Field(foreign_key="company.id", index=True, ondelete="CASCADE")
    channel: Channel = enum_field(Channel)
    email: str | None = Field(default=None, max_length=254)
    created_by: UUID | None = Field(default=None)


class Delivery(UUIDModel, table=True):
    """One notice of one change to one school, by webhook or e-mail, with how its delivery went.

    `facts` is the public snapshot that is sent (ids, codes, statuses, dates), fixed when the change
    is fanned out so that every retry sends the same body.
    """

    __tablename__ = "subscription_delivery"
    __scope__: ClassVar = staticmethod(owned_by_school())
    __table_args__ = (
        sa.UniqueConstraint("source_event_id", "subscription_id"),
        sa.Index("ix_subscription_delivery_school_brin_created_at", "school_brin", "created_at"),
    )

    school_brin: str = Field(max_length=6)
    subscription_id: UUID | None = Field(
        default=None, foreign_key="school_subscription.id", index=True, ondelete="SET NULL"
    )
    source_event_id: UUID = Field(description="the recognition.changed event this notice comes from")
    company_id: UUID
    recognition_id: UUID
    channel: Channel = enum_field(Channel)
    status: DeliveryStatus = enum_field(DeliveryStatus, default=DeliveryStatus.PENDING)
    facts: dict[str, Any] = json_field()
    attempts: int = Field(default=0)
    last_response_code: int | None = Field(default=None)
    last_error: str | None = Field(default=None, max_length=100)
    created_at: datetime = timestamp_field(default_now=True, index=True)
    last_attempt_at: datetime | None = timestamp_field(nullable=True)
    delivered_at: datetime | None = timestamp_field(nullable=True)


# The register reads a company's recognitions' periods for its card (verification reads
# `register_answer` below): this covering index lets it do so in an index-only scan. (The GiST
# exclusion index also starts with recognition_id, and the planner rates the two alike, but a
# btree_gist lookup touched about eight times the pages.)
ix_recognition_period_runs = sa.Index(
    "ix_recognition_period_runs",
    RecognitionPeriod.__table__.c.recognition_id,  # type: ignore[attr-defined]  # __table__ is untyped
    postgresql_include=["status", "during"],
)


class RegisterAnswer(SQLModel, table=True):
    """The register's read model: one row per recognition period, keyed as schools ask (SBB id, crebo,
    pathway), with the run of its status around it (ADR 0016, issue 19).

    Verification answers "was this company recognised for this crebo and pathway on day D" from the
    period holding D and the unbroken run of periods of its status around it. Read from the source
    tables that is three unique-index descents (company, qualification, recognition) and the periods'
    runs per question; here it is one descent of one covering index, under a third of the time in a
    batch of 1,000 on the 250,000-company register (5.1 against 17 ms for its statements).

    The database keeps it, never the application: statement-level triggers on `recognition_period`
    (insert, update, delete, with their transition tables) rewrite the rows of every recognition whose
    periods a statement changed, in that statement's transaction, so it is never behind what a
    committed transaction wrote. What it copies besides the periods never changes once written: an SBB
    id, a crebo and a recognition's company, qualification and pathway (triggers refuse such updates).
    Whoever changes a recognition's periods holds that recognition's row lock (`effects.lock`, and the
    import's `lock_recognitions`), so two rewrites of one recognition never interleave.
    `placements_until` is read live from the decision (`decision_id`) when a suspended or withdrawn
    period answers. An establishment number is resolved to its company's SBB id first (it may change).
    """

    __tablename__ = "register_answer"
    __table_args__ = (
        sa.Index(
            "ix_register_answer_lookup", "sbb_id", "crebo", "pathway",
            postgresql_include=["during", "status", "since", "until", "decision_id"],
        ),
    )

    recognition_id: UUID = Field(primary_key=True)
    period_id: UUID = Field(primary_key=True)
    sbb_id: str = Field(max_length=12)
    crebo: str = Field(max_length=5)
    pathway: str = Field(max_length=32)
    status: str = Field(max_length=32)
    during: Any = Field(sa_type=DATERANGE, description="the period: [valid_from, valid_until)")
    since: Any = Field(sa_type=sa.Date, description="where the unbroken run of this status around the period begins")
    until: Any = Field(default=None, sa_type=sa.Date, nullable=True, description="where that run ends (none: open)")
    decision_id: UUID | None = Field(default=None, description="the period's decision, for its placements_until")
