"""The DomainError family (each knows its HTTP status), and telling a backing service being down from a bug.

`http.problems` renders both as RFC 9457 problem+json.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import sqlalchemy.exc as sa_exc
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


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
RETRY_AFTER_S = 5  # what a 503 tells the caller to wait


def _driver_error(exc: BaseException) -> BaseException:
    """The driver's own exception behind a SQLAlchemy one (its asyncpg adapter raises its own error from
    the driver's), or `exc` itself."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.orig is not None:
        return exc.orig.__cause__ or exc.orig
    return exc


def sqlstate(exc: BaseException) -> str:
    """The SQLSTATE of a database error, raised through SQLAlchemy or straight from asyncpg; else ''."""
    sqlstate = getattr(_driver_error(exc), "sqlstate", None)
    return sqlstate if isinstance(sqlstate, str) else ""


def waited_for_lock(exc: BaseException) -> bool:
    """A statement gave up waiting for another transaction's lock (lock_timeout) or was chosen to break a deadlock."""
    return sqlstate(exc) in (_LOCK_NOT_AVAILABLE, _DEADLOCK_DETECTED)


def is_unavailable(exc: BaseException) -> bool:
    """A backing service is down, restarting or overloaded: the caller should try again shortly (503)."""
    if isinstance(exc, _UNAVAILABLE):
        return True
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    state = sqlstate(exc)
    if state[:2] in _UNAVAILABLE_SQLSTATE_CLASSES or state in _UNAVAILABLE_SQLSTATES:
        return True
    driver = _driver_error(exc)
    # asyncpg's client side: the connection is closed, or was left mid-operation by a dropped server.
    return isinstance(driver, asyncpg.InterfaceError | asyncpg.InternalClientError)
