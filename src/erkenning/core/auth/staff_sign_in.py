"""SBB staff sign in at the organisation's OpenID provider: start a sign-in, and finish it on the callback.

A started sign-in is a row (`oidc_sign_in`) bound to the browser that started it; the callback spends it
whatever the outcome, so a `state` works once. A refused callback (state missing, forged, spent or expired,
another browser, the provider's error, a code the provider refuses, an ID token that fails a check of
OIDC Core §3.1.3.7, no mapped role) is audited as `session.refused` (result denied) with its reason. The
first sign-in creates the staff principal (name, e-mail, role from the claim); later ones bring it up to
date, so four-eyes and "who did this" keep naming the same person (keyed by issuer and `sub`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.audit import service as audit
from erkenning.core.auth import oidc
from erkenning.core.auth.links import SIGN_IN, browser_hash
from erkenning.core.auth.models import OidcSignIn, Principal
from erkenning.core.auth.oidc import SignInRefused
from erkenning.core.caller import Role
from erkenning.core.db import utcnow
from erkenning.core.logging import get_logger
from erkenning.core.settings import Settings

log = get_logger(__name__)


def _text(claims: dict[str, Any], key: str, limit: int) -> str | None:
    value = claims.get(key)
    return value[:limit] if isinstance(value, str) and value.strip() else None


class StaffSignInService:
    """Single sign-on for staff (OpenID Connect, authorisation code flow with PKCE)."""

    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    async def begin(self, browser_key: str, next_path: str | None, redirect_uri: str) -> str:
        """Record a started sign-in and return the provider's address to send the browser to."""
        info = await oidc.provider(self.settings)
        now = utcnow()
        row = OidcSignIn(
            browser_hash=browser_hash(browser_key), next_path=next_path, created_at=now,
            expires_at=now + timedelta(minutes=self.settings.oidc_sign_in_minutes),
        )
        self.session.add(row)
        await self.session.flush()
        return oidc.authorization_url(self.settings, info, row.id, redirect_uri)

    async def finish(
        self, *, state: str | None, code: str | None, error: str | None, browser_key: str | None, redirect_uri: str
    ) -> tuple[Principal, str | None]:
        """The principal the callback proves, and where the person wanted to go; SignInRefused (audited)."""
        sign_in_id: UUID | None = None
        claims: dict[str, Any] = {}
        try:
            sign_in_id = oidc.sign_in_id_from_state(self.settings, state)
            row = await self._spend(sign_in_id, browser_key)
            if error:
                raise SignInRefused("provider_error")
            if not code or len(code) > 2048:
                raise SignInRefused("code_missing")
            info = await oidc.provider(self.settings)
            id_token = await oidc.exchange(self.settings, info, code, sign_in_id, redirect_uri)
            claims = await oidc.validate(self.settings, info, id_token, sign_in_id)
            role = oidc.role_of(self.settings, claims)
            if role is None:
                raise SignInRefused("unmapped_role")
            principal = await self._principal(info.issuer, claims, role)
        except SignInRefused as refused:
            detail: dict[str, Any] = {"reason": refused.reason, "method": "oidc"}
            if isinstance(claims.get("sub"), str):
                detail["oidc_subject"] = claims["sub"][:255]  # an identifier, never a name
            await audit.record(
                self.session, SIGN_IN, "session.refused", object_type="oidc_sign_in", object_id=sign_in_id,
                result="denied", detail=detail,
            )
            log.info("auth.failed", reason=refused.reason, channel="oidc")
            raise
        return principal, row.next_path

    async def _spend(self, sign_in_id: UUID, browser_key: str | None) -> OidcSignIn:
        """Lock and spend the started sign-in (once, whatever follows)."""
        stmt = select(OidcSignIn).where(OidcSignIn.id == sign_in_id).with_for_update()
        row = (await self.session.exec(stmt)).first()
        if row is None:
            raise SignInRefused("state_unknown")
        if row.used_at is not None:
            raise SignInRefused("state_used")
        row.used_at = utcnow()
        self.session.add(row)
        await self.session.flush()
        if row.expires_at <= row.used_at:
            raise SignInRefused("state_expired")
        if not browser_key or browser_hash(browser_key) != row.browser_hash:
            raise SignInRefused("other_browser")
        return row

    async def _principal(self, issuer: str, claims: dict[str, Any], role: Role) -> Principal:
        """Create the staff principal on first sign-in; bring name, e-mail and role up to date after that."""
        subject = str(claims["sub"])[:255]
        email = _text(claims, "email", 254)
        name = _text(claims, "name", 200) or _text(claims, "preferred_username", 200) or email or subject[:200]
        stmt = select(Principal).where(Principal.oidc_issuer == issuer, Principal.oidc_subject == subject)
        principal = (await self.session.exec(stmt.with_for_update())).first()
        if principal is None:
            principal = Principal(name=name, email=email, role=role, oidc_issuer=issuer, oidc_subject=subject)
            self.session.add(principal)
            await self.session.flush()
            await audit.record(self.session, SIGN_IN, "principal.created", principal,
                               detail={"role": role.value, "via": "oidc"})
            return principal
        if not principal.active:
            raise SignInRefused("principal_inactive")
        if principal.role is not role:
            await audit.record(self.session, SIGN_IN, "principal.role_changed", principal,
                               detail={"from": principal.role.value, "to": role.value, "via": "oidc"})
        principal.name, principal.email, principal.role = name, email, role
        self.session.add(principal)
        await self.session.flush()
        return principal
