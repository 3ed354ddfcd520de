"""Principals (who may call) and their opaque bearer tokens."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field

from erkenning.core.auth.scope import owned_by_company, owned_by_school
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
        sa.UniqueConstraint("oidc_issuer", "oidc_subject", name="principal_oidc_identity"),
        sa.CheckConstraint("(oidc_issuer IS NULL) = (oidc_subject IS NULL)", name="oidc_identity_whole"),
    )

    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=254)
    role: Role = enum_field(Role, index=True)
    # A string reference only: the foundation imports no domain module.
    company_id: UUID | None = Field(default=None, index=True, foreign_key="company.id", ondelete="RESTRICT")
    school_brin: str | None = Field(default=None, max_length=6, index=True)
    active: bool = Field(default=True)
    # Staff who sign in with OpenID Connect: the provider's issuer and its `sub` for them (OIDC Core 2: the pair
    # is the stable identifier; e-mail addresses and names change).
    oidc_issuer: str | None = Field(default=None, max_length=300)
    oidc_subject: str | None = Field(default=None, max_length=255)


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


class Contact(UUIDModel, table=True):
    """Contactpersoon: an e-mail address that may act for one company or one school, through its own principal.

    The address signs in with a one-time e-mail link. Removing a contact deactivates its principal, so its
    sessions end on the next request while the audit trail still names who did what.
    """

    __tablename__ = "contact"
    __table_args__ = (
        sa.CheckConstraint("(company_id IS NULL) <> (school_brin IS NULL)", name="contact_one_organisation"),
    )
    # A company or school sees only its own contacts (staff: all).
    __scope__ = staticmethod(
        lambda model, caller: sa.or_(owned_by_company()(model, caller), owned_by_school()(model, caller))
    )

    email: str = Field(max_length=254, unique=True, description="stored lower-case")
    name: str = Field(max_length=200)
    company_id: UUID | None = Field(default=None, index=True, foreign_key="company.id", ondelete="CASCADE")
    school_brin: str | None = Field(default=None, max_length=6, index=True)
    principal_id: UUID = Field(foreign_key="principal.id", unique=True, ondelete="CASCADE")
    created_at: datetime = timestamp_field(default_now=True)
    created_by: UUID | None = Field(default=None)


class SignInLink(UUIDModel, table=True):
    """A one-time sign-in link sent to a contact: works once, until `expires_at`, in the browser that asked.

    The link's secret is HMAC(SESSION_SECRET, id) and is never stored; `browser_hash` is the SHA-256 of a random
    cookie set in the browser that asked for it.
    """

    __tablename__ = "sign_in_link"

    contact_id: UUID = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    browser_hash: str = Field(max_length=64)
    created_at: datetime = timestamp_field(default_now=True)
    expires_at: datetime = timestamp_field(index=True)
    used_at: datetime | None = timestamp_field(nullable=True)


class OidcSignIn(UUIDModel, table=True):
    """One sign-in started at the OpenID provider: its `state`, `nonce` and PKCE verifier derive from the id
    and SESSION_SECRET (never stored); used once, by the browser that started it (`browser_hash`)."""

    __tablename__ = "oidc_sign_in"

    browser_hash: str = Field(max_length=64)
    next_path: str | None = Field(default=None, max_length=500)
    created_at: datetime = timestamp_field(default_now=True)
    expires_at: datetime = timestamp_field(index=True)
    used_at: datetime | None = timestamp_field(nullable=True)
