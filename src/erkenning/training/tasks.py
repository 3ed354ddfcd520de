"""Worker side of training: the new company's invitation (an outbox handler) and the reminder sweep
(hourly). The e-mails themselves go through the outbox."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from arq import cron

from erkenning.core import outbox
from erkenning.core.logging import get_logger
from erkenning.core.runtime import Runtime
from erkenning.training.reminders import queue_due_reminders
from erkenning.training.services.invitations import InvitationService

log = get_logger(__name__)


async def send_session_reminders(ctx: dict[str, Any]) -> int:
    """Queue a reminder for every enrolment whose session is due; each participation is reminded once."""
    runtime: Runtime = ctx["runtime"]
    async with runtime.transaction() as session:
        ids = await queue_due_reminders(session, days_before=runtime.settings.training_reminder_days_before)
    if ids:
        log.info("training.reminders_queued", count=len(ids))
    return len(ids)


async def welcome_new_company(ctx: outbox.EventContext) -> None:
    """A grant made a company's first recognition active: invite it to the courses for new companies (once)."""
    await InvitationService(ctx.session).offer_to_new_company(UUID(ctx.payload["company_id"]))


# The recognition domain writes this topic (`recognition.effects.FIRST_GRANTED`); training may not import it.
HANDLERS = [outbox.Handler("recognition.first_granted", welcome_new_company)]
CRON_JOBS = [cron(send_session_reminders, minute={7}, timeout=300)]
