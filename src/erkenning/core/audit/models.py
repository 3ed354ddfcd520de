"""The append-only audit trail (the database refuses UPDATE, DELETE and TRUNCATE on it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from erkenning.core.db import timestamp_field


class AuditEvent(SQLModel, table=True):
    """One audited action: who did what to which object, with what result, from where and when."""

    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_event_object", "object_type", "object_id", "seq"),
        sa.Index("ix_audit_event_actor", "actor_id", "seq"),
    )

    seq: int = Field(sa_type=sa.BigInteger, primary_key=True, description="position in the hash chain")
    occurred_at: datetime = timestamp_field(index=True)
    actor_id: UUID | None = Field(default=None)
    actor_role: str = Field(max_length=32)
    action: str = Field(max_length=100, index=True)
    object_type: str = Field(max_length=50)
    object_id: str | None = Field(default=None, max_length=64)
    result: str = Field(max_length=20)
    origin: str | None = Field(default=None, max_length=64)
    request_id: str | None = Field(default=None, max_length=64)
    purpose: str | None = Field(default=None, max_length=300)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
