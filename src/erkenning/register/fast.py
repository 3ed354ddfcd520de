"""The register's fast verify path: a well-formed anonymous `GET /api/v1/register/verify`, answered in a pure
ASGI layer without the framework around the route (issue 19; docs/adr/0012-register-fast-path.md).

Verify is what schools and the public call before every match; under load the framework's own request
path (routing, the authentication middleware, guards, dependency and parameter machinery, the response
object) cost more than the answer. This layer sits inside the request-context middleware (so the request
id, the security headers, the request log of BIO 8.15 and the metrics are the same code for both paths)
and outside Litestar. It answers only what it checks completely, exactly as the route would:

- `GET` (not HEAD), the exact path, no `Authorization` header (a school token takes the route and its
  own budget), and no `Origin` header when CORS is configured (the CORS middleware answers those);
- a query of only `company`, `crebo`, `pathway` and optionally `date`, each once, written with plain
  characters (no percent-encoding, no `+`), matching the route's patterns (`COMPANY_KEY`, `CREBO`, the
  `Pathway` values, an ISO 8601 date that exists).

Everything else, and any error (the rate limit's 429, the database being away), goes on to the route,
which stays the reference and stays in the OpenAPI document; `tests/register/test_fast_verify.py` holds
the two to the same status, body and headers. The anonymous budget is counted here, once: the outcome
is left in the scope's state for `register_quota` (`quota.COUNTED`) when the request goes on.
`REGISTER_FAST_VERIFY=false` switches the layer off.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import msgspec
from litestar.types import ASGIApp, HTTPResponseBodyEvent, HTTPResponseStartEvent, Receive, Scope, Send

from erkenning.core.errors import RateLimited
from erkenning.core.logging import get_logger
from erkenning.core.runtime import Runtime
from erkenning.recognition.models import Pathway
from erkenning.register import quota
from erkenning.register.quota import COUNTED
from erkenning.register.schemas import COMPANY_KEY, CREBO
from erkenning.register.services import lookup

log = get_logger(__name__)

PATH = "/api/v1/register/verify"
# Characters a query may hold to be read here; anything else (percent-encoding, `+`, `;`) goes to the route.
_PLAIN = re.compile(rb"[A-Za-z0-9=&_.-]*")
_REQUIRED = ("company", "crebo", "pathway")
_KNOWN = frozenset({"company", "crebo", "pathway", "date"})
# The route's own patterns (msgspec applies a pattern with `re.search`, as here); the date as the input guard
# wants it (`input_guard._ISO`), then parsed (a day that does not exist goes to the route for its 400).
_COMPANY = re.compile(COMPANY_KEY)
_CREBO = re.compile(CREBO)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PATHWAYS = {p.value: p for p in Pathway}
_HEADERS = (b"content-type", b"application/json")
_ENCODE = msgspec.json.Encoder().encode


def _query(raw: bytes) -> dict[str, str] | None:
    """The verify parameters, or None when the query is anything this layer does not read completely."""
    if not _PLAIN.fullmatch(raw):
        return None
    found: dict[str, str] = {}
    for part in raw.split(b"&"):
        key, eq, value = part.partition(b"=")
        name = key.decode()
        if not eq or name not in _KNOWN or name in found:
            return None
        found[name] = value.decode()
    if any(name not in found for name in _REQUIRED):
        return None
    return found


def _checked(query: dict[str, str]) -> tuple[str, str, Pathway, dt.date | None] | None:
    company, crebo, pathway = query["company"], query["crebo"], _PATHWAYS.get(query["pathway"])
    if pathway is None or not _COMPANY.search(company) or not _CREBO.search(crebo):
        return None
    day = query.get("date")
    if day is None:
        return company, crebo, pathway, None
    if not _DATE.fullmatch(day):
        return None
    try:
        return company, crebo, pathway, dt.date.fromisoformat(day)
    except ValueError:
        return None


class FastVerify:
    """Pure ASGI: answers a well-formed anonymous verify itself, hands everything else to `app` unchanged."""

    def __init__(self, app: ASGIApp, *, state: Any, cors: bool) -> None:
        self.app = app
        self.state = state  # the Litestar app's state: the runtime is set there at start-up (or by the tests)
        self.cors = cors

    def _eligible(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != PATH:  # type: ignore[typeddict-item]
            return False
        for name, _ in scope["headers"]:
            if name == b"authorization" or (self.cors and name == b"origin"):
                return False
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._eligible(scope):
            await self.app(scope, receive, send)
            return
        query = _query(scope["query_string"])
        checked = _checked(query) if query is not None else None
        if checked is None:
            await self.app(scope, receive, send)
            return
        runtime: Runtime = self.state.runtime
        state = scope["state"]
        try:
            await quota.count(runtime, None, state.get("origin"))
        except RateLimited as refused:
            state[COUNTED] = refused  # the route answers the 429, as ever
            await self.app(scope, receive, send)
            return
        try:
            answer = await lookup.verify(runtime, *checked)
        except Exception as exc:  # the route answers errors (503 when the database is away), counted once
            log.debug("register.fast_verify_handed_on", error=type(exc).__name__)
            state[COUNTED] = True
            await self.app(scope, receive, send)
            return
        scope["path_template"] = PATH  # the request log's and the metrics' route, as Litestar names it
        scope["user"] = None
        body = _ENCODE(answer)
        start: HTTPResponseStartEvent = {
            "type": "http.response.start",
            "status": 200,
            "headers": [_HEADERS, (b"content-length", str(len(body)).encode())],
        }
        await send(start)
        end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
        await send(end)
