"""Failed authentication per client address: counted in Redis, refused with 429 past the limit.

Shared by the API's bearer tokens and the web sign-in form, so guessing on one counts on the other.
Only failures count, and only a failing attempt is ever refused: a request whose token is valid is
answered whatever its address sent before, so nobody can lock out the users behind a shared address
(a school's NAT, a proxy) by sending junk from it. Tokens carry 256 random bits, so guessing one is
hopeless anyway; the limit keeps automated junk cheap (past it: 429, no log line). Redis down: open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from erkenning.core.logging import get_logger

if TYPE_CHECKING:
    from erkenning.core.runtime import Runtime

log = get_logger(__name__)

LIMITER = "auth-failed"


async def failed(runtime: Runtime, address: str | None, *, reason: str, channel: str) -> None:
    """Count one failed attempt of this address; RateLimited (429) once it is past the limit, else log
    `auth.failed` (never the token) and return, so the caller answers 401 (or the form's error)."""
    settings = runtime.settings
    if settings.auth_failure_limit:
        # Raises past the limit: the refused attempts are not logged one by one (the request line has them).
        await runtime.limiter.hit(
            LIMITER, address or "unknown", limit=settings.auth_failure_limit,
            window_s=settings.auth_failure_window_s, fail_open=True,
        )
    log.info("auth.failed", reason=reason, channel=channel, origin=address)
