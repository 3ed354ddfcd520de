"""Fixed-window rate limits in Redis, shared by every API process.

`await limiter.hit("register-anon", client_ip, limit=60, window_s=60)` counts one request and raises
`RateLimited` (429 with Retry-After) past the limit. When Redis cannot be reached the limiter lets
the request through (`fail_open=True`, for reads that must stay available) or refuses it with 503.
"""

from __future__ import annotations

import asyncio
import hashlib
import time

from arq.connections import ArqRedis
from redis.exceptions import RedisError

from erkenning.core.errors import RateLimited, ServiceUnavailable
from erkenning.core.logging import get_logger

log = get_logger(__name__)

# One round trip: count, and start the window's expiry on its first hit.
_SCRIPT = """
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {c, redis.call('PTTL', KEYS[1])}
"""
_REDIS_DOWN = (RedisError, OSError, TimeoutError)


def _limited(ttl_ms: int) -> RateLimited:
    """Refusal until the window ends (whole seconds, at least one)."""
    return RateLimited(retry_after=max(1, -(-ttl_ms // 1000)))


class RateLimiter:
    def __init__(self, redis: ArqRedis, namespace: str, timeout_s: float) -> None:
        self.redis = redis
        self.namespace = namespace
        self.timeout_s = timeout_s
        self._script = redis.register_script(_SCRIPT)

    def _key(self, name: str, subject: str, window_s: int) -> str:
        # Subjects (addresses, principal ids) are hashed: Redis holds no personal data in clear.
        digest = hashlib.sha256(subject.encode()).hexdigest()[:24]
        return f"{self.namespace}:rl:{name}:{digest}:{int(time.time() // window_s)}"

    async def hit(self, name: str, subject: str, *, limit: int, window_s: int, fail_open: bool = True) -> int:
        """Count one hit; returns the count in this window, or raises RateLimited past `limit`."""
        try:
            count, ttl_ms = await asyncio.wait_for(
                self._script(keys=[self._key(name, subject, window_s)], args=[window_s * 1000]), self.timeout_s
            )
        except _REDIS_DOWN as exc:
            log.warning("ratelimit.unavailable", limiter=name, error=type(exc).__name__)
            if fail_open:
                return 0
            raise ServiceUnavailable("Rate limiting is unavailable; try again shortly") from None
        if int(count) > limit:
            raise _limited(int(ttl_ms))
        return int(count)

    async def check(self, name: str, subject: str, *, limit: int, window_s: int) -> None:
        """Raise RateLimited if `limit` hits are already counted in this window (counts nothing itself)."""
        key = self._key(name, subject, window_s)
        try:
            count, ttl_ms = await asyncio.wait_for(self._peek(key), self.timeout_s)
        except _REDIS_DOWN as exc:
            log.warning("ratelimit.unavailable", limiter=name, error=type(exc).__name__)
            return
        if count >= limit:
            raise _limited(ttl_ms)

    async def _peek(self, key: str) -> tuple[int, int]:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.get(key)
            pipe.pttl(key)
            value, ttl_ms = await pipe.execute()
        return int(value or 0), int(ttl_ms)

    async def reset(self, name: str, subject: str, window_s: int) -> None:
        await self.redis.delete(self._key(name, subject, window_s))
