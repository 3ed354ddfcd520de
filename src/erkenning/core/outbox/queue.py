"""The Redis side of the outbox: a trigger per event on the arq queue, its job id the event's id."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from uuid import UUID

from arq.connections import ArqRedis
from arq.constants import job_key_prefix, result_key_prefix
from arq.jobs import serialize_job
from arq.utils import timestamp_ms, to_unix_ms
from redis.exceptions import RedisError

from erkenning.core.db import utcnow
from erkenning.core.logging import get_logger

log = get_logger(__name__)

TASK_NAME = "process_event"
_CHUNK = 200  # triggers put on the queue in one round trip
# arq's enqueue_job, for many jobs: KEYS = queue, then (job key, result key) per job; ARGV = (job id,
# score, expiry in ms, serialized job) per job.
_ENQUEUE_MANY = """
for i = 1, (#KEYS - 1) / 2 do
  local job_key, result_key = KEYS[2 * i], KEYS[2 * i + 1]
  local a = 4 * (i - 1)
  if redis.call('EXISTS', job_key, result_key) == 0 then
    redis.call('PSETEX', job_key, ARGV[a + 3], ARGV[a + 4])
    redis.call('ZADD', KEYS[1], ARGV[a + 2], ARGV[a + 1])
  end
end
return 1
"""


class Queue:
    """Puts triggers on the arq queue; never raises: a failed enqueue is caught up by the sweep."""

    def __init__(self, redis: ArqRedis, queue_name: str, timeout_s: float) -> None:
        self.redis = redis
        self.queue_name = queue_name
        self.timeout_s = timeout_s
        self._closed_until = 0.0  # circuit breaker: skip Redis for a moment after it failed
        self._script = redis.register_script(_ENQUEUE_MANY)

    async def enqueue(self, events: list[tuple[UUID, datetime]], *, attempt: int = 0) -> int:
        """Put a trigger on the queue for each event, `_CHUNK` in one round trip (a sweep's thousands would
        otherwise wait on three round trips each); returns how many are on it. On a Redis error the rest
        are left to the outbox sweep, and Redis is skipped for a moment."""
        if not events or time.monotonic() < self._closed_until:
            return 0
        done = 0
        try:
            for start in range(0, len(events), _CHUNK):
                chunk = events[start:start + _CHUNK]
                await asyncio.wait_for(self._enqueue_chunk(chunk, attempt), self.timeout_s)
                done += len(chunk)
        except (RedisError, OSError, TimeoutError) as exc:
            self._closed_until = time.monotonic() + 5.0
            log.warning("outbox.enqueue_failed", error=type(exc).__name__, waiting=len(events) - done)
        return done

    async def _enqueue_chunk(self, events: list[tuple[UUID, datetime]], attempt: int) -> None:
        """What arq's `enqueue_job` does for each event (its job data, expiring, and its place on the queue,
        unless a job or result of that id exists), for all of them in one script."""
        now, now_ms = utcnow(), timestamp_ms()  # the app's clock decides what is deferred, as before
        keys: list[str] = [self.queue_name]
        args: list[bytes | str | int] = []
        for event_id, available_at in events:
            job_id = str(event_id) if attempt == 0 else f"{event_id}:{attempt}"
            score = to_unix_ms(available_at) if available_at > now else now_ms  # deferred to its time, or now
            job = serialize_job(TASK_NAME, (str(event_id),), {}, None, now_ms, serializer=self.redis.job_serializer)
            keys += [job_key_prefix + job_id, result_key_prefix + job_id]
            args += [job_id, score, score - now_ms + self.redis.expires_extra_ms, job]
        await self._script(keys=keys, args=args)

    async def depth(self) -> int:
        return int(await asyncio.wait_for(self.redis.zcard(self.queue_name), self.timeout_s))

    async def ping(self) -> bool:
        return bool(await asyncio.wait_for(self.redis.ping(), self.timeout_s))
