"""The rate limiters on real Redis: the exact one, and the register's local window synced to it."""

import asyncio
from typing import Any

import pytest

from erkenning.core.errors import RateLimited
from erkenning.core.ratelimit import LocalWindow, RateLimiter
from erkenning.core.runtime import Runtime
from erkenning.devtools.embedded import free_port
from tests.helpers import offline_settings


async def test_limit_counts_per_subject_and_sets_retry_after(runtime: Runtime) -> None:
    limiter = runtime.limiter
    for i in range(3):
        assert await limiter.hit("t", "10.0.0.1", limit=3, window_s=60) == i + 1
    with pytest.raises(RateLimited) as refused:
        await limiter.hit("t", "10.0.0.1", limit=3, window_s=60)
    assert 1 <= refused.value.retry_after <= 60
    assert await limiter.hit("t", "10.0.0.2", limit=3, window_s=60) == 1  # another subject has its own count
    await limiter.reset("t", "10.0.0.1", 60)
    assert await limiter.hit("t", "10.0.0.1", limit=3, window_s=60) == 1


# ---------------------------------------------------------------- the register's local window, synced to Redis


def _processes(runtime: Runtime, n: int, **options: Any) -> list[LocalWindow]:
    """`n` limiters standing for `n` API processes: each its own local counts, one Redis between them."""
    return [LocalWindow(RateLimiter(runtime.queue.redis, runtime.limiter.namespace, 5.0), **options) for _ in range(n)]


async def _shared_count(runtime: Runtime, name: str, subject: str, window_s: int) -> int:
    return int(await runtime.queue.redis.get(runtime.limiter._key(name, subject, window_s)) or 0)


async def test_local_window_is_exact_near_a_small_limit_across_processes(runtime: Runtime) -> None:
    a, b = _processes(runtime, 2, sync_hits=32)
    try:
        admitted = 0
        refused: list[RateLimited] = []
        for i in range(10):  # a limit of 5 is within sync_hits: every hit is decided on Redis's total
            try:
                await (a if i % 2 else b).hit("reg", "203.0.113.9", limit=5, window_s=3600)
                admitted += 1
            except RateLimited as exc:
                refused.append(exc)
        assert admitted == 5 and len(refused) == 5
        assert all(1 <= r.retry_after <= 3600 for r in refused)
    finally:
        await a.close()
        await b.close()
    # Refusals count too, as RateLimiter's do (once past the limit by Redis's count, a process refuses without
    # asking again and adds them at its next sync).
    assert await _shared_count(runtime, "reg", "203.0.113.9", 3600) == 10


async def test_local_window_counts_far_from_the_limit_without_a_round_trip_per_hit(runtime: Runtime) -> None:
    a, b = _processes(runtime, 2, sync_hits=10, sync_s=60)  # no timer flush during the test
    try:
        for _ in range(25):
            await a.hit("reg", "198.51.100.1", limit=1000, window_s=3600)
        # Every 10th hit of a window adds that window's 10 to Redis; 5 are still local.
        assert await _shared_count(runtime, "reg", "198.51.100.1", 3600) == 20
        for _ in range(3):
            await b.hit("reg", "198.51.100.1", limit=1000, window_s=3600)
        await a.close()
        await b.close()  # closing adds what is still local
        assert await _shared_count(runtime, "reg", "198.51.100.1", 3600) == 28
    finally:
        await a.close()
        await b.close()


async def test_local_window_syncs_within_its_interval(runtime: Runtime) -> None:
    (a,) = _processes(runtime, 1, sync_hits=100, sync_s=0.02)
    try:
        await a.hit("reg", "198.51.100.2", limit=1000, window_s=3600)
        await a.hit("reg", "198.51.100.2", limit=1000, window_s=3600)
        assert await _shared_count(runtime, "reg", "198.51.100.2", 3600) == 0
        for _ in range(100):
            await asyncio.sleep(0.01)
            if await _shared_count(runtime, "reg", "198.51.100.2", 3600) == 2:
                break
        assert await _shared_count(runtime, "reg", "198.51.100.2", 3600) == 2
    finally:
        await a.close()


async def test_local_window_overshoot_across_processes_stays_within_its_bound(runtime: Runtime) -> None:
    """Two processes hitting one subject concurrently (eight callers each), a limit far above sync_hits:
    together they admit at most limit + processes × sync_hits. Near the limit a hit may be refused on a
    Redis total that already holds concurrent hits of its process still being decided, so a few fewer
    than the limit may get through, never more than sync_hits fewer."""
    sync_hits, limit = 8, 100
    processes = _processes(runtime, 2, sync_hits=sync_hits, sync_s=0.005)
    admitted = 0

    async def caller(limiter: LocalWindow) -> None:
        nonlocal admitted
        for _ in range(150):
            try:
                await limiter.hit("reg", "192.0.2.50", limit=limit, window_s=3600)
                admitted += 1
            except RateLimited:
                pass
            await asyncio.sleep(0)

    try:
        await asyncio.gather(*(caller(p) for p in processes for _ in range(8)))
        assert limit - sync_hits <= admitted <= limit + len(processes) * sync_hits
    finally:
        for p in processes:
            await p.close()
    assert await _shared_count(runtime, "reg", "192.0.2.50", 3600) == 2 * 8 * 150  # every hit reached Redis


async def test_local_window_lets_the_register_through_without_redis() -> None:
    broken = Runtime.create(offline_settings(redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    try:
        assert await broken.register_limiter.hit("reg", "x", limit=1, window_s=60) == 1
        assert await broken.register_limiter.hit("reg", "x", limit=1, window_s=60) == 2
    finally:
        await broken.close()


async def test_neither_limiter_keeps_a_client_address_in_clear(runtime: Runtime) -> None:
    """An IP address is personal data (GDPR art. 4(1)); Redis holds only its pseudonym (art. 4(5), 5(1)(c))."""
    address = "203.0.113.77"
    await runtime.limiter.hit("clear", address, limit=10, window_s=60)
    (local,) = _processes(runtime, 1, sync_hits=1, sync_s=0.01)
    try:
        await local.hit("clear-local", address, limit=10, window_s=60)
        for _ in range(100):  # near its limit of sync_hits, the local window adds the hit to Redis at once
            if await _shared_count(runtime, "clear-local", address, 60) == 1:
                break
            await asyncio.sleep(0.01)
    finally:
        await local.close()
    keys = [k.decode() async for k in runtime.queue.redis.scan_iter(match=f"{runtime.limiter.namespace}:rl:clear*")]
    assert len(keys) == 2
    assert [await runtime.queue.redis.get(k) for k in keys] == [b"1", b"1"]  # both counted there
    assert not any(address in key for key in keys)
