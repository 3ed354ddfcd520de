"""Signing in and out: single sign-on for SBB staff, a one-time e-mail link for companies and schools, and,
where WEB_TOKEN_SIGNIN allows it (development, tests), an API token pasted into a form."""

from __future__ import annotations

import re
import secrets
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from erkenning.core.auth import oidc
from erkenning.core.auth import service as auth
from erkenning.core.auth.oidc import SignInRefused
from erkenning.core.auth.staff_sign_in import StaffSignInService
from erkenning.core.errors import NotFound, RateLimited
from erkenning.core.logging import get_logger
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.http import throttle
from erkenning.http.dependencies import DbSession, RuntimeDep
from erkenning.web import csrf, sessions
from erkenning.web.forms import Field, Form
from erkenning.web.middleware import SESSION_COOKIE, SESSION_ID, web_cookie
from erkenning.web.rendering import caller_of, flash_message, page, redirect

log = get_logger(__name__)

SIGNED_OUT = flash_message("signed-out", "U bent uitgelogd.")
# A random value in the browser that starts a sign-in (at the provider, or by asking for a link): the sign-in
# only finishes in a browser that holds it (its SHA-256 is stored with the started sign-in or the link).
BROWSER_COOKIE = "erk_browser"
CALLBACK = "/inloggen/sso/terug"

TOKEN_FIELD = Field(
    "token", "Toegangscode", kind="password", autocomplete="current-password",
    hint="Alleen in test- en ontwikkelomgevingen: een API-token van SBB. Hij begint met erk_.",
    missing="Vul uw toegangscode in.",
)
FIELDS = (TOKEN_FIELD,)
EMAIL_FIELD = Field(
    "email", "E-mailadres", kind="email", autocomplete="email", width="l",
    hint="Het adres waarmee u bij SBB bekend bent als contactpersoon van uw bedrijf of school.",
    missing="Vul uw e-mailadres in.",
)
LINK_FIELDS = (EMAIL_FIELD,)
Next = Annotated[str | None, QueryParameter(name="volgende", max_length=500)]

# Why a staff sign-in was refused, as the person is told (the audit row holds the exact reason).
_REFUSED = {
    "unmapped_role": (
        "Uw account heeft geen rol in erkenning",
        "U bent bij SBB ingelogd, maar uw account heeft geen rol in deze applicatie (adviseur, senior adviseur of "
        "beheerder). Vraag de beheerder van erkenning om u de juiste rol te geven.",
    ),
    "principal_inactive": (
        "Uw account is uitgeschakeld",
        "Uw account in erkenning is uitgeschakeld. Neem contact op met de beheerder van erkenning.",
    ),
}
_REFUSED_DEFAULT = (
    "Inloggen is niet gelukt",
    "Het inloggen bij SBB kon niet worden afgerond: de aanvraag was verlopen, al gebruikt, kwam uit een andere "
    "browser, of het antwoord van de inlogdienst klopte niet. Probeer het opnieuw.",
)

# A path on this site: one slash, then no slash or backslash; no whitespace or control characters
# anywhere (browsers drop tabs and newlines, which would turn `/<TAB>/evil.example` into `//evil…`).
_LOCAL_PATH = re.compile(r"/(?![/\\])[^\s\x00-\x1f\x7f\\]*")


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: the page asked for, if it is on this site; else the start page."""
    return target if target and _LOCAL_PATH.fullmatch(target) else "/"


def browser_key(request: Request[Any, Any, Any]) -> tuple[str, list[Cookie]]:
    """This browser's sign-in binding, and the cookie to set when it had none (until the browser closes)."""
    key = request.cookies.get(BROWSER_COOKIE)
    if key and 20 <= len(key) <= 100:
        return key, []
    key = secrets.token_urlsafe(32)
    return key, [web_cookie(request.app.state.runtime.settings, BROWSER_COOKIE, key)]


def session_cookie(settings: Settings, started: sessions.Started) -> Cookie:
    return web_cookie(settings, SESSION_COOKIE, started.key, max_age=settings.web_session_absolute_hours * 3600)


def sign_in_page(
    request: Request[Any, Any, Any], *, status_code: int = 200, headers: dict[str, str] | None = None,
    form: Form | None = None, link_form: Form | None = None, next_: str | None = None,
) -> Template:
    """The sign-in page: each way in that the settings offer."""
    settings: Settings = request.app.state.runtime.settings
    return page(
        request, "session/sign_in.html", title="Inloggen", status_code=status_code, headers=headers or {},
        form=form or Form(FIELDS), link_form=link_form or Form(LINK_FIELDS), next=next_,
        sso=settings.oidc_enabled, token_sign_in=settings.web_token_signin,
    )


