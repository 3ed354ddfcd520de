"""CSRF: a synchroniser token in every form, bound to the session (or, before sign-in, to a cookie).

The token is HMAC(SESSION_SECRET, session id): nothing to store, different for every session, and
useless once the session ends. Before sign-in (the sign-in form itself) it is bound to a random
HttpOnly cookie instead, so a foreign site cannot sign a browser in either. Every POST, PUT, PATCH
and DELETE to a page must carry it, in the form field `_csrf` or the header `X-CSRF-Token`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie

from erkenning.core.errors import Forbidden
from erkenning.core.runtime import Runtime
from erkenning.web.middleware import SESSION_ID, web_cookie

FIELD = "_csrf"
HEADER = "x-csrf-token"
ANONYMOUS_COOKIE = "erk_csrf"
_NEW_ANONYMOUS = "csrf_new_anonymous"  # key in scope["state"]: a binding cookie to set on this response
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Route handlers that set opt={SKIP_WHEN_SIGNED_OUT: True} need no token from a visitor without a
# session (signing out when already signed out changes nothing).
SKIP_WHEN_SIGNED_OUT = "csrf_skip_when_signed_out"


class CsrfRefused(Forbidden):
    type = "csrf-refused"
    title = "Form token missing or invalid"


def _sign(request: Request[Any, Any, Any], binding: str) -> str:
    runtime: Runtime = request.app.state.runtime
    secret = runtime.settings.session_secret.get_secret_value().encode()
    return hmac.new(secret, f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()


def _binding(request: Request[Any, Any, Any], *, create: bool) -> str | None:
    session_id = request.scope["state"].get(SESSION_ID)
    if session_id is not None:
        return f"session:{session_id}"
    anonymous = request.cookies.get(ANONYMOUS_COOKIE) or request.scope["state"].get(_NEW_ANONYMOUS)
    if not anonymous and create:
        anonymous = request.scope["state"][_NEW_ANONYMOUS] = secrets.token_urlsafe(32)
    return f"anonymous:{anonymous}" if anonymous else None


def token_for(request: Request[Any, Any, Any]) -> str:
    """The token for forms on this page (creates the pre-sign-in binding cookie when needed)."""
    binding = _binding(request, create=True)
    assert binding is not None
    return _sign(request, binding)


def cookies_to_set(request: Request[Any, Any, Any]) -> list[Cookie]:
    """The binding cookie, if `token_for` made one during this request."""
    value = request.scope["state"].get(_NEW_ANONYMOUS)
    if not value:
        return []
    runtime: Runtime = request.app.state.runtime
    return [web_cookie(runtime.settings, ANONYMOUS_COOKIE, value)]


async def check(request: Request[Any, Any, Any]) -> None:
    """before_request hook of the web router: refuse an unsafe request without the right token."""
    if request.method not in _UNSAFE:
        return
    if request.route_handler.opt.get(SKIP_WHEN_SIGNED_OUT) and request.scope["state"].get(SESSION_ID) is None:
        return
    given = request.headers.get(HEADER)
    if given is None and request.content_type[0] in ("application/x-www-form-urlencoded", "multipart/form-data"):
        given = (await request.form()).get(FIELD)
    binding = _binding(request, create=False)
    if not isinstance(given, str) or binding is None or not hmac.compare_digest(given, _sign(request, binding)):
        raise CsrfRefused("This form was not sent from this site, or it has expired")
