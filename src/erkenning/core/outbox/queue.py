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
# Triggers put on the queue in one round trip: one script, which keeps Redis busy for a few ms, and
# whose one ZADD of 2 × 500 values stays far below Lua's limit of 8,000 values unpacked in one call.
_CHUNK = 500
_ID_LEN = 36  # an event id as text (a UUID's canonical form)
# arq's enqueue_job, for many jobs at once. KEYS = (queue); ARGV = (job key prefix, result key prefix,
# job id suffix, now in ms, arq's extra expiry in ms, the serialized job before the event id, after it,
# the event ids end to end, their scores separated by spaces). Each job's data is the chunk's
# serialized job with its event id put in (only that differs between them), so Python serializes once
# a chunk and redis-py encodes nine values, not six a job: encoding the arguments was most of the
# enqueue's cost (a sweep puts thousands on the queue). The job and result keys are made here, not
# passed as KEYS: that would be two values a job again, and arq's keys carry no hash tag, so a script
# touching many jobs could not run on Redis Cluster anyway.
_ENQUEUE_MANY = """
local job_prefix, result_prefix, suffix = ARGV[1], ARGV[2], ARGV[3]
local now_ms, extra_ms, head, tail, ids = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6], ARGV[7], ARGV[8]
local at, queued = 1, {}
for text in string.gmatch(ARGV[9], '%d+') do
  local event_id, score = string.sub(ids, at, at + 35), tonumber(text)
  at = at + 36
  local job_id = event_id .. suffix
  local job_key = job_prefix .. job_id
  if redis.call('EXISTS', job_key, result_prefix .. job_id) == 0 then
    redis.call('PSETEX', job_key, score - now_ms + extra_ms, head .. event_id .. tail)
    queued[#queued + 1] = text  -- the score as sent: Lua would write a number back with 14 digits at most
    queued[#queued + 1] = job_id
  end
end
if #queued > 0 then
  redis.call('ZADD', KEYS[1], unpack(queued))
end
return 1
"""
# Stands for the event id while the chunk's job is serialized once: as long as an id (36 characters),
# so the serialized length fields stay right for every id put in its place.
_ID_MARK = "erkenning-event-id-mark".center(_ID_LEN, "\x00")


class Queue:
    """Puts triggers on the arq queue; never raises: a failed enqueue is caught up by the sweep."""

    def __init__(self, redis: ArqRedis, queue_name: str, timeout_s: float) -> None:
        self.redis = redis
        self.queue_name = queue_name
        self.timeout_s = timeout_s
        self._closed_until = 0.0  # circuit breaker: skip Redis for a moment after it failed
        self._script = redis.register_script(_ENQUEUE_MANY)
        self._job_around_id(0)  # a serializer the script cannot use fails here, at start-up, not per enqueue

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
                async with asyncio.timeout(self.timeout_s):  # not `wait_for`: no task of its own per call
                    await self._enqueue_chunk(chunk, attempt)
                done += len(chunk)
        except (RedisError, OSError, TimeoutError) as exc:
            self._closed_until = time.monotonic() + 5.0
            log.warning("outbox.enqueue_failed", error=type(exc).__name__, waiting=len(events) - done)
        return done

    async def _enqueue_chunk(self, events: list[tuple[UUID, datetime]], attempt: int) -> None:
        """What arq's `enqueue_job` does for each event (its job data, expiring, and its place on the queue,
        unless a job or result of that id exists), for all of them in one script."""
        now, now_ms = utcnow(), timestamp_ms()  # the app's clock decides what is deferred, as before
        head, tail = self._job_around_id(now_ms)
        ids = "".join(str(event_id) for event_id, _ in events)
        scores = " ".join(  # deferred to its time, or now
            str(to_unix_ms(available_at) if available_at > now else now_ms) for _, available_at in events
        )
        await self._script(keys=[self.queue_name], args=[
            job_key_prefix, result_key_prefix, "" if attempt == 0 else f":{attempt}", now_ms,
            self.redis.expires_extra_ms, head, tail, ids, scores,
        ])

    def _job_around_id(self, now_ms: int) -> tuple[bytes, bytes]:
        """The job arq's `enqueue_job` would store for an event (`process_event(event id)`, enqueued at
        `now_ms`), serialized once with the serializer arq's connection uses, as the parts before and
        after the event id."""
        job = serialize_job(TASK_NAME, (_ID_MARK,), {}, None, now_ms, serializer=self.redis.job_serializer)
        mark = _ID_MARK.encode()
        if len(_ID_MARK) != _ID_LEN or job.count(mark) != 1:  # a serializer that does not keep the id's text
            raise ValueError("arq's job serializer must store the event id as its text, once")
        head, _, tail = job.partition(mark)
        return head, tail

    async def depth(self) -> int:
        return int(await asyncio.wait_for(self.redis.zcard(self.queue_name), self.timeout_s))

    async def ping(self) -> bool:
        return bool(await asyncio.wait_for(self.redis.ping(), self.timeout_s))