class SignInController(Controller):
    path = "/"

    @get("/inloggen", name="sign_in")
    async def form(self, request: Request[Any, Any, Any], next_: Next = None) -> Template | Redirect:
        if caller_of(request) is not None:
            return redirect(request, _safe_next(next_))
        return sign_in_page(request, next_=next_)

    @post("/inloggen")
    async def sign_in(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[dict[str, str]],
        session: DbSession,
        runtime: RuntimeDep,
        next_: Next = None,
    ) -> Template | Redirect:
        """Sign in with an API token: only where WEB_TOKEN_SIGNIN allows it (never in production by default)."""
        form = Form(FIELDS, {"token": data.get("token", "")})
        if not runtime.settings.web_token_signin:
            form.message = (
                "Inloggen met een toegangscode is hier niet mogelijk. Log in met uw SBB-account of een inloglink."
            )
            form.values["token"] = ""
            return sign_in_page(request, status_code=403, form=form, next_=next_)
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
                return redirect(request, _safe_next(next_), cookies=[session_cookie(runtime.settings, started)])
            if not token:
                log.info("web.sign_in_failed", reason="missing")
            form.error("token", TOKEN_FIELD.missing_message() if not token else
                       "Deze toegangscode is onbekend, ingetrokken of verlopen. Controleer de code.")
        # Never send a token back to the browser, not even the one just typed.
        form.values["token"] = ""
        return sign_in_page(request, status_code=status, headers=headers, form=form, next_=next_)

    @get("/inloggen/sso")
    async def start_sso(
        self, request: Request[Any, Any, Any], staff_sign_in: NamedDependency[StaffSignInService],
        runtime: RuntimeDep, next_: Next = None,
    ) -> Template | Redirect:
        """Staff: on to the organisation's OpenID provider (authorisation code flow with PKCE)."""
        settings = runtime.settings
        if not settings.oidc_enabled:
            raise NotFound("Single sign-on is not configured")
        key, cookies = browser_key(request)
        try:
            url = await staff_sign_in.begin(key, _safe_next(next_), _callback(settings))
        except SignInRefused as refused:
            log.warning("oidc.unavailable", reason=refused.reason)
            return page(request, "session/refused.html", title="Inloggen niet mogelijk", status_code=503,
                        heading="Inloggen met uw SBB-account lukt nu niet",
                        text="De inlogdienst van SBB is niet bereikbaar. Probeer het over een paar minuten opnieuw.")
        return Redirect(url, status_code=303, cookies=cookies)

    @get(CALLBACK)
    async def finish_sso(
        self,
        request: Request[Any, Any, Any],
        session: DbSession,
        staff_sign_in: NamedDependency[StaffSignInService],
        runtime: RuntimeDep,
        state_: Annotated[str | None, QueryParameter(name="state", max_length=200)] = None,
        code: Annotated[str | None, QueryParameter(max_length=2048)] = None,
        error: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> Template | Redirect:
        """The provider sends the browser back here with a code (or an error); refusals are audited."""
        settings = runtime.settings
        if not settings.oidc_enabled:
            raise NotFound("Single sign-on is not configured")
        try:
            principal, next_path = await staff_sign_in.finish(
                state=state_, code=code, error=error, browser_key=request.cookies.get(BROWSER_COOKIE),
                redirect_uri=_callback(settings),
            )
        except SignInRefused as refused:
            heading, text = _REFUSED.get(refused.reason, _REFUSED_DEFAULT)
            return page(request, "session/refused.html", title=heading, status_code=403, heading=heading, text=text,
                        again=True)
        started = await sessions.start(
            session, settings, sessions.ProvenIdentity(principal.id, sessions.SignInMethod.OIDC),
            replaces=request.scope["state"].get(SESSION_ID),
        )
        log.info("web.signed_in", session_id=str(started.row.id), principal_id=str(principal.id), method="oidc")
        return redirect(request, _safe_next(next_path), cookies=[session_cookie(settings, started)])

    @post("/uitloggen", opt={csrf.SKIP_WHEN_SIGNED_OUT: True})
    async def sign_out(self, request: Request[Any, Any, Any], session: DbSession, runtime: RuntimeDep) -> Redirect:
        """End the session here; for single sign-on, also at the provider where it offers that."""
        caller = caller_of(request)
        session_id = request.scope["state"].get(SESSION_ID)
        method = None
        if caller is not None and session_id is not None:
            method = await sessions.end(session, caller, session_id)
            log.info("web.signed_out", session_id=str(session_id))
        forget = web_cookie(runtime.settings, SESSION_COOKIE, max_age=0)
        if method is sessions.SignInMethod.OIDC and runtime.settings.oidc_enabled:
            target = await _provider_logout(runtime.settings)
            if target is not None:
                return Redirect(target, status_code=303, cookies=[forget])
        return redirect(request, "/inloggen", flash=SIGNED_OUT, cookies=[forget])


def _callback(settings: Settings) -> str:
    return f"{settings.public_base_url.rstrip('/')}{CALLBACK}"


async def _provider_logout(settings: Settings) -> str | None:
    """The provider's end-session address (RP-Initiated Logout), back to our sign-in page; None if none."""
    try:
        info = await oidc.provider(settings)
    except SignInRefused:
        return None
    return oidc.logout_url(settings, info, f"{settings.public_base_url.rstrip('/')}/inloggen")


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
