"""Principals and tokens: create, list, revoke, and authenticate a bearer token."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import mail
from erkenning.core.audit import service as audit
from erkenning.core.auth import tokens
from erkenning.core.auth.models import ApiToken, Principal
from erkenning.core.caller import Caller, Role
from erkenning.core.db import utcnow
from erkenning.core.errors import NotFound, ValidationFailed
from erkenning.core.settings import Settings

# Only write last_used_at once a minute per token: a read must not become a write on every request.
_LAST_USED_GRANULARITY = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plaintext: str


def lifetime_for(role: Role, settings: Settings) -> timedelta | None:
    days = {
        Role.COMPANY: settings.token_lifetime_days_company,
        Role.SCHOOL: settings.token_lifetime_days_school,
    }.get(role, settings.token_lifetime_days_staff)
    return timedelta(days=days) if days > 0 else None


def _check_scope(role: Role, company_id: UUID | None, school_brin: str | None) -> None:
    errors = []
    if role is Role.SYSTEM:
        errors.append({"field": "role", "message": "the system role cannot hold a principal"})
    if (role is Role.COMPANY) != (company_id is not None):
        errors.append({"field": "company_id", "message": "required for, and only for, role company"})
    if (role is Role.SCHOOL) != (school_brin is not None):
        errors.append({"field": "school_brin", "message": "required for, and only for, role school"})
    if errors:
        raise ValidationFailed(errors)


class AuthService:
    """Principals and their tokens (back office and CLI)."""

    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    async def create_principal(
        self,
        caller: Caller,
        *,
        name: str,
        role: Role,
        email: str | None = None,
        company_id: UUID | None = None,
        school_brin: str | None = None,
    ) -> Principal:
        _check_scope(role, company_id, school_brin)
        principal = Principal(name=name, role=role, email=email, company_id=company_id, school_brin=school_brin)
        self.session.add(principal)
        await self.session.flush()
        await audit.record(self.session, caller, "principal.created", principal, detail={"role": role.value})
        return principal

    async def list_principals(
        self, *, role: Role | None = None, limit: int | None = None, offset: int = 0
    ) -> list[Principal]:
        stmt = select(Principal).order_by(col(Principal.created_at), col(Principal.id))
        if role is not None:
            stmt = stmt.where(Principal.role == role)
        if limit is not None:
            stmt = stmt.limit(limit).offset(offset)
        return list((await self.session.exec(stmt)).all())

    async def principals(self, principal_ids: Iterable[UUID | None]) -> dict[UUID, Principal]:
        """The principals with these ids, by id (for pages that name who did what)."""
        wanted = {i for i in principal_ids if i is not None}
        if not wanted:
            return {}
        rows = await self.session.exec(select(Principal).where(col(Principal.id).in_(wanted)))
        return {principal.id: principal for principal in rows.all()}

    async def get_principal(self, principal_id: UUID) -> Principal:
        principal = await self.session.get(Principal, principal_id)
        if principal is None:
            raise NotFound("No such principal")
        return principal

    async def issue_token(
        self, caller: Caller, principal_id: UUID, *, label: str | None = None, lifetime: timedelta | None = None
    ) -> IssuedToken:
        principal = await self.get_principal(principal_id)
        plaintext = tokens.generate()
        lifetime = lifetime or lifetime_for(principal.role, self.settings)
        token = ApiToken(
            principal_id=principal.id,
            token_hash=tokens.hash_token(plaintext, self.settings.token_pepper.get_secret_value()),
            prefix=tokens.display_prefix(plaintext),
            label=label,
            expires_at=utcnow() + lifetime if lifetime else None,
            created_by=caller.principal_id,
        )
        self.session.add(token)
        await self.session.flush()
        await audit.record(self.session, caller, "token.issued", token, detail={"principal_id": str(principal.id)})
        if principal.email:
            mail.queue(self.session, "token_issued", token_id=token.id)
        return IssuedToken(token=token, plaintext=plaintext)

    async def list_tokens(self, *, principal_id: UUID | None = None) -> list[ApiToken]:
        stmt = select(ApiToken).order_by(col(ApiToken.created_at))
        if principal_id is not None:
            stmt = stmt.where(ApiToken.principal_id == principal_id)
        return list((await self.session.exec(stmt)).all())

    async def revoke_token(self, caller: Caller, token_id: UUID) -> ApiToken:
        token = await self.session.get(ApiToken, token_id, with_for_update=True)
        if token is None:
            raise NotFound("No such token")
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            self.session.add(token)
            await self.session.flush()
            await audit.record(self.session, caller, "token.revoked", token)
        return token


_LOOKUP = sa.text(
    """
    SELECT t.id AS token_id, t.expires_at, t.last_used_at, t.token_hash,
           p.id AS principal_id, p.role, p.name, p.company_id, p.school_brin
    FROM api_token t JOIN principal p ON p.id = t.principal_id
    WHERE t.token_hash = :hash AND t.revoked_at IS NULL AND p.active
    """
)
_TOUCH = sa.text(
    "UPDATE api_token SET last_used_at = now() WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :before)"
)


async def authenticate(engine: AsyncEngine, settings: Settings, token: str) -> Caller | None:
    """The caller a bearer token stands for, or None (unknown, malformed, revoked or expired)."""
    if not tokens.is_well_formed(token):
        return None
    digest = tokens.hash_token(token, settings.token_pepper.get_secret_value())
    async with engine.connect() as conn:
        row = (await conn.execute(_LOOKUP, {"hash": digest})).mappings().first()
        # The index found the row by hash; compare again in constant time all the same.
        if row is None or not hmac.compare_digest(row["token_hash"], digest):
            return None
        now = utcnow()
        if row["expires_at"] is not None and row["expires_at"] <= now:
            return None
        last_used: datetime | None = row["last_used_at"]
        if last_used is None or last_used < now - _LAST_USED_GRANULARITY:
            await conn.execute(_TOUCH, {"id": row["token_id"], "before": now - _LAST_USED_GRANULARITY})
        await conn.commit()
    return Caller(
        principal_id=row["principal_id"],
        role=Role(row["role"]),
        name=row["name"],
        company_id=row["company_id"],
        school_brin=row["school_brin"],
        token_id=row["token_id"],
    )
