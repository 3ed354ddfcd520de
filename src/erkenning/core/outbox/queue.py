"""The Redis side of the outbox: a trigger per event on the arq queue, its job id the event's id."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from uuid import UUID

from arq.connections import ArqRedis
from redis.exceptions import RedisError

from erkenning.core.db import utcnow
from erkenning.core.logging import get_logger

log = get_logger(__name__)

TASK_NAME = "process_event"
_AT_ONCE = 20  # triggers in flight at once
_REDIS_DOWN = (RedisError, OSError, TimeoutError)


class Queue:
    """Puts triggers on the arq queue; never raises: a failed enqueue is caught up by the sweep."""

    def __init__(self, redis: ArqRedis, queue_name: str, timeout_s: float) -> None:
        self.redis = redis
        self.queue_name = queue_name
        self.timeout_s = timeout_s
        self._closed_until = 0.0  # circuit breaker: skip Redis for a moment after it failed

    async def enqueue(self, events: list[tuple[UUID, datetime]], *, attempt: int = 0) -> int:
        """Put a trigger on the queue for each event, up to `_AT_ONCE` at a time (a sweep's thousands would
        otherwise wait on one round trip each); returns how many are on it. On the first Redis error the
        rest are left to the outbox sweep, and Redis is skipped for a moment."""
        if not events or time.monotonic() < self._closed_until:
            return 0
        done = 0
        now = utcnow()
        for start in range(0, len(events), _AT_ONCE):
            chunk = events[start:start + _AT_ONCE]
            results = await asyncio.gather(
                *(self._enqueue_one(event_id, available_at, attempt, now) for event_id, available_at in chunk),
                return_exceptions=True,
            )
            failed = [r for r in results if isinstance(r, BaseException)]
            done += len(results) - len(failed)
            for exc in failed:
                if not isinstance(exc, _REDIS_DOWN):
                    raise exc
            if failed:
                self._closed_until = time.monotonic() + 5.0
                log.warning("outbox.enqueue_failed", error=type(failed[0]).__name__, waiting=len(events) - done)
                break
        return done

    async def _enqueue_one(self, event_id: UUID, available_at: datetime, attempt: int, now: datetime) -> None:
        job_id = str(event_id) if attempt == 0 else f"{event_id}:{attempt}"
        defer = available_at if available_at > now else None
        await asyncio.wait_for(
            self.redis.enqueue_job(
                TASK_NAME, str(event_id), _job_id=job_id, _queue_name=self.queue_name, _defer_until=defer
            ),
            self.timeout_s,
        )

    async def depth(self) -> int:
        return int(await asyncio.wait_for(self.redis.zcard(self.queue_name), self.timeout_s))

    async def ping(self) -> bool:
        return bool(await asyncio.wait_for(self.redis.ping(), self.timeout_s))
