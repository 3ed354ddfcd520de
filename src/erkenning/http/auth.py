"""Bearer-token authentication: sets `scope["user"]` to a Caller, or None for an anonymous request."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from erkenning.core.auth import service
from erkenning.http import throttle


class TokenAuthMiddleware(AbstractAuthenticationMiddleware):
    """No Authorization header: anonymous (routers' guards decide). A bad one: 401 on every route, 429 once
    its address is past its failed attempts (`throttle`); a valid token is never refused for its address."""

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        header = connection.headers.get("authorization")
        if header is None:
            return AuthenticationResult(user=None, auth=None)
        runtime = connection.app.state.runtime
        address = connection.scope["state"].get("origin")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            await throttle.failed(runtime, address, reason="malformed_header", channel="api")
            raise NotAuthorizedException("Malformed Authorization header; expected 'Bearer <token>'")
        caller = await service.authenticate(runtime.engine, runtime.settings, token.strip())
        if caller is None:
            await throttle.failed(runtime, address, reason="unknown_revoked_or_expired", channel="api")
            raise NotAuthorizedException("Unknown, expired or revoked token")
        return AuthenticationResult(user=caller, auth=None)
