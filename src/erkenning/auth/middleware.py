"""Bearer-token authentication: sets `scope["user"]` to a Caller, or None for an anonymous request."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from erkenning.auth import service
from erkenning.logging import get_logger

log = get_logger(__name__)


class TokenAuthMiddleware(AbstractAuthenticationMiddleware):
    """No Authorization header: anonymous (routers' guards decide). A bad one: 401 on every route."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        header = connection.headers.get("authorization")
        if header is None:
            return AuthenticationResult(user=None, auth=None)
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            log.info("auth.failed", reason="malformed_header")
            raise NotAuthorizedException("Malformed Authorization header; expected 'Bearer <token>'")
        runtime = connection.app.state.runtime
        caller = await service.authenticate(runtime.engine, runtime.settings, token.strip())
        if caller is None:
            log.info("auth.failed", reason="unknown_revoked_or_expired")
            raise NotAuthorizedException("Unknown, expired or revoked token")
        return AuthenticationResult(user=caller, auth=None)
