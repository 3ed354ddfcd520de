"""The arq worker: one task runs outbox events; cron jobs sweep, apply deadlines and tidy up.

The wiring is explicit, and it is here. A domain module declares what it offers as plain values and
registers nothing when it is imported: its `tasks` module the outbox handlers (`HANDLERS`, an
`outbox.Handler` per topic, `external=True` when it reaches outside the database) and the cron jobs
(`CRON_JOBS`); its `mails` module the e-mail composers (`COMPOSERS`, template name → composer).
`wiring()` gathers them from the modules imported below into one `Wiring`: a handler per topic (the
e-mail sender, built over every composer, among them) and the domains' cron jobs; a topic or a
template claimed twice, or a composer without its text, fails there, when the worker is built.

The worker's runtime holds `wiring().handlers` (see `startup`) and `outbox.process` runs each event
by them; tests build their runtime with the same value. The API only writes events and queues
e-mails (`mail.queue` checks that the template's text exists), so its runtime holds no handlers.
`tests/unit/test_wiring.py` reads the code for every topic added and every e-mail queued, and
checks each against this wiring.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import signal
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any
from uuid import UUID

import structlog
from arq import cron
from arq.connections import RedisSettings
from arq.cron import CronJob
from arq.worker import Function, Worker, func
from redis.exceptions import RedisError

from erkenning import letters, models
from erkenning.core import calendar_days, context, mail, outbox
from erkenning.core.auth import links as sign_in_links
from erkenning.core.auth import mails as account_mails
from erkenning.core.logging import configure_logging, get_logger
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings, get_settings
from erkenning.http import idempotency
from erkenning.recognition import mails as recognition_mails
from erkenning.recognition import tasks as recognition_tasks
from erkenning.register import tasks as register_tasks
from erkenning.retention import tasks as retention_tasks
from erkenning.training import mails as training_mails
from erkenning.training import tasks as training_tasks
from erkenning.web import tasks as web_tasks
from erkenning.workflows import mails as workflow_mails
from erkenning.workflows import tasks as workflow_tasks

log = get_logger(__name__)

EVERY_MINUTE = set(range(60))


@dataclass(frozen=True)
class Wiring:
    """What the worker runs besides its own jobs: a handler per outbox topic, and the domains' cron jobs."""

    handlers: outbox.Handlers
    composers: Mapping[str, mail.Composer]  # inside the e-mail sender among the handlers; here to be read
    cron_jobs: list[CronJob]

    def with_handlers(self, *more: outbox.Handler) -> Wiring:
        """The same wiring with handlers of topics of one's own (a test's, the benchmark's)."""
        return dataclasses.replace(self, handlers=self.handlers.with_(*more))


def wiring() -> Wiring:
    """Every domain's outbox handlers, e-mail composers and cron jobs, each topic and template once."""
    composers = mail.composers(
        account_mails.COMPOSERS,
        recognition_mails.COMPOSERS,
        register_tasks.COMPOSERS,
        training_mails.COMPOSERS,
        workflow_mails.COMPOSERS,
    )
    handlers = outbox.Handlers([
        mail.sender(composers),
        *sign_in_links.HANDLERS,
        *register_tasks.HANDLERS,
        *training_tasks.HANDLERS,
        *workflow_tasks.handlers(letters.RENDERER),
    ])
    cron_jobs = [
        *workflow_tasks.CRON_JOBS,
        *recognition_tasks.CRON_JOBS,
        *register_tasks.CRON_JOBS,
        *training_tasks.CRON_JOBS,
        *web_tasks.CRON_JOBS,
        *retention_tasks.CRON_JOBS,
    ]
    return Wiring(handlers=handlers, composers=composers, cron_jobs=cron_jobs)


async def process_event(ctx: dict[str, Any], event_id: str) -> None:
    """Run one outbox event (idempotent: a second run finds it done)."""
    token = context.job_id.set(ctx.get("job_id"))
    structlog.contextvars.bind_contextvars(job_id=ctx.get("job_id"))
    try:
        runtime: Runtime = ctx["runtime"]
        await outbox.process(runtime, UUID(event_id), batch=runtime.settings.outbox_batch)
    finally:
        structlog.contextvars.unbind_contextvars("job_id")
        context.job_id.reset(token)


async def sweep_outbox(ctx: dict[str, Any]) -> int:
    return await outbox.sweep(ctx["runtime"])


async def housekeeping(ctx: dict[str, Any]) -> None:
    """Daily: forget old idempotency keys and long-done outbox events."""
    runtime: Runtime = ctx["runtime"]
    async with runtime.transaction() as session:
        keys = await idempotency.purge(session)
        events = await outbox.purge_done(session, older_than=timedelta(days=30))
    log.info("housekeeping.done", idempotency_keys=keys, outbox_events=events)


