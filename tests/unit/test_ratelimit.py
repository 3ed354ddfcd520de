"""The rate limiter when Redis cannot be reached: open or closed, as the caller asks."""

import pytest

from erkenning.core.errors import ServiceUnavailable
from erkenning.core.runtime import Runtime
from erkenning.devtools.embedded import free_port
from tests.helpers import offline_settings


async def test_without_redis_open_or_closed_as_asked() -> None:
    broken = Runtime.create(offline_settings(redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    try:
        assert await broken.limiter.hit("t", "x", limit=1, window_s=60) == 0
        with pytest.raises(ServiceUnavailable):
            await broken.limiter.hit("t", "x", limit=1, window_s=60, fail_open=False)
    finally:
        await broken.close()
