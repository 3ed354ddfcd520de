"""What a process holds while it runs: settings, the engine and session factory, the queue, the handlers."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import outbox
from erkenning.core.db import create_engine, create_session_factory
from erkenning.core.ratelimit import LocalWindow, RateLimiter
from erkenning.core.settings import Settings


def create_redis(settings: Settings) -> ArqRedis:
    """A Redis client that fails fast; constructing it does not connect (the app starts without Redis)."""
    _, url = settings.require_urls()
    redis: ArqRedis = ArqRedis.from_url(
        url,
        socket_connect_timeout=settings.redis_timeout_s,
        socket_timeout=settings.redis_timeout_s,
        health_check_interval=30,
    )
    return redis


@dataclass
class Runtime:
    """`handlers` are what `outbox.process` runs events by: the worker's wiring (`erkenning.worker.wiring`)
    in the worker and in tests; none in the API, which writes events but runs none."""

    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    queue: outbox.Queue
    limiter: RateLimiter
    # The register's limits: the same windows, counted locally and synced (see core/ratelimit.LocalWindow).
    register_limiter: LocalWindow
    owns_redis: bool = True
    read_pool: Any = None  # the register's asyncpg pool, made on first use (erkenning.register.lean)
    done_events: outbox.RecentlyDone = field(default_factory=outbox.RecentlyDone)
    handlers: outbox.Handlers = field(default_factory=outbox.Handlers)

    @classmethod
    def create(
        cls, settings: Settings, *, redis: ArqRedis | None = None, handlers: outbox.Handlers | None = None
    ) -> Runtime:
        engine = create_engine(settings)
        owns = redis is None
        redis = redis or create_redis(settings)
        limiter = RateLimiter(redis, settings.arq_queue_name, settings.redis_timeout_s)
        return cls(
            settings=settings,
            engine=engine,
            session_factory=create_session_factory(engine),
            queue=outbox.Queue(redis, settings.arq_queue_name, settings.redis_timeout_s),
            limiter=limiter,
            register_limiter=LocalWindow(
                limiter, sync_hits=settings.register_rate_sync_hits, sync_s=settings.register_rate_sync_ms / 1000
            ),
            owns_redis=owns,
            handlers=handlers if handlers is not None else outbox.Handlers(),
        )

    async def close(self) -> None:
        await self.register_limiter.close()
        if self.read_pool is not None:
            await self.read_pool.close()
            self.read_pool = None
        await self.engine.dispose()
        if self.owns_redis:
            await self.queue.redis.aclose()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commit on success, roll back otherwise; then enqueue its new events."""
        async with self.session_factory() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
        await self.after_commit(session)

    async def after_commit(self, session: AsyncSession) -> None:
        await self.queue.enqueue(outbox.take_new(session))


def freeze_startup_heap() -> None:
    """Take what a server process holds from start to end (its modules, the app with its routes and
    schemas, the ORM's mappings) out of the cyclic garbage collector's sight (`gc.freeze`), once built.

    CPython's collector otherwise walks all of it in every full collection, which a request that builds
    many objects (a batch of 1,000 verifications) sets off now and then: such a request then waits
    200-300 ms (the bench's batch: p99 236 and 324 ms; frozen, 43 and 47 ms). Frozen objects are still
    freed when nothing refers to them; only cycles among them are never collected, and they are what
    lives as long as the process anyway. For the served processes only (`erkenning serve`, `erkenning
    worker`, `erkenning dev`), never in a library call: tests build many apps in one process (ADR 0015).
    """
    gc.collect()
    gc.freeze()
