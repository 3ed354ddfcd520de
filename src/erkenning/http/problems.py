"""Every error leaves the app as RFC 9457 `application/problem+json` with a stable `type`, never a traceback."""

from __future__ import annotations

import re
from typing import Any

import asyncpg
import sqlalchemy.exc as sa_exc
from litestar import Request, Response
from litestar.exceptions import (
    ClientException,
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)

from erkenning.core import context
from erkenning.core.errors import RETRY_AFTER_S, DomainError, RateLimited, ServiceUnavailable, is_unavailable, sqlstate
from erkenning.core.logging import get_logger

log = get_logger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "urn:erkenning:problem:"

_STATUS_TYPES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-error", "Invalid input"),
    429: ("rate-limited", "Too many requests"),
    500: ("internal-error", "Internal error"),
    503: ("service-unavailable", "Service temporarily unavailable"),
}

def problem(
    status: int,
    *,
    type_: str | None = None,
    title: str | None = None,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[dict[str, Any]]:
    default_type, default_title = _STATUS_TYPES.get(status, ("error", "Error"))
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + (type_ or default_type),
        "title": title or default_title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if (rid := context.request_id.get()) is not None:
        body["request_id"] = rid
    body.update(extra)
    return Response(content=body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


# msgspec quotes the offending value ("Invalid enum value 'x'"): an error body must not echo input.
_QUOTED_INPUT = re.compile(r"(Invalid enum value|Invalid value) '.*'", re.DOTALL)


def _validation_errors(exc: ValidationException) -> list[dict[str, str]]:
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            field = str(item.get("key") or item.get("source") or "body")
            message = _QUOTED_INPUT.sub(r"\1", str(item.get("message", "invalid")))
            errors.append({"field": field, "message": message[:300]})
    return errors


def exception_to_response(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """The one handler: every error leaves the app as problem+json, never with a traceback."""
    if isinstance(exc, DomainError):
        headers = None
        if isinstance(exc, RateLimited):
            headers = {"Retry-After": str(exc.retry_after)}
        elif isinstance(exc, ServiceUnavailable):
            headers = {"Retry-After": str(RETRY_AFTER_S)}
        return problem(
            exc.status_code, type_=exc.type, title=exc.title, detail=exc.detail, headers=headers, **exc.extra
        )
    if isinstance(exc, ValidationException):
        errors = _validation_errors(exc) or [{"field": "body", "message": "invalid"}]
        return problem(422, detail="; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors)
    if type(exc) is ClientException and exc.status_code == 400:
        # Litestar raises a bare ClientException when the body cannot be decoded at all.
        return problem(400, type_="malformed-body", title="Malformed request body", detail=str(exc.detail)[:300])
    if isinstance(exc, NotAuthorizedException):
        return problem(401, detail=exc.detail, headers={"WWW-Authenticate": 'Bearer realm="erkenning"'})
    if isinstance(exc, PermissionDeniedException):
        return problem(403, detail=exc.detail)
    if isinstance(exc, NotFoundException):
        return problem(404, detail="No such resource")
    if isinstance(exc, HTTPException):
        headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() in {"allow", "retry-after"}}
        return problem(exc.status_code, detail=str(exc.detail)[:300], headers=headers or None)
    if isinstance(exc, (sa_exc.DBAPIError, asyncpg.PostgresError)) and sqlstate(exc).startswith("22"):
        # A value PostgreSQL cannot take (class 22, data exception: a NUL character, a number out of
        # range, …) that got past validation: bad input, not a server fault. Logged to close the gap.
        log.warning("db.data_exception", path=request.url.path, sqlstate=sqlstate(exc))
        return problem(422, detail="A value in the request cannot be stored")
    if isinstance(exc, sa_exc.IntegrityError):
        log.warning("db.integrity_conflict", path=request.url.path, error=type(exc.orig).__name__)
        return problem(409, detail="Conflicts with existing data")
    if is_unavailable(exc):
        log.warning("service.unavailable", path=request.url.path, error=type(exc).__name__)
        return problem(
            503,
            detail="A backing service is unavailable; try again shortly",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    log.error("request.unhandled_exception", path=request.url.path, exc_info=exc)
    return problem(500, detail="An unexpected error occurred; quote the request id when reporting it")
