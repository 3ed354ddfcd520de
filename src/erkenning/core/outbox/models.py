"""The outbox table: one row per event, its status and its attempts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from erkenning.core.db import enum_field, json_field, timestamp_field


class EventStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    DEAD = "dead"


class OutboxEvent(SQLModel, table=True):
    """Work that must happen after a change commits (a notification, a workflow step)."""

    __tablename__ = "outbox_event"
    __table_args__ = (
        # The sweep costs by what is due, not by what exists.
        sa.Index(
            "ix_outbox_event_pending_due",
            "available_at",
            postgresql_where=sa.text("status = 'pending'"),
        ),
        sa.Index("ix_outbox_event_dead", "created_at", postgresql_where=sa.text("status = 'dead'")),
    )

    id: UUID = Field(primary_key=True)
    topic: str = Field(max_length=100, index=True)
    payload: dict[str, Any] = json_field()
    status: EventStatus = enum_field(EventStatus, default=EventStatus.PENDING)
    attempts: int = Field(default=0)
    created_at: datetime = timestamp_field(default_now=True)
    available_at: datetime = timestamp_field(default_now=True)
    enqueued_at: datetime | None = timestamp_field(nullable=True)
    done_at: datetime | None = timestamp_field(nullable=True)
    last_error: str | None = Field(default=None, max_length=300)
