"""Failed authentication per client address: counted in Redis, refused with 429 past the limit.

Shared by the API's bearer tokens and the web sign-in form, so guessing on one counts on the other.
A request from an address over the limit is refused before its token is even looked at. Redis down:
open (tokens carry 256 random bits, so the limit is anti-automation, not the defence itself).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from erkenning.core.logging import get_logger

if TYPE_CHECKING:
    from erkenning.core.runtime import Runtime

log = get_logger(__name__)

LIMITER = "auth-failed"


async def refuse_if_blocked(runtime: Runtime, address: str | None) -> None:
    """RateLimited when this address has used up its failed attempts in the current window."""
    settings = runtime.settings
    if settings.auth_failure_limit:
        await runtime.limiter.check(
            LIMITER, address or "unknown", limit=settings.auth_failure_limit, window_s=settings.auth_failure_window_s
        )


async def failed(runtime: Runtime, address: str | None, *, reason: str, channel: str) -> None:
    """Log `auth.failed` (never the token) and count it; RateLimited if this attempt crossed the limit."""
    log.info("auth.failed", reason=reason, channel=channel, origin=address)
    settings = runtime.settings
    if settings.auth_failure_limit:
        await runtime.limiter.hit(
            LIMITER, address or "unknown", limit=settings.auth_failure_limit,
            window_s=settings.auth_failure_window_s, fail_open=True,
        )
