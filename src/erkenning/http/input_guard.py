"""Input every route refuses before its handler runs: NUL characters, JSON nested past reason, and a
query date or time that is not written as one.

An app-level guard, because guards of every layer run (a `before_request` hook of a router or a
controller would replace an app-level one); being the app's, it runs before the role guards, so a
NUL or an over-deep body is refused (422 / 400) even before a missing token would be (401).

PostgreSQL cannot store U+0000 in text, so a NUL that reached a query or an INSERT would be a 500;
refused here it is a 422 naming the parameter or the field (`confidential.reporter_name`). A
JSON body nested so deep that decoding it overflows the stack is a 400, like any malformed body.
The decoded body is cached on the request, so the handler does not decode it again. Query parameters
are converted leniently by Litestar (msgspec, `strict=False`), which reads `until=0.5` as a Unix time: a
parameter the document declares as a date or date-time must be written as ISO 8601 (422 otherwise).

Pages check the values of their forms themselves (`web.forms.Form.validate`), to show the error
beside the field; this guard still checks their queries and paths.
"""

from __future__ import annotations

import datetime as dt
import re
import weakref
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import ClientException
from litestar.handlers.base import BaseRouteHandler

from erkenning.core.errors import ValidationFailed

NUL = "\x00"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_MESSAGE = "contains a NUL character, which is not allowed"


def _nul_paths(value: Any, path: str) -> list[str]:
    """Where in a decoded JSON document a string (or a key) holds a NUL, as dotted paths."""
    found: list[str] = []
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, at = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                found.append(at or "body")
        elif isinstance(item, dict):
            for key, sub in item.items():
                if NUL in str(key):
                    found.append(at or "body")
                stack.append((sub, f"{at}.{key}" if at else str(key)))
        elif isinstance(item, list):
            stack.extend((sub, f"{at}[{i}]") for i, sub in enumerate(item))
    return sorted(found)


def _refuse(fields: list[str]) -> None:
    if fields:
        raise ValidationFailed([{"field": f, "message": _MESSAGE} for f in fields])


_ISO = {dt.datetime: re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}.*"), dt.date: re.compile(r"\d{4}-\d{2}-\d{2}")}


def check_parameters(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler | None = None) -> None:
    """Query and path parameters: no NUL; dates and times in ISO 8601 (not a number)."""
    fields = [k for k, v in connection.query_params.items() if NUL in k or NUL in v]
    fields += [k for k, v in connection.path_params.items() if isinstance(v, str) and NUL in v]
    _refuse(fields)
    if handler is not None and connection.query_params:
        _refuse_loose_times(connection, handler)


# Per route handler (weakly: tests build many apps): its query parameters typed as a date or a date-time, read
# once from its signature rather than on every request (the register's verify is a hot path).
_TIME_PARAMETERS: weakref.WeakKeyDictionary[BaseRouteHandler, tuple[tuple[str, type[dt.date]], ...]] = (
    weakref.WeakKeyDictionary()
)


def _time_parameters(handler: BaseRouteHandler) -> tuple[tuple[str, type[dt.date]], ...]:
    found = _TIME_PARAMETERS.get(handler)
    if found is None:
        pairs = []
        for name, field in handler.parsed_fn_signature.parameters.items():
            key = getattr(field.kwarg_definition, "query", None) or name
            # `datetime`, or `datetime | None` (a union's members are its inner types).
            types = [field.annotation, *(inner.annotation for inner in field.inner_types)]
            pairs += [(key, kind) for kind in (dt.datetime, dt.date) if kind in types]
        found = _TIME_PARAMETERS[handler] = tuple(pairs)
    return found


def _refuse_loose_times(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    wrong = []
    for key, kind in _time_parameters(handler):
        if any(not _ISO[kind].fullmatch(v) for v in connection.query_params.getall(key, [])):
            wrong.append({"field": key, "message": "must be an ISO 8601 " + (
                "date-time (2026-01-31T09:00:00+01:00)" if kind is dt.datetime else "date (2026-01-31)")})
    if wrong:
        raise ValidationFailed(wrong)


async def check_body(request: Request[Any, Any, Any]) -> None:
    """A JSON or CSV body: no NUL; JSON not nested too deep to decode."""
    if request.method not in _UNSAFE:
        return
    media_type = request.content_type[0]
    if media_type == "application/json" or media_type.endswith("+json"):
        body = await request.body()
        try:
            decoded = await request.json()
        except RecursionError:
            raise ClientException("The JSON body is nested too deeply") from None
        except Exception:
            return
        if b"\\u0000" in body:
            _refuse(_nul_paths(decoded, ""))
    elif media_type in ("text/csv", "text/plain", "application/csv"):
        if b"\x00" in await request.body():
            _refuse(["body"])


async def refuse_bad_input(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """The app's guard: parameters of every request, the body of an HTTP request that changes something."""
    check_parameters(connection, handler)
    if isinstance(connection, Request):
        await check_body(connection)
