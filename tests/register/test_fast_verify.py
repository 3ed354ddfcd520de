"""The fast verify path (`register.fast`) answers exactly as the route does, or leaves the request to it.

Each request is sent to an app with the fast path and to one without it (REGISTER_FAST_VERIFY=false, every
verify through the Litestar route, the reference); status, body and headers must be equal (both
are sent one request id, which problems name). Inputs: valid ones (by SBB id and establishment number, with and without a date, both
pathways, unknown companies), and what the fast path must hand on (bad and missing values, impossible
dates, numbers as dates, unknown, repeated and empty parameters, percent-encoding, `+`, NUL, HEAD, a
trailing slash, a token). The valid ones must really have been answered by the fast path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from erkenning.app import create_app
from erkenning.core import metrics
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.register.fast import FastVerify
from tests.factories import SUSPENSION_AND_WITHDRAWAL, TokenFactory, make_company, make_recognition
from tests.helpers import asgi_client

VERIFY = "/api/v1/register/verify"
NEVER = 1_000_000


@pytest.fixture
async def company(runtime: Runtime):
    made = await make_company(runtime)
    await make_recognition(runtime, made, SUSPENSION_AND_WITHDRAWAL)
    return made


@asynccontextmanager
async def two_apps(settings: Settings, **overrides: Any) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient,
                                                                              list[str]]]:
    """A client of the app with the fast path, one of the app without it, and the paths the route was handed."""
    handed_on: list[str] = []
    runtimes = [
        Runtime.create(settings.model_copy(update={"register_anon_limit": NEVER, **overrides,
                                                   "register_fast_verify": fast}))
        for fast in (True, False)
    ]
    fast_app, route_app = (create_app(runtime=r) for r in runtimes)
    layer = fast_app.asgi_handler.app  # type: ignore[attr-defined]
    assert isinstance(layer, FastVerify)
    route = layer.app

    async def spy(scope: Any, receive: Any, send: Any) -> None:
        handed_on.append(scope["path"] + "?" + scope["query_string"].decode("latin-1"))
        await route(scope, receive, send)

    layer.app = spy
    try:
        async with asgi_client(fast_app) as fast, asgi_client(route_app) as slow:
            for client in (fast, slow):  # one request id for both: problems name it in their body
                client.headers["X-Request-Id"] = "same-request-id"
            yield fast, slow, handed_on
    finally:
        for r in runtimes:
            await r.close()


def _same(a: httpx.Response, b: httpx.Response) -> None:
    assert a.status_code == b.status_code, (a.text, b.text)
    assert a.content == b.content
    # Litestar lists a 405's allowed methods from a set: their order differs between two apps.
    allowed = [{m.strip() for m in r.headers.get("allow", "").split(",")} for r in (a, b)]
    assert allowed[0] == allowed[1]
    assert {k: v for k, v in a.headers.items() if k != "allow"} == {k: v for k, v in b.headers.items() if k != "allow"}


def valid_queries(sbb_id: str, establishment: str) -> list[str]:
    return [
        f"company={sbb_id}&crebo=25180&pathway=bol",
        f"company={sbb_id}&crebo=25180&pathway=bol&date=2024-01-01",
        f"company={sbb_id}&crebo=25180&pathway=bol&date=2026-03-01",  # suspended
        f"company={sbb_id}&crebo=25180&pathway=bol&date=2040-06-30",  # withdrawn
        f"date=2023-12-31&pathway=bol&crebo=25180&company={sbb_id}",  # any order
        f"company={sbb_id}&crebo=25180&pathway=bbl&date=2025-01-01",  # another pathway: not recognised
        f"company={establishment}&crebo=25180&pathway=bol&date=2025-01-01",
        "company=999999999&crebo=25180&pathway=bol",  # unknown company
        f"company={sbb_id}&crebo=99999&pathway=bol&date=2024-02-29",  # unknown qualification, a leap day
        "company=1&crebo=00000&pathway=bbl&date=0001-01-01",
        "company=000000000000&crebo=25180&pathway=bol&date=9999-12-31",
    ]


def handed_on_queries(sbb_id: str) -> list[str]:
    ok = f"company={sbb_id}&crebo=25180&pathway=bol"
    return [
        "",
        f"company={sbb_id}&crebo=25180",  # pathway missing
        f"company={sbb_id}&pathway=bol",
        "crebo=25180&pathway=bol",
        "company=&crebo=25180&pathway=bol",
        f"{ok}&date=",
        f"{ok}&date=2026-02-30",  # a day that does not exist
        f"{ok}&date=2026-13-01",
        f"{ok}&date=20260101",
        f"{ok}&date=1767225600",  # a number read as a Unix time by a lenient parser
        f"{ok}&date=2026-01-01T00:00:00",
        f"{ok}&date=0000-01-01",
        f"company={sbb_id}&crebo=25180&pathway=BOL",
        f"company={sbb_id}&crebo=25180&pathway=other",
        "company=abc&crebo=25180&pathway=bol",
        "company=1234567890123&crebo=25180&pathway=bol",  # 13 digits
        f"company={sbb_id}&crebo=2518&pathway=bol",
        f"company={sbb_id}&crebo=251800&pathway=bol",
        "company=-1&crebo=25180&pathway=bol",
        f"{ok}&extra=1",
        f"{ok}&company={sbb_id}",  # repeated
        f"{ok}&pathway=bbl",
        f"{ok}&&",
        f"{ok}&date",
        f"company=%3{sbb_id[0]}{sbb_id[1:]}&crebo=25180&pathway=bol",  # percent-encoded digit
        f"company={sbb_id}&crebo=25180&pathway=b%6Fl",
        f"company={sbb_id}%00&crebo=25180&pathway=bol",  # NUL
        f"company={sbb_id}&crebo=25180&pathway=bol+",
        f"company={sbb_id}%0A&crebo=25180&pathway=bol",  # a newline after an anchored pattern
        f"company={sbb_id};crebo=25180&pathway=bol",
        f"company={sbb_id}&crebo=25180&pathway=bol&date=2026-01-01&date=2026-01-02",
    ]


async def test_valid_requests_are_answered_by_the_fast_path_exactly_as_by_the_route(settings, company) -> None:
    async with two_apps(settings) as (fast, slow, handed_on):
        for query in valid_queries(company.sbb_id, company.establishment_number):
            a, b = await fast.get(f"{VERIFY}?{query}"), await slow.get(f"{VERIFY}?{query}")
            assert a.status_code == 200, (query, a.text)
            _same(a, b)
    assert handed_on == []


async def test_everything_else_goes_to_the_route_and_answers_the_same(settings, company) -> None:
    queries = handed_on_queries(company.sbb_id)
    async with two_apps(settings) as (fast, slow, handed_on):
        for query in queries:
            a, b = await fast.get(f"{VERIFY}?{query}"), await slow.get(f"{VERIFY}?{query}")
            _same(a, b)
        ok = f"company={company.sbb_id}&crebo=25180&pathway=bol"
        for method, path in (("HEAD", VERIFY), ("GET", VERIFY + "/"), ("POST", VERIFY), ("OPTIONS", VERIFY)):
            _same(await fast.request(method, f"{path}?{ok}"), await slow.request(method, f"{path}?{ok}"))
    assert len(handed_on) == len(queries) + 4


async def test_a_token_takes_the_route(settings, company, tokens: TokenFactory) -> None:
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    ok = f"{VERIFY}?company={company.sbb_id}&crebo=25180&pathway=bol"
    async with two_apps(settings) as (fast, slow, handed_on):
        _same(await fast.get(ok, headers=school.headers), await slow.get(ok, headers=school.headers))
        _same(await fast.get(ok, headers={"Authorization": "Bearer nonsense"}),
              await slow.get(ok, headers={"Authorization": "Bearer nonsense"}))
    assert len(handed_on) == 2


async def test_the_fast_path_counts_the_budget_once_and_the_route_answers_its_429(settings, company) -> None:
    ok = f"{VERIFY}?company={company.sbb_id}&crebo=25180&pathway=bol"
    async with two_apps(settings, register_anon_limit=2, register_anon_window_s=3600,
                        trusted_proxies=["127.0.0.1/32"]) as (fast, slow, handed_on):
        via = {"X-Forwarded-For": "198.51.100.23"}
        codes = [(await fast.get(ok, headers=via)).status_code for _ in range(3)]
        refused = await fast.get(ok, headers=via)
        # The route's own app shares the window in Redis: this address is refused there too.
        elsewhere = await slow.get(ok, headers=via)
    assert codes == [200, 200, 429]
    assert refused.status_code == 429 and refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"] == "urn:erkenning:problem:rate-limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 3600
    assert elsewhere.status_code == 429
    assert len(handed_on) == 2  # the two refusals; the first two were answered by the fast path


async def test_the_fast_path_keeps_the_request_log_and_metrics(settings, company) -> None:
    def served() -> float:
        value = metrics.REGISTRY.get_sample_value(
            "erkenning_http_requests_total", {"method": "GET", "route": VERIFY, "status": "200"}
        )
        return value or 0.0

    before = served()
    async with two_apps(settings) as (fast, _, handed_on):
        supplied = await fast.get(f"{VERIFY}?company={company.sbb_id}&crebo=25180&pathway=bol",
                                  headers={"X-Request-Id": "abc-123"})
    assert supplied.headers["x-request-id"] == "abc-123"
    assert served() == before + 1
    assert handed_on == []
