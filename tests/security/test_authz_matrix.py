"""The authorisation matrix: every route x every caller x own and foreign objects, against access.ROUTES.

The app's own route table is the list of routes: a route missing from the declared table fails
`test_every_route_is_declared` by name. One data set (tests/security/world.py) is built once for the
module; the checks run per route, GETs before changes, and each mutating route with an empty body (a
refused caller must be refused before the body is looked at).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import sqlalchemy as sa
from litestar import Litestar

from erkenning.app import create_app
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from tests.factories import Principal, TokenFactory
from tests.helpers import asgi_client, csrf_of
from tests.security import access
from tests.security.access import ANONYMOUS, COMPANY, COMPANY_OWNED, SCHOOL, SCHOOL_OWNED, Rule
from tests.security.world import SecurityWorld, build

# The module keeps its data set, but what a test equates in this process's calendar ends with the test.
pytestmark = pytest.mark.usefixtures("calendar_as_shipped")

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
PARAM = re.compile(r"\{(\w+):\w+\}")
PLACEHOLDER = re.compile(r"\{(\w+)(?::\w+)?\}")
CALLERS = ("anonymous", "company_a", "company_b", "school_a", "school_b", "adviser", "senior_adviser", "admin")


def kind_of(caller: str) -> str:
    return caller.rsplit("_", 1)[0] if caller.endswith(("_a", "_b")) else caller


def party_of(caller: str) -> str | None:
    return caller[-1] if caller.endswith(("_a", "_b")) else None


def app_routes(app: Litestar) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in app.routes
        for method in getattr(route, "route_handler_map", {})
        if method != "OPTIONS"
    }


def is_page(path: str) -> bool:
    return not path.startswith(("/api/", "/health", "/metrics", "/schema"))


def owned_params(path: str) -> set[str]:
    return set(PARAM.findall(path)) & (COMPANY_OWNED | SCHOOL_OWNED)


def expected(rule: Rule, path: str, caller: str, party: str) -> str:
    """The answer class the declared rule gives this caller for the objects of `party`."""
    kind = kind_of(caller)
    if kind in rule.expect:
        return rule.expect[kind]
    if kind not in rule.allowed:
        return "401" if kind == ANONYMOUS else "403"
    own = party_of(caller)
    owned = owned_params(path)
    if own is not None and owned and own != party:
        if (kind == COMPANY and owned & COMPANY_OWNED) or (kind == SCHOOL and owned & SCHOOL_OWNED):
            return "404"
    return "ok"


def classify(method: str, response: httpx.Response) -> str:
    code = response.status_code
    if code in (302, 303) and response.headers.get("location", "").startswith("/inloggen?volgende="):
        return "401"  # a page's answer to "not signed in": the sign-in page, then back
    if 200 <= code < 400:
        return "ok"
    if method in UNSAFE and code in (400, 409, 415, 422):
        return "ok"  # authorised; the empty body or the object's state was refused
    return str(code)


def test_every_route_is_declared(shared_app: Litestar) -> None:
    routes = app_routes(shared_app)
    missing = sorted(routes - set(access.ROUTES) - access.PUBLIC_UNCHECKED)
    assert not missing, "routes without a rule in tests/security/access.py: " + ", ".join(f"{m} {p}" for m, p in missing)
    stale = sorted(set(access.ROUTES) - routes)
    assert not stale, "rules for routes the app does not have: " + ", ".join(f"{m} {p}" for m, p in stale)


# --- the matrix ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def matrix_settings(shared_settings: Settings) -> Settings:
    # Rate limits off: the matrix calls public routes from one address many times.
    return shared_settings.model_copy(update={
        "webhook_allowed_networks": ["127.0.0.0/8"],
        "register_anon_limit": 0, "register_school_limit": 0, "register_batch_limit": 0,
        "report_intake_limit": 10_000, "report_receipt_limit": 10_000, "certificate_check_per_minute": 10_000,
        "web_signin_limit": 10_000,
    })


@dataclass
class Matrix:
    app: Litestar
    runtime: Runtime
    world: SecurityWorld
    api: httpx.AsyncClient
    pages: dict[str, httpx.AsyncClient]  # caller -> cookie-keeping client, signed in through the form
    csrf: dict[str, str]


@pytest.fixture(scope="module")
async def matrix(matrix_settings: Settings, _truncate_sql: str) -> AsyncIterator[Matrix]:
    """The module's data set: it lives until the module ends, not one test (no `clean` after each)."""
    runtime = Runtime.create(matrix_settings)
    app = create_app(runtime=runtime)
    api = asgi_client(app)
    pages: dict[str, httpx.AsyncClient] = {}
    try:
        world = await build(api, runtime, TokenFactory(runtime))
        csrf: dict[str, str] = {}
        for caller, principal in world.callers().items():
            client = pages[caller] = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver")
            sign_in = await client.get("/inloggen")
            csrf[caller] = csrf_of(sign_in.text)
            if principal is not None:
                done = await client.post("/inloggen", data={"_csrf": csrf[caller], "token": principal.token})
                assert done.status_code == 303, done.text
                csrf[caller] = csrf_of((await client.get("/")).text)
        yield Matrix(app, runtime, world, api, pages, csrf)
    finally:
        for client in pages.values():
            await client.aclose()
        await api.aclose()
        async with runtime.engine.begin() as conn:
            await conn.execute(sa.text(_truncate_sql))
        await runtime.close()


