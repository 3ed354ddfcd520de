"""The register's honest baseline: a separate, minimal Litestar app with an asyncpg pool of its own.

`GET /raw/{company_id}` is the same primary-key SELECT as the in-app ceiling (`bench.ceilings`), with
nothing of the product around it: no middleware, no token handling, no rate limit, no settings. It
runs as the product does (`python -m bench.rawapp --host H --port P`: uvicorn, one process, the same
options), on the same database (DATABASE_URL) and with the same pool size as the register's read
pool (REGISTER_DB_POOL_SIZE, default 10), so verify ÷ this endpoint is what the product's request path
costs, not what one more SELECT costs.
"""

from __future__ import annotations

import argparse
import os
from typing import Any
from uuid import UUID

import asyncpg
from litestar import Litestar, get
from litestar.datastructures import State
from litestar.exceptions import NotFoundException

_COMPANY_BY_ID = "SELECT id FROM company WHERE id = $1"


async def _reset_nothing(conn: asyncpg.Connection) -> None:
    """As the register's pool: no reset query on release (single SELECTs leave no session state)."""


async def _open(app: Litestar) -> None:
    dsn = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://", 1)
    app.state.pool = await asyncpg.create_pool(
        dsn, min_size=1, max_size=int(os.environ.get("REGISTER_DB_POOL_SIZE", "10")), reset=_reset_nothing,
    )


async def _close(app: Litestar) -> None:
    await app.state.pool.close()


@get("/raw/{company_id:uuid}")
async def raw(state: State, company_id: UUID) -> dict[str, Any]:
    async with state.pool.acquire() as conn:
        row = await conn.fetchrow(_COMPANY_BY_ID, company_id)
    if row is None:
        raise NotFoundException("No such company")
    return {"id": row["id"]}


@get("/health/live")
async def live() -> dict[str, str]:
    return {"status": "ok"}


def create_app() -> Litestar:
    return Litestar(route_handlers=[raw, live], on_startup=[_open], on_shutdown=[_close], openapi_config=None)


if __name__ == "__main__":
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.rawapp", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # The options `erkenning serve` uses (bench.ceilings.serve).
    uvicorn.run(create_app, factory=True, host=args.host, port=args.port, workers=1, log_config=None,
                access_log=False, proxy_headers=False, timeout_graceful_shutdown=20)
