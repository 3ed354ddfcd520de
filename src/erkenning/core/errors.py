"""The DomainError family (each knows its HTTP status) and one handler that renders RFC 9457 problem+json."""

from __future__ import annotations

import asyncio
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
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from erkenning.core import context
from erkenning.core.logging import get_logger

log = get_logger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "urn:erkenning:problem:"


class DomainError(Exception):
    """A refusal that the caller can understand; services raise these, never HTTP exceptions."""

    status_code: int = 400
    type: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class Unauthorized(DomainError):
    status_code = 401
    type = "unauthorized"
    title = "Authentication required"


class Forbidden(DomainError):
    status_code = 403
    type = "forbidden"
    title = "Not allowed"


class NotFound(DomainError):
    status_code = 404
    type = "not-found"
    title = "Not found"


class Conflict(DomainError):
    status_code = 409
    type = "conflict"
    title = "Conflict"


class InvalidTransition(Conflict):
    type = "invalid-transition"
    title = "This change is not possible in the current state"


class StaleVersion(Conflict):
    type = "stale-version"
    title = "Changed by someone else in the meantime"


class Unprocessable(DomainError):
    """Well-formed input that breaks a rule (a deadline passed, a closed enrolment, …)."""

    status_code = 422
    type = "unprocessable"
    title = "The request breaks a rule"


class ValidationFailed(Unprocessable):
    type = "validation-error"
    title = "Invalid input"

    def __init__(self, errors: list[dict[str, str]], detail: str | None = None) -> None:
        super().__init__(detail or "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors)


class PayloadTooLarge(DomainError):
    status_code = 413
    type = "payload-too-large"
    title = "Request body too large"


class RateLimited(DomainError):
    status_code = 429
    type = "rate-limited"
    title = "Too many requests"

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(detail or f"Try again in {retry_after} seconds", retry_after=retry_after)
        self.retry_after = retry_after


class ServiceUnavailable(DomainError):
    status_code = 503
    type = "service-unavailable"
    title = "Service temporarily unavailable"


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

# Infrastructure failures that mean "try again later", not "bug".
_UNAVAILABLE = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
    asyncio.TimeoutError,
    ConnectionError,
    OSError,
    RedisConnectionError,
    RedisTimeoutError,
)


# SQLSTATE classes and codes that mean the database cannot serve now, not that the request is wrong:
# connection exceptions, insufficient resources (too many connections), operator intervention (shutting
# down, starting up, statement_timeout), and lock_timeout.
_LOCK_NOT_AVAILABLE, _DEADLOCK_DETECTED = "55P03", "40P01"
_UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57")
_UNAVAILABLE_SQLSTATES = {_LOCK_NOT_AVAILABLE}
RETRY_AFTER_S = 5


def _driver_error(exc: BaseException) -> BaseException:
    """The driver's own exception behind a SQLAlchemy one (its asyncpg adapter raises its own error from
    the driver's), or `exc` itself."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.orig is not None:
        return exc.orig.__cause__ or exc.orig
    return exc


def _sqlstate(exc: BaseException) -> str:
    """The SQLSTATE of a database error, raised through SQLAlchemy or straight from asyncpg; else ''."""
    sqlstate = getattr(_driver_error(exc), "sqlstate", None)
    return sqlstate if isinstance(sqlstate, str) else ""


def waited_for_lock(exc: BaseException) -> bool:
    """A statement gave up waiting for another transaction's lock (lock_timeout) or was chosen to break a deadlock."""
    return _sqlstate(exc) in (_LOCK_NOT_AVAILABLE, _DEADLOCK_DETECTED)


def is_unavailable(exc: BaseException) -> bool:
    """A backing service is down, restarting or overloaded: the caller should try again shortly (503)."""
    if isinstance(exc, _UNAVAILABLE):
        return True
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    sqlstate = _sqlstate(exc)
    if sqlstate[:2] in _UNAVAILABLE_SQLSTATE_CLASSES or sqlstate in _UNAVAILABLE_SQLSTATES:
        return True
    driver = _driver_error(exc)
    # asyncpg's client side: the connection is closed, or was left mid-operation by a dropped server.
    return isinstance(driver, asyncpg.InterfaceError | asyncpg.InternalClientError)


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
        return problem(exc.status_code, type_=exc.type, title=exc.title, detail=exc.detail, headers=headers, **exc.extra)
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
    if isinstance(exc, (sa_exc.DBAPIError, asyncpg.PostgresError)) and _sqlstate(exc).startswith("22"):
        # A value PostgreSQL cannot take (class 22, data exception: a NUL character, a number out of
        # range, …) that got past validation: bad input, not a server fault. Logged to close the gap.
        log.warning("db.data_exception", path=request.url.path, sqlstate=_sqlstate(exc))
        return problem(422, detail="A value in the request cannot be stored")
    if isinstance(exc, sa_exc.IntegrityError):
        log.warning("db.integrity_conflict", path=request.url.path, error=type(exc.orig).__name__)
        return problem(409, detail="Conflicts with existing data")
    if is_unavailable(exc):
        log.warning("service.unavailable", path=request.url.path, error=type(exc).__name__)
        return problem(
            503, detail="A backing service is unavailable; try again shortly", headers={"Retry-After": str(RETRY_AFTER_S)}
        )
    log.error("request.unhandled_exception", path=request.url.path, exc_info=exc)
    return problem(500, detail="An unexpected error occurred; quote the request id when reporting it")
