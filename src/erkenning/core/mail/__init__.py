"""E-mail through the outbox: domains queue a message by template name and ids; the worker renders and sends.

A domain registers a *composer* per template: given the session and the event's payload (ids), it
returns the recipient and the template's context. The text lives in `templates/<name>.txt` (first
line `Subject: …`). Nothing personal travels in the job payload; the message is built when sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import outbox
from erkenning.core.logging import get_logger
from erkenning.core.settings import Settings

log = get_logger(__name__)

TOPIC = "email.send"
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(enabled_extensions=(), default_for_string=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Composed:
    """A message ready to render: to whom, and the template's variables. `to=None` skips sending."""

    to: str | None
    context: dict[str, Any]


Composer = Callable[[AsyncSession, dict[str, Any]], Awaitable[Composed]]
COMPOSERS: dict[str, Composer] = {}


def composer(template: str) -> Callable[[Composer], Composer]:
    """Register how to address and fill one template (one composer per template)."""

    def register(fn: Composer) -> Composer:
        if template in COMPOSERS and COMPOSERS[template] is not fn:
            raise RuntimeError(f"template {template!r} already has a composer")
        COMPOSERS[template] = fn
        return fn

    return register


def queue(session: AsyncSession, template: str, **ids: Any) -> outbox.OutboxEvent:
    """Queue an e-mail in the current transaction; `ids` identify what the composer needs."""
    if template not in COMPOSERS:
        raise LookupError(f"no composer registered for e-mail template {template!r}")
    return outbox.add(session, TOPIC, template=template, **ids)


def render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) from `templates/<template>.txt`, whose first line is `Subject: …`."""
    text = _TEMPLATES.get_template(f"{template}.txt").render(**context)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"template {template} must start with a 'Subject:' line")
    return first.removeprefix("Subject:").strip(), body.lstrip("\n")


async def send(settings: Settings, to: str, subject: str, body: str, *, message_id: str | None = None) -> None:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    message.set_content(body)
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        start_tls=settings.smtp_starttls,
        timeout=settings.smtp_timeout_s,
    )


@outbox.handler(TOPIC, external=True)
async def _send_email(ctx: outbox.EventContext) -> None:
    payload = dict(ctx.payload)
    template = payload.pop("template")
    composed = await COMPOSERS[template](ctx.session, payload)
    if composed.to is None:
        log.info("email.skipped_no_address", template=template, event_id=str(ctx.event.id))
        return
    subject, body = render(template, composed.context)
    # Sent last, just before the event's transaction commits: the window for a duplicate is a commit.
    # Should that commit be lost, the second sending has the same Message-ID (the event's), so the two
    # can be recognised as one message.
    domain = ctx.runtime.settings.mail_from.rpartition("@")[2] or "erkenning"
    await send(ctx.runtime.settings, composed.to, subject, body, message_id=f"<{ctx.event.id}@{domain}>")
    log.info("email.sent", template=template, event_id=str(ctx.event.id))
