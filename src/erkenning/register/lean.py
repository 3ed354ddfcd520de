"""The register's read path: plain SQL on the pool's asyncpg connection, no ORM and no transaction.

Verification is what schools call before every match and in batches of a thousand; an ORM session
costs three round trips and object loading for one read (see STACK-NOTES). Here one request is one
round trip: a pooled connection in autocommit, one prepared statement (asyncpg caches it per
connection), records turned straight into answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from erkenning.errors import ServiceUnavailable
from erkenning.logging import get_logger

log = get_logger(__name__)

# Errors after which the connection cannot be trusted again: it is dropped from the pool.
_BROKEN = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError, TimeoutError)


@asynccontextmanager
async def connection(engine: AsyncEngine) -> AsyncIterator[asyncpg.Connection]:
    """A pooled asyncpg connection (the engine's own pool, so its size and timeouts hold)."""
    async with engine.connect() as conn:
        fairy = await conn.get_raw_connection()
        try:
            yield fairy.driver_connection  # type: ignore[misc]
        except _BROKEN as exc:
            fairy.invalidate(exc)
            log.warning("register.connection_lost", error=type(exc).__name__)
            raise ServiceUnavailable("The register is unavailable; try again shortly") from None


async def fetch(engine: AsyncEngine, sql: str, *args: Any) -> list[asyncpg.Record]:
    async with connection(engine) as conn:
        return await conn.fetch(sql, *args)  # type: ignore[no-any-return]


async def fetchrow(engine: AsyncEngine, sql: str, *args: Any) -> asyncpg.Record | None:
    async with connection(engine) as conn:
        return await conn.fetchrow(sql, *args)
