"""Companies and schools sign in with a one-time link sent to a contact's e-mail address.

Asking for a link answers the same whether the address is known or not, and is limited per address and per
client. Opening the link shows a button (a mail scanner that fetches links must not spend it); pressing it
signs in once, within the link's lifetime, in the browser that asked for it.
"""

from __future__ import annotations

from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter, URLEncodedBody
from litestar.response import Redirect, Template

from erkenning.core.auth.contacts import normalise
from erkenning.core.auth.links import LinkRefused, SignInLinkService
from erkenning.core.errors import RateLimited
from erkenning.core.logging import get_logger
from erkenning.core.runtime import Runtime
from erkenning.http.dependencies import DbSession, RuntimeDep
from erkenning.web import sessions
from erkenning.web.forms import Form
from erkenning.web.middleware import SESSION_ID
from erkenning.web.pages.session import (
    BROWSER_COOKIE,
    LINK_FIELDS,
    browser_key,
    session_cookie,
    sign_in_page,
)
from erkenning.web.rendering import page, redirect

log = get_logger(__name__)

Code = Annotated[str, PathParameter(max_length=100)]
Links = NamedDependency[SignInLinkService]

_REFUSED = {
    "other_browser": "Deze link werkt alleen in de browser waarin u hem heeft aangevraagd. Open de link daar, of "
    "vraag hier een nieuwe aan.",
    "used": "Deze link is al gebruikt. Een inloglink werkt één keer. Vraag een nieuwe aan.",
    "expired": "Deze link is verlopen. Vraag een nieuwe aan.",
}
_REFUSED_DEFAULT = "Deze link is onbekend of werkt niet meer. Vraag een nieuwe aan."


def _valid_address(value: str) -> bool:
    if not value or len(value) > 254:
        return False
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


async def _limit(runtime: Runtime, address: str | None, email: str) -> None:
    """Per client, then per e-mail address; without Redis refused (503): a mail bomb must not run unlimited."""
    settings = runtime.settings
    window = settings.sign_in_link_window_s
    await runtime.limiter.hit(
        "sign-in-link-client", address or "unknown", limit=settings.sign_in_link_client_limit, window_s=window,
        fail_open=False,
    )
    await runtime.limiter.hit(
        "sign-in-link-address", email, limit=settings.sign_in_link_address_limit, window_s=window, fail_open=False
    )


def _refused(request: Request[Any, Any, Any], reason: str) -> Template:
    return page(
        request, "session/refused.html", title="Inloglink werkt niet", status_code=410 if reason != "unknown" else 404,
        heading="Deze inloglink werkt niet", text=_REFUSED.get(reason, _REFUSED_DEFAULT), again=True,
    )


class SignInLinkPages(Controller):
    path = "/inloggen/link"

    @post("/")
    async def ask(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]], sign_in_links: Links,
        runtime: RuntimeDep,
    ) -> Template:
        """Send a sign-in link if the address is a contact's; the page says the same either way."""
        form = Form(LINK_FIELDS, {"email": data.get("email", "")})
        email = normalise(form.values["email"])
        if not email:
            form.error("email", "Vul uw e-mailadres in.")
        elif not _valid_address(email):
            form.error("email", "Vul een e-mailadres in zoals naam@voorbeeld.nl.")
        if form.has_errors:
            return sign_in_page(request, status_code=422, link_form=form)
        try:
            await _limit(runtime, request.scope["state"].get("origin"), email)
        except RateLimited as exc:
            form.message = "Er is te vaak een inloglink gevraagd. Probeer het later opnieuw."
            return sign_in_page(request, status_code=429, headers={"Retry-After": str(exc.retry_after)},
                                link_form=form)
        key, cookies = browser_key(request)
        await sign_in_links.request(email, key)
        response = page(request, "session/link_sent.html", title="Kijk in uw e-mail",
                        minutes=runtime.settings.sign_in_link_minutes)
        response.cookies.extend(cookies)
        return response

    @get("/{code:str}")
    async def open_link(self, request: Request[Any, Any, Any], code: Code, sign_in_links: Links) -> Template:
        """The link from the e-mail: a button that signs in (nothing is spent by opening the page)."""
        try:
            await sign_in_links.check(code, request.cookies.get(BROWSER_COOKIE))
        except LinkRefused as refused:
            return _refused(request, refused.reason)
        return page(request, "session/link_open.html", title="Inloggen", code=code)

    @post("/{code:str}")
    async def use_link(
        self, request: Request[Any, Any, Any], code: Code, session: DbSession, sign_in_links: Links,
        runtime: RuntimeDep,
    ) -> Template | Redirect:
        try:
            principal_id = await sign_in_links.use(code, request.cookies.get(BROWSER_COOKIE))
        except LinkRefused as refused:
            return _refused(request, refused.reason)
        started = await sessions.start(
            session, runtime.settings, sessions.ProvenIdentity(principal_id, sessions.SignInMethod.EMAIL_LINK),
            replaces=request.scope["state"].get(SESSION_ID),
        )
        log.info("web.signed_in", session_id=str(started.row.id), principal_id=str(principal_id), method="email_link")
        return redirect(request, "/", cookies=[session_cookie(runtime.settings, started)])
