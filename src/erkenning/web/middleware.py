"""Web-only authentication: the session cookie makes `scope["user"]` a Caller, as a bearer token does.

Mounted on the web router only, inside the app's bearer middleware: the JSON API never accepts the
cookie (so it needs no CSRF defence), and a page request with a valid bearer token keeps it.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.web import sessions

SESSION_COOKIE = "erk_session"
SESSION_ID = "web_session_id"  # key in scope["state"]: the signed-in session's row id
SESSION_ENDED = "web_session_ended"  # key in scope["state"]: the cookie's session has just ended


def web_cookie(settings: Settings, key: str, value: str = "", *, max_age: int | None = None) -> Cookie:
    """Every cookie of the web interface: HttpOnly, SameSite=Lax, Secure outside development.

    An empty value with max_age=0 deletes it; no max_age makes it last until the browser closes.
    """
    return Cookie(
        key=key, value=value, path="/", httponly=True, samesite="lax", secure=settings.cookie_secure, max_age=max_age
    )


class WebSessionMiddleware(ASGIMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        key = connection.cookies.get(SESSION_COOKIE)
        if key and scope.get("user") is None:
            runtime: Runtime = connection.app.state.runtime
            resumed = await sessions.resume(runtime.engine, runtime.settings, key)
            if resumed is not None:
                scope["user"] = resumed.caller
                scope["state"][SESSION_ID] = resumed.session_id
            else:
                scope["state"][SESSION_ENDED] = True
                send = _forget_cookie(send, runtime.settings)
        await next_app(scope, receive, send)


def _forget_cookie(send: Send, settings: Settings) -> Send:
    """Tell the browser to drop a cookie that no longer opens a session (unless the page sets a new one)."""
    header = web_cookie(settings, SESSION_COOKIE, max_age=0).to_encoded_header()
    prefix = f"{SESSION_COOKIE}=".encode()

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers") or [])
            if not any(k.lower() == b"set-cookie" and v.startswith(prefix) for k, v in headers):
                headers.append(header)
            message["headers"] = headers
        await send(message)

    return wrapped
