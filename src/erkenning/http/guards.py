"""Role guards and the dependency that hands a handler its authenticated caller."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from erkenning.core.caller import Caller, Role

# A guard as Litestar calls it, a coroutine function: typed so (a plain `Guard` may be either kind), mypy
# reports a call to it left unawaited (`unused-coroutine`), which would check nothing.
AsyncGuard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Coroutine[Any, Any, None]]


def current_caller(connection: ASGIConnection[Any, Any, Any, Any]) -> Caller | None:
    caller: Caller | None = connection.scope.get("user")
    return caller


def requires(*roles: Role) -> AsyncGuard:
    """Allow only callers holding one of `roles`: no token → 401, another role → 403.

    The guard is a coroutine function although it awaits nothing: Litestar runs a plain function guard in
    its thread pool (`ensure_async_callable`), a hand-off to a thread and back on every guarded request;
    in a profile of the register's batch (issue 19) the hand-off showed as waits for the GIL under load. A
    guard that calls it must await it: typed as a coroutine function, mypy reports a call left unawaited."""
    allowed = frozenset(roles)
    names = ", ".join(sorted(r.value for r in allowed))

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        caller = current_caller(connection)
        if caller is None:
            raise NotAuthorizedException("This route needs a bearer token")
        if caller.role not in allowed:
            raise PermissionDeniedException(f"This route is for role(s): {names}")

    guard.__name__ = f"requires_{'_or_'.join(sorted(r.value for r in allowed))}"
    return guard


async def provide_caller(request: Request[Any, Any, Any]) -> Caller:
    caller = current_caller(request)
    if caller is None:
        raise NotAuthorizedException("This route needs a bearer token")
    return caller


async def provide_optional_caller(request: Request[Any, Any, Any]) -> Caller | None:
    return current_caller(request)
