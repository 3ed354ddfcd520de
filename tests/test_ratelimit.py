import pytest

from erkenning.core.errors import RateLimited
from erkenning.core.runtime import Runtime


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
