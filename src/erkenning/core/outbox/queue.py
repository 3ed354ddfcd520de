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


class Queue:
    """Puts triggers on the arq queue; never raises: a failed enqueue is caught up by the sweep."""

    def __init__(self, redis: ArqRedis, queue_name: str, timeout_s: float) -> None:
        self.redis = redis
        self.queue_name = queue_name
        self.timeout_s = timeout_s
        self._closed_until = 0.0  # circuit breaker: skip Redis for a moment after it failed

    async def enqueue(self, events: list[tuple[UUID, datetime]], *, attempt: int = 0) -> int:
        if not events or time.monotonic() < self._closed_until:
            return 0
        done = 0
        now = utcnow()
        try:
            for event_id, available_at in events:
                job_id = str(event_id) if attempt == 0 else f"{event_id}:{attempt}"
                defer = available_at if available_at > now else None
                await asyncio.wait_for(
                    self.redis.enqueue_job(
                        TASK_NAME, str(event_id), _job_id=job_id, _queue_name=self.queue_name, _defer_until=defer
                    ),
                    self.timeout_s,
                )
                done += 1
        except (RedisError, OSError, TimeoutError) as exc:
            self._closed_until = time.monotonic() + 5.0
            log.warning("outbox.enqueue_failed", error=type(exc).__name__, waiting=len(events) - done)
        return done

    async def depth(self) -> int:
        return int(await asyncio.wait_for(self.redis.zcard(self.queue_name), self.timeout_s))

    async def ping(self) -> bool:
        return bool(await asyncio.wait_for(self.redis.ping(), self.timeout_s))
