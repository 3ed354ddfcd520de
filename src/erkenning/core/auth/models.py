"""Principals (who may call) and their opaque bearer tokens."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field

from erkenning.core.caller import Role
from erkenning.core.db import TimestampedModel, UUIDModel, enum_field, timestamp_field


class Principal(TimestampedModel, table=True):
    """A person or organisation that calls the API: SBB staff, a learning company, a school."""

    __table_args__ = (
        sa.CheckConstraint(
            "(role = 'company') = (company_id IS NOT NULL) AND (role = 'school') = (school_brin IS NOT NULL)",
            name="scope_matches_role",
        ),
        sa.CheckConstraint("role <> 'system'", name="no_system_principal"),
    )

    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=254)
    role: Role = enum_field(Role, index=True)
    # A string reference only: the foundation imports no domain module.
    company_id: UUID | None = Field(default=None, index=True, foreign_key="company.id", ondelete="RESTRICT")
    school_brin: str | None = Field(default=None, max_length=6, index=True)
    active: bool = Field(default=True)


class ApiToken(UUIDModel, table=True):
    """An opaque bearer token; only its keyed hash is stored."""

    __tablename__ = "api_token"
    # Outside SBB, a principal sees only its own tokens.
    __scope__ = staticmethod(lambda model, caller: model.principal_id == caller.principal_id)

    principal_id: UUID = Field(foreign_key="principal.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16, description="first characters, to recognise a token in lists")
    label: str | None = Field(default=None, max_length=200)
    created_at: datetime = timestamp_field(default_now=True)
    expires_at: datetime | None = timestamp_field(nullable=True)
    last_used_at: datetime | None = timestamp_field(nullable=True)
    revoked_at: datetime | None = timestamp_field(nullable=True)
    created_by: UUID | None = Field(default=None)
