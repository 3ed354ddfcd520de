"""Request-scoped dependencies: one transaction per request, committed before the response is sent.

Litestar closes generator dependencies after the handler's return value has been turned into a
response object but before a byte is sent, so a 2xx always means "committed". Events added to the
outbox are enqueued after the commit.

Services are injected too: a domain declares its providers once, in its controllers,

    PROVIDERS = {"investigations": provide(InvestigationService)}

a controller (`dependencies = PROVIDERS`) or the router of the pages takes that mapping, and a handler
asks for `investigations: NamedDependency[InvestigationService]`. The service is built on the
request's own session, so it shares the request's transaction.

Besides the session, `settings` and `runtime`, a service's `__init__` may ask for `letters`: the letter
renderer, which lives above the domains, so the app provides it under that name (a domain declares the
protocol it expects, e.g. `erkenning.recognition.dispatch.LetterRenderer`).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from typing import Any, TypeVar

from litestar import Request, Response
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.serialization import get_serializer
from litestar.status_codes import HTTP_200_OK
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import context
from erkenning.core.caller import Caller
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.http import idempotency
from erkenning.http.guards import provide_caller, provide_optional_caller

_IDEM_ROW = "idempotency_row"
_SESSION = "db_session"


async def provide_session(request: Request[Any, Any, Any]) -> AsyncGenerator[AsyncSession, None]:
    runtime: Runtime = request.app.state.runtime
    async with runtime.session_factory() as session:
        request.scope["state"][_SESSION] = session
        try:
            await _claim_idempotency_key(request, session)
            yield session
        except BaseException:
            await session.rollback()
            raise
        await session.commit()
    await runtime.after_commit(session)


async def _claim_idempotency_key(request: Request[Any, Any, Any], session: AsyncSession) -> None:
    raw = request.headers.get(idempotency.HEADER)
    caller = request.scope.get("user")
    # Keys are per principal; anonymous callers have no identity to bind a key to.
    if raw is None or request.method != "POST" or caller is None or caller.principal_id is None:
        return
    key = idempotency.validate_key(raw)
    fp = idempotency.fingerprint(request.method, request.url.path, await request.body())
    request.scope["state"][_IDEM_ROW] = await idempotency.begin(session, caller.principal_id, key, fp)


async def store_idempotent_response(response: Response[Any]) -> Response[Any]:
    """after_request hook: keep a keyed POST's answer in its transaction, so a retry gets the same."""
    state = context.request_state.get()
    if state is None:
        return response
    row_id = state.pop(_IDEM_ROW, None)
    if row_id is None:
        return response
    session: AsyncSession = state[_SESSION]
    status_code = response.status_code or HTTP_200_OK  # as Response itself defaults it
    if not 200 <= status_code < 300:
        await idempotency.release(session, row_id)
        return response
    media_type = str(response.media_type)
    body = response.render(response.content, media_type, get_serializer(response.response_type_encoders))
    await idempotency.store(session, row_id, status_code, media_type, body)
    return Response(
        content=body,
        status_code=status_code,
        media_type=media_type,
        headers=response.headers,
        cookies=response.cookies,
        background=response.background,
    )


async def provide_runtime(state: State) -> Runtime:
    runtime: Runtime = state.runtime
    return runtime


async def provide_settings(state: State) -> Settings:
    settings: Settings = state.runtime.settings
    return settings


# Explicit markers for handler parameters (Litestar 3 drops inferred dependencies).
DbSession = NamedDependency[AsyncSession]
CurrentCaller = NamedDependency[Caller]
OptionalCaller = NamedDependency[Caller | None]
RuntimeDep = NamedDependency[Runtime]
SettingsDep = NamedDependency[Settings]
LettersDep = NamedDependency[Any]  # the renderer's type lives above the domains

# What a service's __init__ may ask for, by parameter name, and the dependency that gives it (`letters`:
# provided by the app, from the layer above the domains).
_INJECTABLE: dict[str, Any] = {
    "session": DbSession, "settings": SettingsDep, "runtime": RuntimeDep, "letters": LettersDep,
}

T = TypeVar("T")


def provide(service: Callable[..., T]) -> Provide:
    """A provider that builds `service` per request from the request's `session` (never a session of
    its own: one transaction per request), passing `settings`, `runtime` and `letters` when its `__init__`
    has a parameter of that name."""
    names = list(inspect.signature(service).parameters)
    unknown = [name for name in names if name not in _INJECTABLE]
    if "session" not in names or unknown:
        raise TypeError(f"{service!r} must take a session and only {sorted(_INJECTABLE)}, not {unknown}")

    label = f"provide_{getattr(service, '__name__', 'service')}"
    return Provide(_taking(service, label, {name: _INJECTABLE[name] for name in names}, service))


def provide_calling(load: Callable[..., Awaitable[T]], names: Iterable[str]) -> Provide:
    """A provider that awaits `load` with the dependencies it names (as a handler names them: the session,
    the caller, settings, runtime, or a service of a `provide` mapping in reach)."""
    marked = NamedDependency[Any]
    parameters = {name: marked for name in dict.fromkeys(names)}
    return Provide(_taking(load, f"provide_{load.__name__}", parameters, Any))


def _taking(fn: Callable[..., Any], name: str, parameters: dict[str, Any], returns: Any) -> Callable[..., Any]:
    """`fn(**kwargs)` presented as a function of these keyword parameters: Litestar reads a provider's
    parameters (and their markers) to know what to inject into it."""

    async def call(**given: Any) -> Any:
        result = fn(**given)
        return await result if inspect.isawaitable(result) else result

    call.__signature__ = inspect.Signature(  # type: ignore[attr-defined]  # Litestar reads it; mypy can't see it
        [inspect.Parameter(p, inspect.Parameter.KEYWORD_ONLY, annotation=a) for p, a in parameters.items()],
        return_annotation=returns,
    )
    call.__annotations__ = {**parameters, "return": returns}
    call.__name__ = call.__qualname__ = name
    return call


DEPENDENCIES: dict[str, Provide] = {
    "session": Provide(provide_session),
    "caller": Provide(provide_caller),
    "optional_caller": Provide(provide_optional_caller),
    "runtime": Provide(provide_runtime),
    "settings": Provide(provide_settings),
}
