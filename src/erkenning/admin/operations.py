"""Health, metrics, and the admin view of the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import sqlalchemy as sa
from litestar import Controller, Response, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, QueryParameter
from pydantic import BaseModel, ConfigDict

from erkenning.admin import gauges
from erkenning.core import metrics, outbox
from erkenning.core.audit import service as audit
from erkenning.core.caller import Role
from erkenning.http.dependencies import CurrentCaller, DbSession, RuntimeDep
from erkenning.http.guards import requires
from erkenning.http.problems import problem


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get("/live", summary="The process is up", exclude_from_auth=True)
    async def live(self) -> dict[str, str]:
        return {"status": "ok"}

    @get("/ready", summary="PostgreSQL and Redis answer (503 names the one that does not)", exclude_from_auth=True)
    async def ready(self, runtime: RuntimeDep) -> Response[dict[str, Any]]:
        answers = await asyncio.gather(_db_ok(runtime), _redis_ok(runtime))
        checks = dict(zip(("postgres", "redis"), answers, strict=True))
        if all(checks.values()):
            return Response({"status": "ok", "checks": {k: "ok" for k in checks}})
        failing = sorted(k for k, ok in checks.items() if not ok)
        return problem(
            503,
            detail=f"Not ready: {', '.join(failing)} unreachable",
            checks={k: "ok" if ok else "unreachable" for k, ok in checks.items()},
        )


async def _db_ok(runtime: RuntimeDep) -> bool:
    try:
        async with asyncio.timeout(runtime.settings.db_connect_timeout_s + 1):
            async with runtime.engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
        return True
    except Exception:
        return False


async def _redis_ok(runtime: RuntimeDep) -> bool:
    try:
        return await runtime.queue.ping()
    except Exception:
        return False


def metrics_endpoint(readers: Sequence[metrics.GaugeReader]) -> HTTPRouteHandler:
    """`/metrics`, filling the outbox's gauges and those of the domains' `readers` at each scrape."""

    @get("/metrics", summary="Prometheus metrics", exclude_from_auth=True, include_in_schema=False,
         media_type="text/plain")
    async def scrape(runtime: RuntimeDep) -> Response[bytes]:
        await gauges.collect(runtime, readers)
        return Response(metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")

    return scrape


class OutboxEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    topic: str
    payload: dict[str, Any]
    status: outbox.EventStatus
    attempts: int
    created_at: datetime
    available_at: datetime
    done_at: datetime | None
    last_error: str | None


class OutboxController(Controller):
    path = "/admin/outbox"
    tags = ["admin"]
    guards = [requires(Role.ADMIN)]

    @get("/", summary="Outbox events (e.g. status=dead)")
    async def list_(
        self,
        session: DbSession,
        status: Annotated[outbox.EventStatus | None, QueryParameter()] = None,
        topic: Annotated[str | None, QueryParameter(max_length=100)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> list[OutboxEventRead]:
        rows = await outbox.list_events(session, status=status, topic=topic, limit=limit)
        return [OutboxEventRead.model_validate(r) for r in rows]

    @post("/{event_id:uuid}/retry", summary="Give a dead event a fresh set of attempts", status_code=200)
    async def retry(self, event_id: FromPath[UUID], session: DbSession, caller: CurrentCaller) -> OutboxEventRead:
        event = await outbox.retry_dead(session, event_id)
        await audit.record(session, caller, "outbox.retried", event)
        return OutboxEventRead.model_validate(event)
