"""Recognition upkeep in the worker: future-dated effects, final decisions, response terms, reassessments,
and files staged for an objection that was never sent.

Each job is idempotent and catches up on what a missed run left: it works from what is due in the
database, not from the day it runs. They run every hour (cheap: each finds its rows through a
partial or plain index), so "today's" changes land early on the day itself.

Topics written here, by decisions and by upheld objections (`effects`): `recognition.changed`
{company_id, recognition_id[, corrected, corrected_from]}, whose handler belongs to the register's
subscriptions, and `recognition.first_granted` {company_id, recognition_id, decision_id}, whose handler
belongs to training (this module declares none).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from arq import cron
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import clock
from erkenning.core.caller import Caller
from erkenning.core.logging import get_logger
from erkenning.core.runtime import Runtime
from erkenning.recognition import deadlines, effects
from erkenning.recognition.services import objection_attachments
from erkenning.recognition.services.recognitions import notice_reassessments

log = get_logger(__name__)

SYSTEM = Caller.system("recognition")
_MAX_ROUNDS = 100  # batches per run; what is left waits for the next run


async def _in_rounds(runtime: Runtime, step: Callable[[AsyncSession], Awaitable[int]]) -> int:
    """Run `step` in a transaction of its own until it finds nothing more (or the rounds run out)."""
    total = 0
    for _ in range(_MAX_ROUNDS):
        async with runtime.transaction() as session:
            done = await step(session)
        total += done
        if not done:
            break
    return total


async def purge_staged_attachments(ctx: dict[str, Any]) -> int:
    """Drop files staged for an objection that was never sent (kept a day while the company checks its answers)."""
    async with ctx["runtime"].transaction() as session:
        count = await objection_attachments.purge_staged(session)
    log.info("objection_attachment.staged_purged", count=count)
    return count


async def apply_due_effects(ctx: dict[str, Any]) -> int:
    """Bring each recognition's status of today in line with periods that started (future-dated effects)."""
    total = await _in_rounds(
        ctx["runtime"], lambda session: effects.apply_due(session, SYSTEM, clock.today())
    )
    log.info("recognition.due_effects_applied", recognitions=total)
    return total


async def finalise_decisions(ctx: dict[str, Any]) -> int:
    """Sent decisions whose objection term passed without a pending objection become final."""
    runtime: Runtime = ctx["runtime"]
    total = await _in_rounds(
        runtime, lambda session: deadlines.finalise_due(session, runtime.settings, SYSTEM, clock.today())
    )
    log.info("decision.finalised_due", count=total)
    return total


async def record_response_terms(ctx: dict[str, Any]) -> int:
    """Record that an intended decision's response term passed without a response."""
    runtime: Runtime = ctx["runtime"]
    async with runtime.transaction() as session:
        count = await deadlines.record_lapsed_response_terms(session, runtime.settings, SYSTEM, clock.today())
    log.info("decision.response_terms_recorded", count=count)
    return count


async def remind_objection_terms(ctx: dict[str, Any]) -> int:
    """Remind, and then escalate, objections whose decision term (art. 7:10 Awb) is about to end."""
    runtime: Runtime = ctx["runtime"]
    async with runtime.transaction() as session:
        count = await deadlines.remind_objection_terms(session, runtime.settings, SYSTEM, clock.today())
    log.info("objection.terms_reminded", count=count)
    return count


async def notice_reassessments_due(ctx: dict[str, Any]) -> int:
    """Put recognitions whose reassessment is due within the notice period on the advisers' worklist."""
    runtime: Runtime = ctx["runtime"]
    async with runtime.transaction() as session:
        return await notice_reassessments(
            session, SYSTEM, clock.today(), runtime.settings.reassessment_notice_days
        )


CRON_JOBS = [
    cron(apply_due_effects, minute={1}, timeout=600),
    cron(finalise_decisions, minute={11}, timeout=600),
    cron(record_response_terms, minute={21}, timeout=120),
    cron(remind_objection_terms, minute={41}, timeout=120),
    cron(notice_reassessments_due, hour={5}, minute={31}, timeout=120),
    cron(purge_staged_attachments, minute={51}, timeout=120),
]
