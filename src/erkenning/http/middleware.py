"""The outermost ASGI layer: request id, origin, security headers, request log and metrics.

It wraps Litestar's exception handling (see `app.ErkenningApp`), so it also sees 404s of unknown
routes and every error response.

It runs on every request, so it does only what each needs (issue 19: the public register's verify
runs at thousands a second): the request log (BIO 8.15) is written whenever LOG_LEVEL lets INFO through
and not even built when it does not (structlog would run its whole processor chain for a line the
standard library then drops); the request id reaches log lines through `core.context` (read by
`core.logging._add_context`), not a second structlog binding; a generated request id is a per-process
random prefix and a counter (unique, no system call per request).
"""

from __future__ import annotations

import ipaddress
import itertools
import logging
import os
import re
import secrets
import time
from typing import Any
from urllib.parse import urlsplit

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from erkenning.core import context, metrics
from erkenning.core.logging import get_logger

log = get_logger("erkenning.http")
_LOG = logging.getLogger("erkenning.http")  # the level check: the standard library caches it per logger


class _RequestIds:
    """32 hex characters like a uuid4's: 16 of a random prefix drawn per process, 16 of a counter."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.prefix = secrets.token_hex(8)
        self.counter = itertools.count()

    def next(self) -> str:
        return f"{self.prefix}{next(self.counter):016x}"


_IDS = _RequestIds()
os.register_at_fork(after_in_child=_IDS.reset)  # a forked worker must not repeat its parent's ids

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

_BASE_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
_CSP_API = b"default-src 'none'; frame-ancestors 'none'"
# The schema viewers (Swagger UI, ReDoc) load their scripts and styles from a CDN.
_CSP_DOCS = (
    b"default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://unpkg.com; "
    b"style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com https://unpkg.com; "
    b"font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https://cdn.jsdelivr.net; "
    b"worker-src 'self' blob:; frame-ancestors 'none'"
)
# Server-rendered pages: own scripts and styles only.
# `form-action` also names the OpenID provider where one is configured: signing out of single sign-on
# answers the sign-out form with a redirect to the provider, and browsers hold redirects to form-action.
_CSP_PAGES = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'{form_action}; frame-ancestors 'none'; base-uri 'none'"
)


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def pages_csp(form_action: list[str]) -> bytes:
    extra = "".join(f" {_origin_of(url)}" for url in form_action if url.startswith(("https://", "http://")))
    return _CSP_PAGES.format(form_action=extra).encode()


class RequestContextMiddleware:
    """Binds request id and origin for logs and audit; adds headers; logs and measures every request."""

    def __init__(
        self, app: ASGIApp, *, trusted_proxies: list[str], hsts: bool, form_action: list[str] | None = None
    ) -> None:
        self.app = app
        self.csp_pages = pages_csp(form_action or [])
        self.trusted = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]
        self.extra_headers = list(_BASE_HEADERS)
        if hsts:
            self.extra_headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))

    def _origin(self, scope: Scope, headers: dict[bytes, bytes]) -> str | None:
        client = scope.get("client")
        peer = client[0] if client else None
        forwarded = headers.get(b"x-forwarded-for")
        if peer and forwarded and self._is_trusted(peer):
            # Walk from the right, skipping our own proxies: the first untrusted hop is the client.
            for hop in reversed([h.strip() for h in forwarded.decode("latin-1").split(",")]):
                if hop and not self._is_trusted(hop):
                    return hop[:64]
        return peer

    def _csp_for(self, path: str) -> bytes:
        if path.startswith("/schema"):
            return _CSP_DOCS
        if path.startswith(("/api/", "/health", "/metrics")):
            return _CSP_API
        return self.csp_pages

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        supplied = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = supplied if supplied and _REQUEST_ID_RE.fullmatch(supplied) else _IDS.next()
        origin = self._origin(scope, headers)
        scope.setdefault("state", {})["request_id"] = request_id
        scope["state"]["origin"] = origin
        tokens = (
            context.request_id.set(request_id),
            context.origin.set(origin),
            context.request_state.set(scope["state"]),
        )
        path = scope["path"]
        csp = self._csp_for(path)
        status = 500
        started = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                raw: list[Any] = list(message.get("headers") or [])
                present = {k.lower() for k, _ in raw}
                raw.append((b"x-request-id", request_id.encode()))
                raw.extend(h for h in self.extra_headers if h[0] not in present)
                if b"content-security-policy" not in present:
                    raw.append((b"content-security-policy", csp))
                if b"cache-control" not in present and path.startswith("/api/"):
                    raw.append((b"cache-control", b"no-store"))
                message["headers"] = raw
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("path_template") or "unmatched"
            metrics.observe_request(scope["method"], route, status, elapsed)
            if _LOG.isEnabledFor(logging.INFO):
                # BIO 8.15: who (the authenticated principal, if any), besides what, result, origin and time.
                actor = getattr(scope.get("user"), "principal_id", None)
                log.info(
                    "http.request",
                    method=scope["method"],
                    route=route,
                    status=status,
                    actor=str(actor) if actor else None,
                    duration_ms=round(elapsed * 1000, 2),
                    # An anonymous reporter's address is not kept anywhere (see reports.controllers).
                    origin=None if scope["state"].get("withhold_origin") else origin,
                )
            context.request_id.reset(tokens[0])
            context.origin.reset(tokens[1])
            context.request_state.reset(tokens[2])