def _order(key: tuple[str, str]) -> tuple[int, int, str, str]:
    method, path = key
    # Reads first; deletions and signing out last, so that no change hides what a later check needs.
    rank = {"GET": 0, "HEAD": 0, "POST": 1, "PUT": 1, "PATCH": 1, "DELETE": 2}[method]
    # Pages before the API within a rank: the school's webhook is removed by its page, set again by
    # the API's PUT, and then deleted by the API's DELETE.
    return (3 if path == "/uitloggen" else rank, 0 if is_page(path) else 1, path, method)


ROUTE_KEYS = sorted(access.ROUTES, key=_order)


def _fill(m: Matrix, rule: Rule, text: str, party: str) -> str:
    """Put the world's ids into `{name}` / `{name:type}` placeholders (a path, a query value, a body value)."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        key = rule.params.get(name, name)
        ids = m.world.parties[party].ids
        if key == "company":
            return m.world.parties[party].company_sbb_id
        return ids.get(key) or m.world.shared.get(key) or key  # else a literal (a page's step name)

    return PLACEHOLDER.sub(value, text)


async def _call(m: Matrix, method: str, rule: Rule, template: str, party: str, caller: str) -> httpx.Response:
    principal: Principal | None = m.world.callers()[caller]
    path = _fill(m, rule, template, party)
    query = {k: _fill(m, rule, v, party) for k, v in rule.query.items()}
    body = {k: _fill(m, rule, v, party) for k, v in rule.body.items()}
    if is_page(template):
        data = {"_csrf": m.csrf[caller], **body} if method in UNSAFE else None
        return await m.pages[caller].request(method, path, params=query, data=data)
    headers = principal.headers if principal else {}
    json = body if method in UNSAFE - {"DELETE"} else None
    return await m.api.request(method, path, params=query, json=json, headers=headers)


def _leaks(m: Matrix, caller: str, response: httpx.Response) -> set[str]:
    """Ids of the other party's objects in an answer to a company or a school (lists and exports too)."""
    own = party_of(caller)
    if own is None or not (200 <= response.status_code < 300):
        return set()
    other = m.world.parties["b" if own == "a" else "a"]
    secrets = other.secrets_of_company() if kind_of(caller) == COMPANY else other.secrets_of_school()
    return {s for s in secrets if s in response.text}


@pytest.mark.parametrize("key", ROUTE_KEYS, ids=[f"{m} {p}" for m, p in ROUTE_KEYS])
async def test_route_answers_each_caller_as_declared(matrix: Matrix, key: tuple[str, str]) -> None:
    method, template = key
    rule = access.ROUTES[key]
    # Everyone calls on A's objects: company A and school A are at home there, company B and school B
    # are foreign (the other way round would be the same check again).
    cases = [(caller, "a") for caller in CALLERS]
    # Refusals first: a foreign or forbidden call must not find the object already changed by an allowed one.
    cases.sort(key=lambda c: expected(rule, template, *c) == "ok")
    wrong: list[str] = []
    for caller, party in cases:
        response = await _call(matrix, method, rule, template, party, caller)
        want, got = expected(rule, template, caller, party), classify(method, response)
        if got != want:
            wrong.append(f"{caller} on {party}'s objects: expected {want}, got {response.status_code} "
                         f"{response.headers.get('location', '')} {response.text[:160]!r}")
        if leaked := _leaks(matrix, caller, response):
            wrong.append(f"{caller} sees ids of the other party: {sorted(leaked)}")
    assert not wrong, f"{method} {template}:\n  " + "\n  ".join(wrong)
