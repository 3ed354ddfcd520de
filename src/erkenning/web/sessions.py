"""Sign-in sessions for the web interface: rows in PostgreSQL behind an opaque cookie.

The cookie holds a random key; the row holds only its SHA-256, the principal and the token that
proved who signed in (never the token itself). Every request rechecks the row, its idle and
absolute expiry, the principal and the token, so a revoked token ends its sessions on the next
request, and sessions survive a restart of the API processes.

`start()` is the one way in: it turns a `ProvenIdentity` (proved by single sign-on, a one-time
e-mail link, or — where settings allow — a token) into a session.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import Field, col
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.audit import service as audit
from erkenning.core.auth.models import Principal
from erkenning.core.caller import Caller, Role
from erkenning.core.db import UUIDModel, enum_field, timestamp_field, utcnow
from erkenning.core.errors import NotFound
from erkenning.core.logging import get_logger
from erkenning.core.settings import Settings

log = get_logger(__name__)

# Only write last_seen_at once a minute per session: reading a page must not always be a write.
_TOUCH_GRANULARITY = timedelta(minutes=1)


class SignInMethod(StrEnum):
    """How the person proved who they are."""

    TOKEN = "token"  # an API token pasted into the form (only where WEB_TOKEN_SIGNIN allows)
    OIDC = "oidc"  # staff: single sign-on at the OpenID provider
    EMAIL_LINK = "email_link"  # a company's or school's contact: a one-time link sent by e-mail


class WebSession(UUIDModel, table=True):
    """Sessie: one signed-in browser."""

    __tablename__ = "web_session"
    __table_args__ = (
        sa.CheckConstraint("(method = 'token') = (token_id IS NOT NULL)", name="token_sign_in_names_its_token"),
    )

    key_hash: str = Field(max_length=64, unique=True)
    principal_id: UUID = Field(foreign_key="principal.id", index=True, ondelete="CASCADE")
    token_id: UUID | None = Field(default=None, foreign_key="api_token.id", index=True, ondelete="CASCADE")
    method: SignInMethod = enum_field(SignInMethod)
    created_at: datetime = timestamp_field(default_now=True)
    last_seen_at: datetime = timestamp_field(default_now=True)
    expires_at: datetime = timestamp_field(index=True)


@dataclass(frozen=True)
class ProvenIdentity:
    """Who a sign-in proved, and how."""

    principal_id: UUID
    method: SignInMethod
    token_id: UUID | None = None


@dataclass(frozen=True)
class Started:
    row: WebSession
    caller: Caller
    key: str  # for the cookie only; never stored or logged


@dataclass(frozen=True)
class Resumed:
    session_id: UUID
    caller: Caller


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def identity_from_token(caller: Caller) -> ProvenIdentity:
    """The identity a valid bearer token proves (see `auth.service.authenticate`)."""
    assert caller.principal_id is not None and caller.token_id is not None
    return ProvenIdentity(caller.principal_id, SignInMethod.TOKEN, caller.token_id)


async def start(
    session: AsyncSession, settings: Settings, identity: ProvenIdentity, *, replaces: UUID | None = None
) -> Started:
    """Open a session for a proven identity (ending the browser's previous one: no fixation)."""
    principal = await session.get(Principal, identity.principal_id)
    if principal is None or not principal.active:
        raise NotFound("No such principal")
    if replaces is not None:
        await session.exec(sa.delete(WebSession).where(col(WebSession.id) == replaces))
    key = secrets.token_urlsafe(32)
    now = utcnow()
    row = WebSession(
        key_hash=_hash(key),
        principal_id=principal.id,
        token_id=identity.token_id,
        method=identity.method,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.web_session_absolute_hours),
    )
    session.add(row)
    await session.flush()
    caller = Caller(
        principal_id=principal.id, role=principal.role, name=principal.name,
        company_id=principal.company_id, school_brin=principal.school_brin, token_id=identity.token_id,
    )
    detail = {"method": identity.method.value, "token_id": str(identity.token_id) if identity.token_id else None}
    await audit.record(session, caller, "session.started", row, detail=detail)
    return Started(row, caller, key)


async def end(session: AsyncSession, caller: Caller, session_id: UUID) -> SignInMethod | None:
    """Sign out: the row is deleted, so the cookie is worthless even if it was copied.

    Returns how that session had signed in (None if it was gone already), so single sign-on can end the
    provider's session too."""
    result = await session.exec(
        sa.delete(WebSession).where(col(WebSession.id) == session_id).returning(col(WebSession.method))
    )
    method = result.scalar_one_or_none()
    if method is not None:
        await audit.record(session, caller, "session.ended", object_type="web_session", object_id=session_id)
    return SignInMethod(method) if method is not None else None


_RESUME = sa.text(
    """
    SELECT s.id, s.last_seen_at, s.expires_at, s.token_id,
           p.id AS principal_id, p.role, p.name, p.company_id, p.school_brin, p.active,
           t.revoked_at, t.expires_at AS token_expires_at
    FROM web_session s
    JOIN principal p ON p.id = s.principal_id
    LEFT JOIN api_token t ON t.id = s.token_id
    WHERE s.key_hash = :hash
    """
)


def _why_over(row: sa.RowMapping, now: datetime, idle: timedelta) -> str | None:
    if row["expires_at"] <= now:
        return "absolute_expiry"
    if row["last_seen_at"] + idle <= now:
        return "idle"
    if not row["active"]:
        return "principal_inactive"
    if row["token_id"] is not None:
        if row["revoked_at"] is not None:
            return "token_revoked"
        if row["token_expires_at"] is not None and row["token_expires_at"] <= now:
            return "token_expired"
    return None


async def resume(engine: AsyncEngine, settings: Settings, key: str) -> Resumed | None:
    """The session a cookie stands for, if it still holds; an ended one is deleted on the spot."""
    if not key or len(key) > 100:
        return None
    now = utcnow()
    async with engine.connect() as conn:
        row = (await conn.execute(_RESUME, {"hash": _hash(key)})).mappings().first()
        if row is None:
            return None
        reason = _why_over(row, now, timedelta(minutes=settings.web_session_idle_minutes))
        if reason is not None:
            await conn.execute(sa.text("DELETE FROM web_session WHERE id = :id"), {"id": row["id"]})
            await conn.commit()
            log.info("web.session_ended", session_id=str(row["id"]), reason=reason)
            return None
        if row["last_seen_at"] < now - _TOUCH_GRANULARITY:
            await conn.execute(
                sa.text("UPDATE web_session SET last_seen_at = :now WHERE id = :id"), {"now": now, "id": row["id"]}
            )
            await conn.commit()
    caller = Caller(
        principal_id=row["principal_id"], role=Role(row["role"]), name=row["name"],
        company_id=row["company_id"], school_brin=row["school_brin"], token_id=row["token_id"],
    )
    return Resumed(row["id"], caller)


async def purge_expired(session: AsyncSession, settings: Settings) -> int:
    """Delete sessions past their absolute or idle expiry (the worker runs this hourly)."""
    now = utcnow()
    idle_cutoff = now - timedelta(minutes=settings.web_session_idle_minutes)
    result = await session.exec(
        sa.delete(WebSession).where(
            sa.or_(col(WebSession.expires_at) <= now, col(WebSession.last_seen_at) <= idle_cutoff)
        )
    )
    return int(result.rowcount)
