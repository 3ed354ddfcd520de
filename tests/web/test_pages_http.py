"""Cross-cutting behaviour of the pages: CSRF, HTML error pages, roles, headers."""

from __future__ import annotations

import httpx
import pytest
from litestar import get

from erkenning.app import create_app
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.web.errors import PAGE_OPT
from tests.factories import TokenFactory
from tests.helpers import WebClient, csrf_of


async def test_a_sign_in_post_without_the_csrf_token_is_refused(web: WebClient, tokens: TokenFactory) -> None:
    admin = await tokens.make(Role.ADMIN)
    await web.get("/inloggen")
    response = await web.http.post("/inloggen", data={"token": admin.token})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "Formulier verlopen" in response.text
    assert "erk_session" not in web.http.cookies


async def test_a_form_post_with_a_token_of_another_session_is_refused(
    web: WebClient, tokens: TokenFactory, app
) -> None:
    await web.sign_in_as(tokens, Role.ADVISER)
    token_of_the_first = csrf_of((await web.get("/bedrijven/nieuw")).text)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as other:
        second = WebClient(other)
        await second.sign_in_as(tokens, Role.ADVISER)
        response = await other.post("/bedrijven/nieuw", data={"_csrf": token_of_the_first, "name": "X"})
        assert response.status_code == 403
        missing = await other.post("/bedrijven/nieuw", data={"name": "X"})
        assert missing.status_code == 403
        header = await other.post("/bedrijven/nieuw", data={"name": "X"}, headers={"X-CSRF-Token": "nope"})
        assert header.status_code == 403


async def test_the_csrf_token_changes_with_the_session(web: WebClient, tokens: TokenFactory) -> None:
    anonymous = csrf_of((await web.get("/inloggen")).text)
    await web.sign_in_as(tokens, Role.ADMIN)
    first = csrf_of((await web.get("/")).text)
    await web.sign_out()
    await web.sign_in_as(tokens, Role.ADMIN)
    second = csrf_of((await web.get("/")).text)
    assert len({anonymous, first, second}) == 3


async def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(web: WebClient) -> None:
    for path in ("/", "/bedrijven", "/beheer/audit"):
        response = await web.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/inloggen?volgende=")


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        (Role.COMPANY, "/bedrijven", 403),
        (Role.SCHOOL, "/bedrijven", 403),
        (Role.ADVISER, "/beheer/accounts", 403),
        (Role.SENIOR_ADVISER, "/beheer/audit", 403),
        (Role.ADVISER, "/bedrijven", 200),
        (Role.ADMIN, "/beheer/audit", 200),
        (Role.SCHOOL, "/", 200),
    ],
)
async def test_pages_are_for_their_roles(web: WebClient, tokens: TokenFactory, role, path, status) -> None:
    await web.sign_in_as(tokens, role, **({"school_brin": "25LX"} if role is Role.SCHOOL else {}))
    response = await web.get(path)
    assert response.status_code == status
    if status == 403:
        assert "Geen toegang" in response.text


async def test_navigation_shows_each_role_its_own_items(web: WebClient, tokens: TokenFactory) -> None:
    await web.sign_in_as(tokens, Role.ADVISER)
    adviser = (await web.get("/")).text
    assert 'href="/bedrijven"' in adviser and 'href="/beheer/audit"' not in adviser
    assert 'aria-current="page"' in adviser
    await web.sign_out()
    await web.sign_in_as(tokens, Role.ADMIN)
    assert 'href="/beheer/audit"' in (await web.get("/")).text


async def test_unknown_pages_get_a_dutch_404_page_while_the_api_keeps_problem_json(web: WebClient) -> None:
    html = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = await web.get("/bestaat-niet", headers=html)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Pagina niet gevonden" in page.text and '<html lang="nl">' in page.text
    api = await web.get("/api/v1/bestaat-niet", headers=html)
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/problem+json")
    # A program that does not ask for HTML gets problem+json everywhere.
    assert (await web.get("/bestaat-niet")).headers["content-type"].startswith("application/problem+json")


async def test_a_missing_company_is_a_404_page(web: WebClient, tokens: TokenFactory) -> None:
    await web.sign_in_as(tokens, Role.ADVISER)
    response = await web.get("/bedrijven/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404 and "Pagina niet gevonden" in response.text


async def test_an_unexpected_error_is_a_500_page_with_a_reference_and_no_trace(runtime: Runtime) -> None:
    @get("/kapot", include_in_schema=False, opt={PAGE_OPT: True})
    async def broken() -> None:
        raise RuntimeError("secret internals")

    app = create_app(runtime=runtime, extra_route_handlers=[broken])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as http:
        response = await http.get("/kapot")
    assert response.status_code == 500
    assert "Er ging iets mis" in response.text
    assert response.headers["x-request-id"] in response.text
    assert "secret internals" not in response.text and "Traceback" not in response.text


async def test_pages_have_a_strict_content_security_policy_and_are_not_cached(web: WebClient) -> None:
    response = await web.get("/inloggen")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["cache-control"] == "no-store"


async def test_the_stylesheet_is_served_and_the_pages_stay_out_of_the_openapi_schema(web: WebClient) -> None:
    css = await web.get("/static/erkenning.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    schema = (await web.get("/schema/openapi.json")).json()
    assert not [path for path in schema["paths"] if not path.startswith("/api/") and not path.startswith(("/health", "/metrics"))]
