"""The arq worker: one task runs outbox events; cron jobs sweep, apply deadlines and tidy up.

Every domain registers its outbox handlers and cron jobs in its own `tasks` module; this module
imports them all (TASK_MODULES) so that one worker serves every domain.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import signal
from datetime import timedelta
from typing import Any
from uuid import UUID

import structlog
from arq import cron
from arq.connections import RedisSettings
from arq.cron import CronJob
from arq.worker import Function, Worker, func
from redis.exceptions import RedisError

from erkenning import models
from erkenning.core import calendar_days, context, outbox
from erkenning.core.logging import configure_logging, get_logger
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings, get_settings
from erkenning.http import idempotency

log = get_logger(__name__)

# Each module may define `CRON_JOBS: list[CronJob]` and registers outbox handlers on import.
TASK_MODULES: list[str] = [
    "erkenning.core.mail",
    "erkenning.workflows.tasks",
    "erkenning.core.auth.mails",
    "erkenning.recognition.tasks",
    "erkenning.register.tasks",
    "erkenning.training.tasks",
    "erkenning.web.tasks",
    "erkenning.retention.tasks",
]

EVERY_MINUTE = set(range(60))


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


async def startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx.get("settings") or get_settings()
    models.configure()
    if not ctx.get("logging_configured"):
        configure_logging(settings)
    ctx["runtime"] = Runtime.create(settings, redis=ctx["redis"])
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


def load_task_modules() -> list[CronJob]:
    jobs: list[CronJob] = []
    for name in TASK_MODULES:
        jobs.extend(getattr(importlib.import_module(name), "CRON_JOBS", []))
    return jobs


def _sweep_seconds(settings: Settings) -> set[int]:
    every = settings.outbox_sweep_every_s
    return set(range(15 % every, 60, every))  # every 60 s: at second 15, as always


def worker_options(settings: Settings) -> dict[str, Any]:
    """The worker's settings (arq's WorkerSettings), built from ours: every domain's tasks and crons."""
    _, redis_url = settings.require_urls()
    functions: list[Function] = [func(process_event, timeout=settings.job_timeout_s, max_tries=20)]
    cron_jobs = [
        cron(sweep_outbox, minute=EVERY_MINUTE, second=_sweep_seconds(settings), timeout=120, run_at_startup=False),
        cron(housekeeping, hour={3}, minute={30}, timeout=600),
        *load_task_modules(),
    ]
    # A SIGKILLed worker's job runs again only after the longest timeout of any function + 10 s:
    # cap them, so an interrupted outbox event is retried within minutes, not hours.
    cap = settings.cron_timeout_s
    cron_jobs = [dataclasses.replace(job, timeout_s=min(job.timeout_s or cap, cap)) for job in cron_jobs]
    return {
        "functions": functions,
        "cron_jobs": cron_jobs,
        "on_startup": startup,
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


def build_worker(settings: Settings, **overrides: Any) -> Worker:
    options = worker_options(settings)
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
            current = build_worker(settings, handle_signals=False, ctx={"settings": settings, "logging_configured": True})
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
