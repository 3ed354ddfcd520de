"""Worker side of investigations: open cases from reports, carry out approvals, handle deadlines."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from arq import cron
from arq.cron import CronJob

from erkenning.core import mail, outbox
from erkenning.core.logging import get_logger
from erkenning.core.runtime import Runtime
from erkenning.recognition.dispatch import LetterRenderer
from erkenning.workflows import closing, deadlines
from erkenning.workflows.models import Deadline, DeadlineKind, DeadlineStatus
from erkenning.workflows.services.investigations import APPROVED_TOPIC, InvestigationService
from erkenning.workflows.services.reporter_reactions import ReporterReactionService

log = get_logger(__name__)

# The e-mail that reminds of each kind of deadline (the reporting side's: by each side's route, below).
REMINDERS = {
    DeadlineKind.HEARING_ANSWER: "hearing_reminder",
    DeadlineKind.LEAD_TIME: "lead_time_reminder",
    DeadlineKind.FOLLOW_UP: "follow_up_reminder",
}


async def open_investigation(ctx: outbox.EventContext) -> None:
    """A substantiated report opens a case for its company, or joins the company's open case."""
    case = await InvestigationService(ctx.session, ctx.runtime.settings).open_for_report(
        UUID(ctx.payload["report_id"]), UUID(ctx.payload["company_id"])
    )
    log.info("investigation.report_linked", investigation_id=str(case.id), report_id=ctx.payload["report_id"])


async def remind(ctx: outbox.EventContext) -> None:
    deadline = await ctx.session.get(Deadline, UUID(ctx.payload["deadline_id"]))
    if deadline is None or deadline.status is not DeadlineStatus.OPEN:
        return
    if deadline.kind is DeadlineKind.REPORTER_REACTION:
        await ReporterReactionService(ctx.session, ctx.runtime.settings).remind(deadline.investigation_id)
        return
    mail.queue(ctx.session, REMINDERS[deadline.kind], investigation_id=deadline.investigation_id)
    await closing.timeline_note(ctx.session, deadline.investigation_id, "reminder_sent", deadline=deadline.kind.value)


async def deadline_passed(ctx: outbox.EventContext) -> None:
    deadline = await ctx.session.get(Deadline, UUID(ctx.payload["deadline_id"]), with_for_update=True)
    if deadline is None or deadline.status is not DeadlineStatus.OPEN:
        return
    service = InvestigationService(ctx.session, ctx.runtime.settings)
    if deadline.kind is DeadlineKind.HEARING_ANSWER:
        await service.record_no_answer(deadline.investigation_id)
    elif deadline.kind is DeadlineKind.REPORTER_REACTION:
        await ReporterReactionService(ctx.session, ctx.runtime.settings).record_no_reaction(deadline.investigation_id)
    elif deadline.kind is DeadlineKind.LEAD_TIME:
        await closing.escalate_lead_time(ctx.session, deadline)
    elif deadline.kind is DeadlineKind.FOLLOW_UP:
        await closing.follow_up(ctx.session, ctx.runtime.settings, deadline)


async def sweep_deadlines(ctx: dict[str, Any]) -> tuple[int, int]:
    runtime: Runtime = ctx["runtime"]
    return await deadlines.sweep(runtime)


def handlers(letters: LetterRenderer) -> list[outbox.Handler]:
    """The workflow's outbox handlers; carrying out an approved measure puts an intended decision to the
    company, whose letter `letters` writes (the renderer lives above the domains: the worker gives it)."""

    async def carry_out_approval(ctx: outbox.EventContext) -> None:
        await closing.carry_out(ctx.session, ctx.runtime.settings, letters, UUID(ctx.payload["investigation_id"]))

    return [
        outbox.Handler("report.substantiated", open_investigation),
        outbox.Handler(APPROVED_TOPIC, carry_out_approval),
        outbox.Handler(deadlines.REMIND, remind),
        outbox.Handler(deadlines.PASSED, deadline_passed),
    ]
CRON_JOBS: list[CronJob] = [
    cron(sweep_deadlines, minute=set(range(60)), second=30, timeout=120, run_at_startup=True),
]
