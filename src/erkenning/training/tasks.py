"""Worker side of training: the reminder sweep (hourly). The e-mails themselves go through the outbox."""

from __future__ import annotations

from typing import Any

from arq import cron

from erkenning.core.logging import get_logger
from erkenning.core.runtime import Runtime
from erkenning.training.reminders import queue_due_reminders

log = get_logger(__name__)


async def send_session_reminders(ctx: dict[str, Any]) -> int:
    """Queue a reminder for every enrolment whose session is due; each participation is reminded once."""
    runtime: Runtime = ctx["runtime"]
    async with runtime.transaction() as session:
        ids = await queue_due_reminders(session, days_before=runtime.settings.training_reminder_days_before)
    if ids:
        log.info("training.reminders_queued", count=len(ids))
    return len(ids)


CRON_JOBS = [cron(send_session_reminders, minute={7}, timeout=300)]
