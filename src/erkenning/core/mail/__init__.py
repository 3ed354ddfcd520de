"""E-mail through the outbox: domains queue a message by template name and ids; the worker renders and sends.

A domain declares a *composer* per template (its `COMPOSERS`: template → composer): given the
session and the event's payload (ids), it returns the recipient and the template's context. The
text lives in `templates/<name>.txt` (first line `Subject: …`). The worker's wiring gathers every
domain's composers into the one outbox handler that sends (`sender`). Nothing personal travels in
the job payload; the message is built when sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
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
_FOLDER = Path(__file__).parent / "templates"
_TEMPLATES = Environment(
    loader=FileSystemLoader(_FOLDER),
    autoescape=select_autoescape(enabled_extensions=(), default_for_string=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
# The messages there is a text for (a name starting with `_` is a part other texts include).
TEMPLATES = frozenset(path.stem for path in _FOLDER.glob("*.txt") if not path.name.startswith("_"))


@dataclass(frozen=True)
class Composed:
    """A message ready to render: to whom, and the template's variables. `to=None` skips sending."""

    to: str | None
    context: dict[str, Any]


Composer = Callable[[AsyncSession, dict[str, Any]], Awaitable[Composed]]


def queue(session: AsyncSession, template: str, **ids: Any) -> outbox.NewEvent:
    """Queue an e-mail in the current transaction; `ids` identify what the composer needs."""
    if template not in TEMPLATES:
        raise LookupError(f"no e-mail template {template!r}")
    return outbox.add(session, TOPIC, template=template, **ids)


def composers(*groups: Mapping[str, Composer]) -> dict[str, Composer]:
    """The domains' composers as one mapping; a template has exactly one, and a text."""
    merged: dict[str, Composer] = {}
    for group in groups:
        for template, fn in group.items():
            if template in merged:
                raise ValueError(f"e-mail template {template!r} has two composers")
            if template not in TEMPLATES:
                raise ValueError(f"e-mail template {template!r} has a composer but no text in {_FOLDER.name}/")
            merged[template] = fn
    return merged


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


def sender(by_template: Mapping[str, Composer]) -> outbox.Handler:
    """The outbox handler that sends a queued e-mail, addressed and filled by its template's composer."""

    async def send_email(ctx: outbox.EventContext) -> None:
        payload = dict(ctx.payload)
        template = payload.pop("template")
        composed = await by_template[template](ctx.session, payload)
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

    return outbox.Handler(TOPIC, send_email, external=True)
