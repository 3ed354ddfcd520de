"""Fixed-window rate limits in Redis, shared by every API process.

`await limiter.hit("register-anon", client_ip, limit=60, window_s=60)` counts one request and raises
`RateLimited` (429 with Retry-After) past the limit. When Redis cannot be reached the limiter lets
the request through (`fail_open=True`, for reads that must stay available) or refuses it with 503.
`RateLimiter` is exact: one Redis round trip (one script) per hit; sign-in throttles, reports and
the other callers use it.

`LocalWindow` is the register's (issue 19, docs/adr/0012-register-fast-path.md): the same windows,
keys and Redis counts, but each process counts locally and adds its counts to the shared window in
one round trip at most every `sync_hits` hits or `sync_s` seconds, deciding from the last shared
count it read plus its own unsynced hits. Near the limit (within `sync_hits` of it) every hit goes to
Redis, so small limits stay exact; far from it a hit costs no round trip of its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass

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
# One round trip for a process's unsynced counts: add each, start a new window's expiry, read back the shared
# totals and their time to live (KEYS: the windows; ARGV[1]: the window's length in ms, then one count per key).
_ADD_SCRIPT = """
local out = {}
for i, key in ipairs(KEYS) do
  local c = redis.call('INCRBY', key, ARGV[i + 1])
  if c == tonumber(ARGV[i + 1]) then redis.call('PEXPIRE', key, ARGV[1]) end
  out[#out + 1] = c
  out[#out + 1] = redis.call('PTTL', key)
end
return out
"""
_REDIS_DOWN = (RedisError, OSError, TimeoutError)


def window_key(namespace: str, name: str, subject: str, window: int) -> str:
    """The Redis key of one subject's window. Subjects (addresses, principal ids) are hashed: an IP address is
    personal data (GDPR art. 4(1)), and Redis holds only its pseudonym (art. 4(5); data minimisation, art.
    5(1)(c)), never the address in clear (tests/test_ratelimit.py)."""
    digest = hashlib.sha256(subject.encode()).hexdigest()[:24]
    return f"{namespace}:rl:{name}:{digest}:{window}"


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
        return window_key(self.namespace, name, subject, int(time.time() // window_s))

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


@dataclass
class _Count:
    """One window of one subject in this process: the shared count last read from Redis, the hits being added
    to it (a sync under way), the hits not yet added, and when (monotonic) its key expires by that reading."""

    window_s: int
    window: int
    shared: int = 0
    sending: int = 0
    pending: int = 0
    expires_at: float = 0.0
    leader: asyncio.Future[dict[str, tuple[int, int]]] | None = None  # the sync a hit started for this window


class LocalWindow:
    """The register's rate limit: `RateLimiter`'s windows (same keys, same counts in Redis), counted locally
    and synced, so a request far from its limit costs no Redis round trip of its own.

    A hit is decided from `shared + sending + pending` (this process's view). While that stays at least
    `sync_hits` under the limit the hit is counted locally; this process adds its unsynced hits to Redis in
    one round trip (one script for all its windows) when a window has `sync_hits` of them — the
    hit that reaches it starts that round trip and waits for it, hits arriving meanwhile wait for the same
    answer instead of starting their own — or `sync_s` after the first, in the background. Nearer the
    limit every hit is added to Redis at once and decided on the shared total Redis answers, as
    `RateLimiter.hit` does. So a hit costs at most one round trip of its own, and most none.

    Bound: a process never holds more than `sync_hits` unsynced hits of a window (nor any for longer than
    about `sync_s` while its event loop runs), so with P processes the limit can be overshot by at most
    about P × `sync_hits` hits a window, and with one process not at all. Refusals say Retry-After from the
    window's time to live. When Redis cannot be reached the hit is let through (the register is a public
    read) and its count is kept to be added at the next sync.
    """

    def __init__(self, limiter: RateLimiter, *, sync_hits: int = 32, sync_s: float = 0.05) -> None:
        self.limiter = limiter
        self.sync_hits = max(1, sync_hits)
        self.sync_s = sync_s
        self._add = limiter.redis.register_script(_ADD_SCRIPT)
        self._counts: dict[str, _Count] = {}
        self._keys: dict[tuple[str, str], str] = {}  # (name, subject) → hashed prefix, to hash once per subject
        self._timer: asyncio.TimerHandle | None = None
        self._syncing: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _window_key(self, name: str, subject: str, window: int) -> str:
        prefix = self._keys.get((name, subject))
        if prefix is None:
            if len(self._keys) > 50_000:  # many addresses: forget them rather than grow without bound
                self._keys.clear()
            prefix = self._keys[(name, subject)] = window_key(self.limiter.namespace, name, subject, 0)[:-1]
        return f"{prefix}{window}"

    async def hit(self, name: str, subject: str, *, limit: int, window_s: int) -> int:
        """Count one hit; returns this process's view of the window's count, or raises RateLimited past
        `limit`."""
        now = time.time()
        window = int(now // window_s)
        key = self._window_key(name, subject, window)
        count = self._counts.get(key)
        if count is None:
            count = self._counts[key] = _Count(window_s, window)
        count.pending += 1
        for _ in range(3):
            seen = count.shared + count.sending + count.pending
            near = seen + self.sync_hits > limit
            if not near and count.sending + count.pending < self.sync_hits:
                self._schedule()
                return seen
            if count.shared > limit and count.expires_at > time.monotonic():
                # Past the limit by Redis's own count: refuse without asking again (counted at the next sync).
                self._schedule()
                raise _limited(int((count.expires_at - time.monotonic()) * 1000))
            if near:
                break
            if count.leader is not None and count.leader.get_loop() is not asyncio.get_running_loop():
                count.leader = None  # of another event loop (tests): it will never finish here
            if count.leader is None:
                # This window's unsynced hits reached `sync_hits`: this hit adds them, the others wait for it.
                count.leader = asyncio.ensure_future(self._sync({key: count}))
                try:
                    await asyncio.shield(count.leader)
                finally:
                    count.leader = None
            else:
                await asyncio.shield(count.leader)  # its answer, not a round trip of our own
        else:
            return count.shared + count.sending + count.pending  # Redis not answering: open, as the register is
        # Near the limit: add this process's unsynced hits now, and decide on the shared total Redis answers.
        shared = await self._sync({key: count})
        if key not in shared:
            return seen  # Redis away: open, as the register is
        total, ttl_ms = shared[key]
        if total > limit:
            raise _limited(ttl_ms)
        return total

    def _loop_here(self) -> None:
        """Forget a timer or sync of another event loop (tests run one loop each over a shared runtime; a
        server runs one): it will never fire here."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop, self._timer, self._syncing = loop, None, None

    def _schedule(self) -> None:
        self._loop_here()
        if self._timer is None and self._syncing is None:
            self._timer = asyncio.get_running_loop().call_later(self.sync_s, self._start_sync)

    def _start_sync(self) -> None:
        self._timer = None
        self._syncing = asyncio.ensure_future(self._sync_all())

    async def _sync_all(self) -> None:
        try:
            await self._sync(dict(self._counts))
        finally:
            self._syncing = None
            now = time.time()
            for key, count in list(self._counts.items()):
                if count.pending == 0 and count.window < int(now // count.window_s):
                    del self._counts[key]  # a past window with nothing left to add
            if any(c.pending for c in self._counts.values()):
                self._schedule()

    async def _sync(self, counts: dict[str, _Count]) -> dict[str, tuple[int, int]]:
        """Add the given windows' pending hits to Redis in one round trip; returns each key's shared total
        and time to live (empty when Redis could not be reached: the hits stay pending)."""
        keys = [k for k, c in counts.items() if c.pending]
        if not keys:
            return {}
        taken = [counts[k].pending for k in keys]
        for k, n in zip(keys, taken, strict=True):
            counts[k].pending = 0
            counts[k].sending += n
        window_ms = [counts[k].window_s * 1000 for k in keys]
        try:
            # One script call per window length (the register's windows share one: one call in practice).
            answers: dict[str, tuple[int, int]] = {}
            for length in sorted(set(window_ms)):
                group = [i for i, ms in enumerate(window_ms) if ms == length]
                flat = await asyncio.wait_for(
                    self._add(keys=[keys[i] for i in group], args=[length, *(taken[i] for i in group)]),
                    self.limiter.timeout_s,
                )
                for n, i in enumerate(group):
                    answers[keys[i]] = (int(flat[2 * n]), int(flat[2 * n + 1]))
        except _REDIS_DOWN as exc:
            log.warning("ratelimit.unavailable", limiter="local-window", error=type(exc).__name__)
            for k, n in zip(keys, taken, strict=True):
                counts[k].sending -= n
                counts[k].pending += n
            return {}
        now = time.monotonic()
        for k, n in zip(keys, taken, strict=True):
            counts[k].sending -= n
        for k, (total, ttl_ms) in answers.items():
            count = counts[k]
            count.shared = max(count.shared, total)  # an answer overtaken by a later one is older, never higher
            count.expires_at = now + max(ttl_ms, 0) / 1000
        return answers

    async def close(self) -> None:
        """Add what is still unsynced (on shutdown), then stop the timer."""
        self._loop_here()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._syncing is not None:
            await asyncio.gather(self._syncing, return_exceptions=True)
        await self._sync(dict(self._counts))