async def startup(ctx: dict[str, Any], *, handlers: outbox.Handlers) -> None:
    settings: Settings = ctx.get("settings") or get_settings()
    models.configure()
    if not ctx.get("logging_configured"):
        configure_logging(settings)
    ctx["runtime"] = Runtime.create(settings, redis=ctx["redis"], handlers=handlers)
    # Deadlines count the decree days of Atw art. 3(3): read them now and every calendar_refresh_s.
    ctx["calendar_keeper"] = await calendar_days.keep_current(
        ctx["runtime"].session_factory, every_s=settings.calendar_refresh_s
    )
    # Catch up on whatever was committed while no worker (or no Redis) was there.
    await outbox.sweep(ctx["runtime"])


async def shutdown(ctx: dict[str, Any]) -> None:
    keeper: calendar_days.CalendarKeeper | None = ctx.pop("calendar_keeper", None)
    if keeper is not None:
        await keeper.stop()
    runtime: Runtime | None = ctx.get("runtime")
    if runtime is not None:
        await runtime.close()


def _sweep_seconds(settings: Settings) -> set[int]:
    every = settings.outbox_sweep_every_s
    return set(range(15 % every, 60, every))  # every 60 s: at second 15, as always


def worker_options(settings: Settings, wired: Wiring | None = None) -> dict[str, Any]:
    """The worker's settings (arq's WorkerSettings), built from ours and the wiring (by default `wiring()`)."""
    wired = wired or wiring()
    _, redis_url = settings.require_urls()
    functions: list[Function] = [func(process_event, timeout=settings.job_timeout_s, max_tries=20)]
    cron_jobs = [
        cron(sweep_outbox, minute=EVERY_MINUTE, second=_sweep_seconds(settings), timeout=120, run_at_startup=False),
        cron(housekeeping, hour={3}, minute={30}, timeout=600),
        *wired.cron_jobs,
    ]
    # A SIGKILLed worker's job runs again only after the longest timeout of any function + 10 s:
    # cap them, so an interrupted outbox event is retried within minutes, not hours.
    cap = settings.cron_timeout_s
    cron_jobs = [dataclasses.replace(job, timeout_s=min(job.timeout_s or cap, cap)) for job in cron_jobs]
    return {
        "functions": functions,
        "cron_jobs": cron_jobs,
        "on_startup": partial(startup, handlers=wired.handlers),
        "on_shutdown": shutdown,
        "redis_settings": RedisSettings.from_dsn(redis_url),
        "queue_name": settings.arq_queue_name,
        # The outbox row is the record of a job; arq's results would only block re-enqueueing its id.
        "keep_result": 0,
        "max_jobs": 10,
        "poll_delay": 0.05,
        "job_timeout": settings.job_timeout_s,
        "ctx": {"settings": settings},
    }


def build_worker(settings: Settings, wired: Wiring | None = None, **overrides: Any) -> Worker:
    options = worker_options(settings, wired)
    options.update(overrides)
    return Worker(**options)


# What a lost Redis raises out of arq's polling loop (or its connecting, after its own retries); OSError
# also covers a database that refuses connections at start-up: the worker then waits for it as well.
REDIS_LOST = (RedisError, OSError)


async def serve(settings: Settings, *, restart_delay_s: float = 2.0) -> None:
    """Run the worker until SIGINT/SIGTERM, riding out Redis outages.

    arq's worker stops with an exception when Redis goes away; here it is started afresh once Redis
    answers again (its start-up sweep then re-enqueues what Redis lost). A stop signal does what arq's
    own handler does: running jobs are cancelled (they run again later) and the worker closes.
    """
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    current: Worker | None = None

    def stop(sig: signal.Signals) -> None:
        stopping.set()
        if current is not None:
            current.handle_sig(sig)

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop, sig)
    try:
        while not stopping.is_set():
            current = build_worker(
                settings, handle_signals=False, ctx={"settings": settings, "logging_configured": True}
            )
            lost = False
            try:
                await current.async_run()
            except asyncio.CancelledError:
                if not stopping.is_set():
                    raise
            except REDIS_LOST as exc:
                lost = True
                log.warning("worker.restarting", error=type(exc).__name__, restart_in_s=restart_delay_s)
            finally:
                await _close(current)
            if not lost:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), restart_delay_s)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _close(worker: Worker) -> None:
    # Let running jobs end first (after a stop signal: give themselves back). arq's close() cancels
    # them again otherwise, interrupting one that is just recording its cancellation.
    await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
    try:
        await worker.close()
    except (*REDIS_LOST, asyncio.CancelledError):
        # arq's close() stopped (at a Redis call, or at a job that ended cancelled) before our shutdown
        # hook: release the database here.
        await shutdown(worker.ctx)
