"""Errors on pages are Dutch HTML pages; everywhere else they stay problem+json.

The one exception handler of the app: it lets `http.problems.exception_to_response` decide what an error
means (status, logging), then, for a page, renders that status as a page. No stack trace or
internal detail reaches either.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response

from erkenning.core import context
from erkenning.http.problems import exception_to_response
from erkenning.web.csrf import CsrfRefused
from erkenning.web.middleware import SESSION_ENDED
from erkenning.web.rendering import flash_message, page, redirect

_NOT_PAGES = ("/api/", "/schema", "/health", "/metrics")
PAGE_OPT = "web_page"  # in a route handler's opt: its errors are pages
SIGN_IN = "/inloggen"
ENDED = flash_message("session-ended", "Uw sessie is verlopen of beëindigd. Log opnieuw in.", tone="info")

# (title, explanation) per status; the explanation says what the person can do now.
_PAGES: dict[int, tuple[str, str]] = {
    400: ("Verzoek niet begrepen", "Het verzoek was niet volledig of niet juist. Ga terug en probeer het opnieuw."),
    403: ("Geen toegang", "U heeft geen toegang tot deze pagina. Denkt u dat dit niet klopt? Neem contact op met SBB."),
    404: ("Pagina niet gevonden", "Deze pagina bestaat niet (meer). Controleer het adres of ga naar de startpagina."),
    405: ("Dit kan hier niet", "Deze handeling is op deze pagina niet mogelijk."),
    409: ("Gegevens gewijzigd", "Iemand anders heeft deze gegevens intussen gewijzigd. Laad de pagina opnieuw."),
    413: ("Te groot", "Wat u verstuurde is te groot. Verstuur minder tegelijk."),
    429: ("Te veel verzoeken", "U heeft te veel verzoeken achter elkaar gedaan. Wacht even en probeer het opnieuw."),
    500: ("Er ging iets mis", "Er ging bij ons iets mis. Probeer het later opnieuw."),
    503: ("Tijdelijk niet beschikbaar",
          "De dienst is tijdelijk niet beschikbaar. Probeer het over enkele minuten opnieuw."),
}
_CSRF_PAGE = (
    "Formulier verlopen",
    "Het formulier kon niet worden verwerkt, omdat het verlopen is of niet van deze website kwam. "
    "Ga terug, laad de pagina opnieuw en probeer het nog eens.",
)


def is_page_request(request: Request[Any, Any, Any]) -> bool:
    """A request for a page: its handler is one (the web router marks them), or, where no handler
    was found (an unknown address), a browser asking for HTML outside the API's paths."""
    handler = request.scope.get("route_handler")
    if handler is not None and PAGE_OPT in handler.opt:
        return True
    if request.url.path.startswith(_NOT_PAGES):
        return False
    return handler is None and "text/html" in request.headers.get("accept", "")


def page_or_problem(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    problem = exception_to_response(request, exc)
    if not is_page_request(request):
        return problem
    status = problem.status_code
    assert status is not None  # problem() always gives one
    if status == 401:
        # Not signed in (or the session ended): sign in, then come back here.
        target = "/"
        if request.method == "GET":
            target = request.url.path + ("?" + request.url.query if request.url.query else "")
        ended = request.scope["state"].get(SESSION_ENDED)
        return redirect(request, f"{SIGN_IN}?volgende={quote(target, safe='/')}", flash=ENDED if ended else None)
    fallback = _PAGES[400 if status < 500 else 500]
    heading, explanation = _CSRF_PAGE if isinstance(exc, CsrfRefused) else _PAGES.get(status, fallback)
    headers = {k: v for k, v in problem.headers.items() if k.lower() in {"retry-after", "allow"}}
    return page(
        request, "errors/error.html", title=heading, status_code=status, headers=headers,
        heading=heading, explanation=explanation, request_id=context.request_id.get() if status >= 500 else None,
    )
