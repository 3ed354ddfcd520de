"""Admin queries over the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, get
from litestar.params import QueryParameter
from pydantic import BaseModel, ConfigDict

from erkenning.core.audit import service
from erkenning.core.caller import Role
from erkenning.core.paging import Limit, Offset, Page
from erkenning.http.dependencies import DbSession
from erkenning.http.guards import requires


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    occurred_at: datetime
    actor_id: UUID | None
    actor_role: str
    action: str
    object_type: str
    object_id: str | None
    result: str
    origin: str | None
    request_id: str | None
    purpose: str | None
    detail: dict[str, Any]
    hash: str


class AuditController(Controller):
    path = "/admin/audit"
    tags = ["admin"]
    guards = [requires(Role.ADMIN)]

    @get("/", summary="Search the audit trail (newest first)")
    async def search(
        self,
        session: DbSession,
        object_type: Annotated[str | None, QueryParameter(max_length=50)] = None,
        object_id: Annotated[str | None, QueryParameter(max_length=64)] = None,
        actor_id: Annotated[UUID | None, QueryParameter()] = None,
        action: Annotated[str | None, QueryParameter(max_length=100)] = None,
        since: Annotated[datetime | None, QueryParameter()] = None,
        until: Annotated[datetime | None, QueryParameter()] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[AuditEventRead]:
        rows, total = await service.query(
            session, object_type=object_type, object_id=object_id, actor_id=actor_id, action=action,
            since=since, until=until, limit=limit, offset=offset,
        )
        return Page(items=[AuditEventRead.model_validate(r) for r in rows], total=total, limit=limit, offset=offset)
