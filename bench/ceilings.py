"""The benchmark's ceiling endpoints, on an app of its own: the product's app never has them.

- `GET /api/v1/register/_ceiling/{company_id}`: one primary-key SELECT through the same connection
  path as the register's verify (its asyncpg pool), against which verify's throughput is measured.
- `GET /api/v1/backoffice/investigations-ceiling/`: the case list's ceiling, one plain SELECT of a
  page of my open cases through the same router prefix, token check, guards and session as the case
  list; no next-deadline subquery, no ordering, no count.

`create_app()` is the product's `create_app` with these routes added (`extra_route_handlers`);
`python -m bench.ceilings --host H --port P` serves it as `erkenning serve` serves the product.
"""

from __future__ import annotations

import argparse
from functools import partial
from typing import Any
from uuid import UUID

from litestar import Controller, Litestar, Router, get
from litestar.datastructures import State
from litestar.params import FromPath
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.app import create_app as create_product_app
from erkenning.app import create_served_app
from erkenning.core.caller import STAFF_ROLES, Caller, Role
from erkenning.core.errors import NotFound
from erkenning.core.paging import Limit
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings, get_settings
from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.http.guards import requires
from erkenning.register import lean
from erkenning.workflows.models import Investigation, InvestigationStatus

_COMPANY_BY_ID = "SELECT id FROM company WHERE id = $1"


async def company_ceiling(runtime: Runtime, company_id: UUID) -> UUID:
    """One primary-key SELECT through the same connection path as verify."""
    row = await lean.fetchrow(runtime, _COMPANY_BY_ID, company_id)
    if row is None:
        raise NotFound("No such company")
    company: UUID = row["id"]
    return company


async def case_list_ceiling(session: AsyncSession, caller: Caller, *, limit: int) -> list[dict[str, object]]:
    """A page of my open cases by one plain SELECT."""
    rows = await session.exec(
        select(
            col(Investigation.id), col(Investigation.status), col(Investigation.company_id),
            col(Investigation.opened_at),
        )
        .where(col(Investigation.assigned_to) == caller.principal_id)
        .where(col(Investigation.status) != InvestigationStatus.CLOSED)
        .limit(limit)
    )
    return [
        {"id": id_, "status": status, "company_id": company_id, "opened_at": opened_at}
        for id_, status, company_id, opened_at in rows.all()
    ]


class CeilingController(Controller):
    """The register's ceiling: one primary-key SELECT through verify's connection path."""

    path = "/_ceiling"
    include_in_schema = False

    @get("/{company_id:uuid}", include_in_schema=False)
    async def ceiling(self, state: State, company_id: FromPath[UUID]) -> dict[str, UUID]:
        return {"id": await company_ceiling(state.runtime, company_id)}


class CaseListCeilingController(Controller):
    """The case list's ceiling: one raw SELECT of a page of my cases."""

    path = "/investigations-ceiling"
    include_in_schema = False
    guards = [requires(Role.ADVISER, Role.SENIOR_ADVISER)]  # as the case list's

    @get("/", include_in_schema=False)
    async def ceiling(self, session: DbSession, caller: CurrentCaller, limit: Limit = 50) -> list[dict[str, object]]:
        return await case_list_ceiling(session, caller, limit=limit)


def routes() -> list[Any]:
    """The ceilings under the product's routers' prefixes and guards."""
    return [
        Router("/api/v1/register", route_handlers=[CeilingController], include_in_schema=False),
        Router(
            "/api/v1/backoffice",
            route_handlers=[CaseListCeilingController],
            guards=[requires(*STAFF_ROLES)],
            include_in_schema=False,
        ),
    ]


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Litestar:
    """The product's app with the ceiling routes besides."""
    return create_product_app(settings, runtime, extra_route_handlers=routes())


def serve(host: str, port: int) -> None:
    """Serve `create_app()` as `erkenning serve` serves the product (its heap frozen once built; uvicorn,
    one process)."""
    import uvicorn

    get_settings().require_urls()
    uvicorn.run(
        partial(create_served_app, create_app),
        factory=True,
        host=host,
        port=port,
        workers=1,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        timeout_graceful_shutdown=20,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.ceilings", description=serve.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    serve(args.host, args.port)
