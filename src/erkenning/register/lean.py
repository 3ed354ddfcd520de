"""The register's read path: plain SQL on an asyncpg pool of its own, no ORM and no transaction.

Verification is what schools call before every match and in batches of a thousand. An ORM session
costs three round trips and object loading for one read (see
docs/adr/0004-lean-register-read-path.md); even a bare SQLAlchemy connection costs a pool checkout
through greenlets that, measured here, took as much CPU as the query itself. So the register keeps a
small asyncpg pool (REGISTER_DB_POOL_SIZE connections per process, made on first use, closed with
the runtime): one request is one round trip, one prepared statement (asyncpg caches it per
connection), records turned straight into answers, and no reset query on release.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from sqlalchemy.engine import make_url

from erkenning.core.errors import ServiceUnavailable
from erkenning.core.logging import get_logger
from erkenning.core.runtime import Runtime

log = get_logger(__name__)

_LOCK = asyncio.Lock()
_UNAVAILABLE = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError, TimeoutError)


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Release without asyncpg's default reset query (a round trip per request): this pool only ever
    runs single SELECTs, which leave no session state behind (an open transaction is still rolled back)."""


async def _create_pool(runtime: Runtime) -> asyncpg.Pool:
    settings = runtime.settings
    url, _ = settings.require_urls()
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return await asyncpg.create_pool(
        dsn,
        min_size=1,
        max_size=settings.register_db_pool_size,
        timeout=settings.db_connect_timeout_s,
        command_timeout=settings.db_statement_timeout_ms / 1000 + 5,
        max_inactive_connection_lifetime=300,
        reset=_keep_session,
        server_settings={
            "statement_timeout": str(settings.db_statement_timeout_ms),
            "application_name": "erkenning-register",
            "timezone": "UTC",
        },
    )


async def pool(runtime: Runtime) -> asyncpg.Pool:
    """The runtime's read pool, made on first use (the runtime closes it)."""
    if runtime.read_pool is None:
        async with _LOCK:
            if runtime.read_pool is None:
                runtime.read_pool = await _create_pool(runtime)
    read_pool: asyncpg.Pool = runtime.read_pool
    return read_pool


@asynccontextmanager
async def connection(runtime: Runtime) -> AsyncIterator[PoolConnectionProxy[asyncpg.Record]]:
    """A pooled connection in autocommit; the database being away is a 503, not a 500.

    The wait for a free connection is bounded by `asyncio.timeout` rather than `acquire(timeout=...)`, whose
    `wait_for` makes a task per checkout (measured: about a tenth of verify's CPU under load, issue 19)."""
    read_pool = await pool(runtime)
    try:
        async with asyncio.timeout(runtime.settings.db_pool_timeout_s):
            conn = await read_pool.acquire()
        try:
            yield conn
        finally:
            await read_pool.release(conn)
    except _UNAVAILABLE as exc:
        log.warning("register.database_unavailable", error=type(exc).__name__)
        raise ServiceUnavailable("The register is unavailable; try again shortly") from None


async def fetch(runtime: Runtime, sql: str, *args: Any) -> list[asyncpg.Record]:
    async with connection(runtime) as conn:
        return await conn.fetch(sql, *args)


async def fetchrow(runtime: Runtime, sql: str, *args: Any) -> asyncpg.Record | None:
    async with connection(runtime) as conn:
        return await conn.fetchrow(sql, *args)
