"""Admin API for principals and tokens (the CLI `erkenning token` does the same)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from erkenning.core.auth.models import ApiToken
from erkenning.core.auth.schemas import PrincipalCreate, PrincipalRead, TokenCreate, TokenIssued, TokenRead
from erkenning.core.auth.scope import get_scoped
from erkenning.core.auth.service import AuthService
from erkenning.core.caller import Role
from erkenning.http.dependencies import CurrentCaller, DbSession, SettingsDep
from erkenning.http.guards import requires


class PrincipalController(Controller):
    path = "/admin/principals"
    tags = ["admin"]
    guards = [requires(Role.ADMIN)]

    @post("/", summary="Create a principal (staff member, company or school account)")
    async def create(
        self, data: JSONBody[PrincipalCreate], session: DbSession, settings: SettingsDep, caller: CurrentCaller
    ) -> PrincipalRead:
        principal = await AuthService(session, settings).create_principal(caller, **data.model_dump())
        return PrincipalRead.model_validate(principal)

    @get("/", summary="List principals")
    async def list_(
        self, session: DbSession, settings: SettingsDep, role: Annotated[Role | None, QueryParameter()] = None
    ) -> list[PrincipalRead]:
        rows = await AuthService(session, settings).list_principals(role=role)
        return [PrincipalRead.model_validate(r) for r in rows]

    @post("/{principal_id:uuid}/tokens", summary="Issue a token; the plain token is in this answer only")
    async def issue_token(
        self, principal_id: FromPath[UUID], data: JSONBody[TokenCreate], session: DbSession, settings: SettingsDep, caller: CurrentCaller
    ) -> TokenIssued:
        lifetime = timedelta(days=data.lifetime_days) if data.lifetime_days else None
        issued = await AuthService(session, settings).issue_token(
            caller, principal_id, label=data.label, lifetime=lifetime
        )
        return TokenIssued(**TokenRead.model_validate(issued.token).model_dump(), token=issued.plaintext)


class TokenController(Controller):
    path = "/admin/tokens"
    tags = ["admin"]
    guards = [requires(Role.ADMIN)]

    @get("/", summary="List tokens (never their secret)")
    async def list_(
        self,
        session: DbSession,
        settings: SettingsDep,
        principal_id: Annotated[UUID | None, QueryParameter()] = None,
    ) -> list[TokenRead]:
        rows = await AuthService(session, settings).list_tokens(principal_id=principal_id)
        return [TokenRead.model_validate(r) for r in rows]

    @post("/{token_id:uuid}/revoke", summary="Revoke a token; effective on the next request", status_code=200)
    async def revoke(self, token_id: FromPath[UUID], session: DbSession, settings: SettingsDep, caller: CurrentCaller) -> TokenRead:
        return TokenRead.model_validate(await AuthService(session, settings).revoke_token(caller, token_id))


class AccountController(Controller):
    """The calling principal's own account (portal): who am I, and my tokens."""

    path = "/account"
    tags = ["portal"]

    @get("/", summary="The principal behind this token")
    async def me(self, session: DbSession, settings: SettingsDep, caller: CurrentCaller) -> PrincipalRead:
        assert caller.principal_id is not None
        return PrincipalRead.model_validate(await AuthService(session, settings).get_principal(caller.principal_id))

    @get("/tokens", summary="My tokens (never their secret)")
    async def my_tokens(self, session: DbSession, settings: SettingsDep, caller: CurrentCaller) -> list[TokenRead]:
        rows = await AuthService(session, settings).list_tokens(principal_id=caller.principal_id)
        return [TokenRead.model_validate(r) for r in rows]

    @get("/tokens/{token_id:uuid}", summary="One of my tokens")
    async def my_token(self, token_id: FromPath[UUID], session: DbSession, caller: CurrentCaller) -> TokenRead:
        return TokenRead.model_validate(await get_scoped(session, ApiToken, token_id, caller, what="token"))
