"""One-time sign-in links for the contacts of companies and schools.

A person gives an e-mail address; if it is a contact's, a link is sent that signs in once, within
SIGN_IN_LINK_MINUTES (15), in the browser that asked for it. Whether the address is known is never told:
the page answers the same either way (GDPR art. 5(1)(f), 32: no one learns who acts for whom). Requests are
limited per address and per client by the caller (`web.pages.sign_in_link`).

The link's secret is HMAC(SESSION_SECRET, id), recomputed when the e-mail is written and when the link is
used, so the database holds nothing that opens a session; the row holds the SHA-256 of a random cookie of
the asking browser, so a link forwarded or intercepted does not work elsewhere.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import mail, outbox
from erkenning.core.audit import service as audit
from erkenning.core.auth.contacts import ContactService
from erkenning.core.auth.models import Contact, OidcSignIn, Principal, SignInLink
from erkenning.core.auth.oidc import derive
from erkenning.core.caller import Caller
from erkenning.core.db import utcnow
from erkenning.core.logging import get_logger
from erkenning.core.settings import Settings

log = get_logger(__name__)

TOPIC = "sign_in_link.send"
TEMPLATE = "sign_in_link"
PATH = "/inloggen/link/"
SIGN_IN = Caller.system("sign-in")


class LinkRefused(Exception):
    """A link that does not sign in; `reason`: unknown, used, expired, other_browser, inactive."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def browser_hash(browser_key: str) -> str:
    return hashlib.sha256(browser_key.encode()).hexdigest()


def code_of(settings: Settings, link_id: UUID) -> str:
    """The part of the link's address that opens it: the id and its MAC."""
    return f"{link_id.hex}.{derive(settings, 'sign-in-link', link_id)}"


def url_of(settings: Settings, link_id: UUID) -> str:
    return f"{settings.public_base_url.rstrip('/')}{PATH}{code_of(settings, link_id)}"


def _link_id(settings: Settings, code: str) -> UUID | None:
    ident, _, mac = code.partition(".")
    try:
        link_id = UUID(hex=ident)
    except ValueError:
        return None
    return link_id if hmac.compare_digest(mac, derive(settings, "sign-in-link", link_id)) else None


class SignInLinkService:
    """Ask for a link, and use one."""

    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    async def request(self, email: str, browser_key: str) -> None:
        """Send a link if the address is a contact's; the same outcome for the caller either way."""
        contact = await ContactService(self.session).by_email(email)
        if contact is None:
            log.info("sign_in_link.not_sent", reason="no_contact")
            return
        now = utcnow()
        link = SignInLink(
            contact_id=contact.id, browser_hash=browser_hash(browser_key), created_at=now,
            expires_at=now + timedelta(minutes=self.settings.sign_in_link_minutes),
        )
        self.session.add(link)
        await self.session.flush()
        outbox.add(self.session, TOPIC, link_id=link.id)
        await audit.record(
            self.session, SIGN_IN, "sign_in_link.requested", link, detail={"contact_id": str(contact.id)}
        )
        log.info("sign_in_link.requested", link_id=str(link.id))

    async def _find(self, code: str, *, for_update: bool) -> SignInLink:
        link_id = _link_id(self.settings, code) if len(code) <= 100 else None
        if link_id is None:
            raise LinkRefused("unknown")
        stmt = select(SignInLink).where(SignInLink.id == link_id)
        link = (await self.session.exec(stmt.with_for_update() if for_update else stmt)).first()
        if link is None:
            raise LinkRefused("unknown")
        return link

    @staticmethod
    def _why_not(link: SignInLink, browser_key: str | None) -> str | None:
        if link.used_at is not None:
            return "used"
        if link.expires_at <= utcnow():
            return "expired"
        if not browser_key or not hmac.compare_digest(link.browser_hash, browser_hash(browser_key)):
            return "other_browser"
        return None

    async def check(self, code: str, browser_key: str | None) -> None:
        """LinkRefused if this link would not sign in here and now (for the page before the button)."""
        reason = self._why_not(await self._find(code, for_update=False), browser_key)
        if reason is not None:
            raise LinkRefused(reason)

    async def use(self, code: str, browser_key: str | None) -> UUID:
        """Spend the link; returns the principal it signs in. A refusal is audited (result denied)."""
        link = await self._find(code, for_update=True)
        reason = self._why_not(link, browser_key)
        contact = await self.session.get(Contact, link.contact_id)
        principal = await self.session.get(Principal, contact.principal_id) if contact else None
        if reason is None and (principal is None or not principal.active):
            reason = "inactive"
        if reason is not None:
            await audit.record(self.session, SIGN_IN, "sign_in_link.refused", link, result="denied",
                               detail={"reason": reason})
            log.info("sign_in_link.refused", link_id=str(link.id), reason=reason)
            raise LinkRefused(reason)
        assert principal is not None
        link.used_at = utcnow()
        self.session.add(link)
        await self.session.flush()
        await audit.record(self.session, SIGN_IN, "sign_in_link.used", link, detail={"principal_id": str(principal.id)})
        return principal.id


async def purge_spent(session: AsyncSession) -> int:
    """Delete sign-in links and started staff sign-ins a day past their expiry (kept that long for inquiries;
    the audit trail keeps what happened with them)."""
    cutoff = utcnow() - timedelta(days=1)
    deleted = 0
    for model in (SignInLink, OidcSignIn):
        result = await session.exec(sa.delete(model).where(col(model.expires_at) < cutoff))
        deleted += int(result.rowcount)
    return deleted


async def send_link(ctx: outbox.EventContext) -> None:
    """The worker writes the e-mail with the link (its secret is computed here, never stored or queued)."""
    settings = ctx.runtime.settings
    link = await ctx.session.get(SignInLink, UUID(ctx.payload["link_id"]))
    contact = await ctx.session.get(Contact, link.contact_id) if link else None
    if link is None or contact is None or link.used_at is not None or link.expires_at <= utcnow():
        log.info("sign_in_link.not_sent", reason="gone_used_or_expired", event_id=str(ctx.event.id))
        return
    subject, body = mail.render(TEMPLATE, {
        "name": contact.name, "url": url_of(settings, link.id), "minutes": settings.sign_in_link_minutes,
    })
    domain = settings.mail_from.rpartition("@")[2] or "erkenning"
    await mail.send(settings, contact.email, subject, body, message_id=f"<{ctx.event.id}@{domain}>")
    log.info("email.sent", template=TEMPLATE, event_id=str(ctx.event.id))


HANDLERS = [outbox.Handler(TOPIC, send_link, external=True)]
