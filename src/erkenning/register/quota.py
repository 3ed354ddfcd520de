"""Rate limits of the register: anonymous callers per client address, school tokens per principal.

Run as `before_request` hooks, so a request is counted before its input is parsed (a malformed
request costs its caller too), without the handler copy Litestar makes for every guard call.
Limits come from the settings (`REGISTER_*_LIMIT` per `REGISTER_*_WINDOW_S`; 0 switches a limit
off). When Redis is down the register stays open: it is a read-only, public service.

The two budgets are counted by `runtime.register_limiter` (`core.ratelimit.LocalWindow`: counted in the
process, synced to the shared Redis window every few hits or milliseconds, exact near the limit); the
batches' own budget is small (30 a minute) and stays on the exact limiter. The fast verify path
(`register.fast`) counts the anonymous budget itself and leaves its outcome in the scope's state for
`register_quota` when it hands the request on to the route, so no request is counted twice.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from erkenning.core.caller import Caller, Role
from erkenning.core.runtime import Runtime

COUNTED = "register_quota_counted"


async def count(runtime: Runtime, caller: Caller | None, origin: str | None) -> None:
    """Count one register request against its caller's budget: a school token's, else its address's."""
    settings = runtime.settings
    if caller is not None and caller.role is Role.SCHOOL:
        name, subject = "register-school", str(caller.principal_id)
        limit, window = settings.register_school_limit, settings.register_school_window_s
    else:
        name, subject = "register-anon", origin or "unknown"
        limit, window = settings.register_anon_limit, settings.register_anon_window_s
    if limit > 0:
        await runtime.register_limiter.hit(name, subject, limit=limit, window_s=window)


async def register_quota(request: ASGIConnection[Any, Any, Any, Any]) -> None:
    counted = request.scope["state"].pop(COUNTED, None)
    if counted is not None:
        if isinstance(counted, Exception):
            raise counted
        return
    await count(request.app.state.runtime, request.scope.get("user"), request.scope["state"].get("origin"))


async def batch_quota(request: ASGIConnection[Any, Any, Any, Any]) -> None:
    """A batch counts as a request, and against a budget of batches of its own (each is up to 1,000 lookups)."""
    await register_quota(request)
    runtime: Runtime = request.app.state.runtime
    settings = runtime.settings
    caller = request.scope.get("user")
    if caller is not None and settings.register_batch_limit > 0:
        await runtime.limiter.hit(
            "register-batch", str(caller.principal_id),
            limit=settings.register_batch_limit, window_s=settings.register_batch_window_s,
        )
