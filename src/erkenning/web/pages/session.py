"""Signing in with a token, and signing out."""

from __future__ import annotations

import re
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from erkenning.core.auth import service as auth
from erkenning.core.errors import RateLimited
from erkenning.core.logging import get_logger
from erkenning.core.runtime import Runtime
from erkenning.http import throttle
from erkenning.http.dependencies import DbSession, RuntimeDep
from erkenning.web import csrf, sessions
from erkenning.web.forms import Field, Form
from erkenning.web.middleware import SESSION_COOKIE, SESSION_ID, web_cookie
from erkenning.web.rendering import caller_of, flash_message, page, redirect

log = get_logger(__name__)

SIGNED_OUT = flash_message("signed-out", "U bent uitgelogd.")

TOKEN_FIELD = Field(
    "token", "Toegangscode", kind="password", autocomplete="current-password",
    hint="U vindt de code in de e-mail of brief van SBB. Hij begint met erk_.",
    missing="Vul uw toegangscode in.",
)
FIELDS = (TOKEN_FIELD,)
Next = Annotated[str | None, QueryParameter(name="volgende", max_length=500)]


# A path on this site: one slash, then no slash or backslash; no whitespace or control characters
# anywhere (browsers drop tabs and newlines, which would turn `/<TAB>/evil.example` into `//evil…`).
_LOCAL_PATH = re.compile(r"/(?![/\\])[^\s\x00-\x1f\x7f\\]*")


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: the page asked for, if it is on this site; else the start page."""
    return target if target and _LOCAL_PATH.fullmatch(target) else "/"


class SignInController(Controller):
    path = "/"

    @get("/inloggen", name="sign_in")
    async def form(self, request: Request[Any, Any, Any], next_: Next = None) -> Template | Redirect:
        if caller_of(request) is not None:
            return redirect(request, _safe_next(next_))
        return page(request, "session/sign_in.html", title="Inloggen", form=Form(FIELDS), next=next_)

    @post("/inloggen")
    async def sign_in(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[dict[str, str]],
        session: DbSession,
        runtime: RuntimeDep,
        next_: Next = None,
    ) -> Template | Redirect:
        form = Form(FIELDS, {"token": data.get("token", "")})
        status = 422
        headers: dict[str, str] = {}
        address = request.scope["state"].get("origin")
        token = form.values["token"].strip()
        try:
            # A valid token always signs in; only failures count, and only they are refused past the limit.
            caller = await auth.authenticate(runtime.engine, runtime.settings, token) if token else None
            if caller is None:
                await _failed(runtime, address, "unknown_revoked_or_expired" if token else "missing")
        except RateLimited as exc:
            form.message = "U heeft te vaak geprobeerd in te loggen. Probeer het over een paar minuten opnieuw."
            status, headers = 429, {"Retry-After": str(exc.retry_after)}
        else:
            if caller is not None:
                started = await sessions.start(
                    session, runtime.settings, sessions.identity_from_token(caller),
                    replaces=request.scope["state"].get(SESSION_ID),
                )
                log.info("web.signed_in", session_id=str(started.row.id), principal_id=str(caller.principal_id))
                cookie = web_cookie(
                    runtime.settings, SESSION_COOKIE, started.key,
                    max_age=runtime.settings.web_session_absolute_hours * 3600,
                )
                return redirect(request, _safe_next(next_), cookies=[cookie])
            if not token:
                log.info("web.sign_in_failed", reason="missing")
            form.error("token", TOKEN_FIELD.missing_message() if not token else
                       "Deze toegangscode is onbekend, ingetrokken of verlopen. Controleer de code.")
        # Never send a token back to the browser, not even the one just typed.
        form.values["token"] = ""
        return page(
            request, "session/sign_in.html", title="Inloggen", status_code=status, headers=headers,
            form=form, next=next_,
        )

    @post("/uitloggen", opt={csrf.SKIP_WHEN_SIGNED_OUT: True})
    async def sign_out(self, request: Request[Any, Any, Any], session: DbSession, runtime: RuntimeDep) -> Redirect:
        caller = caller_of(request)
        session_id = request.scope["state"].get(SESSION_ID)
        if caller is not None and session_id is not None:
            await sessions.end(session, caller, session_id)
            log.info("web.signed_out", session_id=str(session_id))
        forget = web_cookie(runtime.settings, SESSION_COOKIE, max_age=0)
        return redirect(request, "/inloggen", flash=SIGNED_OUT, cookies=[forget])


async def _failed(runtime: Runtime, address: str | None, reason: str) -> None:
    """Count a failed sign-in per address: the form's own limit (an empty form counts too), then the
    failed authentications shared with the API (a wrong token only). RateLimited past either."""
    settings = runtime.settings
    try:
        # Tokens carry 256 random bits, so guessing is hopeless anyway: stay open if Redis is down.
        await runtime.limiter.hit(
            "web-sign-in", address or "unknown", limit=settings.web_signin_limit,
            window_s=settings.web_signin_window_s, fail_open=True,
        )
    finally:
        if reason != "missing":
            await throttle.failed(runtime, address, reason=reason, channel="web")
