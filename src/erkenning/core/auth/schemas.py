"""API shapes for principals and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import brin

from erkenning.core.caller import Role

# Every role but `system` (the worker acting on its own) can hold a principal.
HolderRole = Literal[Role.ADMIN, Role.SENIOR_ADVISER, Role.ADVISER, Role.COMPANY, Role.SCHOOL]


class PrincipalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    role: HolderRole
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    company_id: UUID | None = None
    school_brin: str | None = Field(
        default=None, max_length=10, description="BRIN code: 2 digits + 2 letters (+ 2 digits)",
        json_schema_extra={"pattern": "^[0-9]{2}[A-Z]{2}([0-9]{2})?$"},
    )

    @field_validator("school_brin")
    @classmethod
    def _brin(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return str(brin.validate(value))
        except StdnumError:
            raise ValueError("a BRIN code is 2 digits and 2 letters, optionally followed by 2 digits") from None


class PrincipalRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    role: Role
    email: str | None
    company_id: UUID | None
    school_brin: str | None
    active: bool
    created_at: datetime


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(default=None, max_length=200)
    lifetime_days: int | None = Field(default=None, ge=1, le=3650, description="default: per role")


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    principal_id: UUID
    prefix: str
    label: str | None
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIssued(TokenRead):
    token: str = Field(description="the bearer token; shown once, never stored in plain text")


class ContactCreate(BaseModel):
    """A person (e-mail address) who may act for the company or school and sign in with an e-mail link."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    name: str = Field(min_length=1, max_length=200)


class ContactRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    email: str
    name: str
    company_id: UUID | None
    school_brin: str | None
    principal_id: UUID
    created_at: datetime
