"""Admin API for principals and tokens (the CLI `erkenning token` does the same)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from erkenning.core.auth.models import ApiToken
from erkenning.core.auth.schemas import PrincipalCreate, PrincipalRead, TokenCreate, TokenIssued, TokenRead
from erkenning.core.auth.scope import get_scoped
from erkenning.core.auth.service import AuthService
from erkenning.core.caller import Role
from erkenning.http.dependencies import CurrentCaller, DbSession, provide
from erkenning.http.guards import requires

# The accounts service, injected by name into these routes and the web pages.
PROVIDERS = {"auth": provide(AuthService)}


class PrincipalController(Controller):
    path = "/admin/principals"
    tags = ["admin"]
    guards = [requires(Role.ADMIN)]
    dependencies = PROVIDERS

    @post(
        "/", summary="Create a principal (staff member, company or school account)",
        description="Beyond the schema (422 naming the rule): `company_id` is required for, and only for, role "
        "`company`; `school_brin` for, and only for, role `school`.",
    )
    async def create(
        self, data: JSONBody[PrincipalCreate], auth: NamedDependency[AuthService], caller: CurrentCaller
    ) -> PrincipalRead:
        principal = await auth.create_principal(caller, **data.model_dump())
        return PrincipalRead.model_validate(principal)

    @get("/", summary="List principals")
    async def list_(
        self, auth: NamedDependency[AuthService], role: Annotated[Role | None, QueryParameter()] = None
    ) -> list[PrincipalRead]:
        rows = await auth.list_principals(role=role)
        return [PrincipalRead.model_validate(r) for r in rows]

    @post("/{principal_id:uuid}/tokens", summary="Issue a token; the plain token is in this answer only")
    async def issue_token(
        self, principal_id: FromPath[UUID], data: JSONBody[TokenCreate], auth: NamedDependency[AuthService],
        caller: CurrentCaller,
    ) -> TokenIssued:
        lifetime = timedelta(days=data.lifetime_days) if data.lifetime_days else None
        issued = await auth.issue_token(
            caller, principal_id, label=data.label, lifetime=lifetime
        )
        return TokenIssued(**TokenRead.model_validate(issued.token).model_dump(), token=issued.plaintext)


class TokenController(Controller):
    path = "/admin/tokens"
    tags = ["admin"]
    guards = [requires(Role.ADMIN)]
    dependencies = PROVIDERS

    @get("/", summary="List tokens (never their secret)")
    async def list_(
        self,
        auth: NamedDependency[AuthService],
        principal_id: Annotated[UUID | None, QueryParameter()] = None,
    ) -> list[TokenRead]:
        rows = await auth.list_tokens(principal_id=principal_id)
        return [TokenRead.model_validate(r) for r in rows]

    @post("/{token_id:uuid}/revoke", summary="Revoke a token; effective on the next request", status_code=200)
    async def revoke(
        self, token_id: FromPath[UUID], auth: NamedDependency[AuthService], caller: CurrentCaller
    ) -> TokenRead:
        return TokenRead.model_validate(await auth.revoke_token(caller, token_id))


class AccountController(Controller):
    """The calling principal's own account (portal): who am I, and my tokens."""

    path = "/account"
    tags = ["portal"]
    dependencies = PROVIDERS

    @get("/", summary="The principal behind this token")
    async def me(self, auth: NamedDependency[AuthService], caller: CurrentCaller) -> PrincipalRead:
        assert caller.principal_id is not None
        return PrincipalRead.model_validate(await auth.get_principal(caller.principal_id))

    @get("/tokens", summary="My tokens (never their secret)")
    async def my_tokens(self, auth: NamedDependency[AuthService], caller: CurrentCaller) -> list[TokenRead]:
        rows = await auth.list_tokens(principal_id=caller.principal_id)
        return [TokenRead.model_validate(r) for r in rows]

    @get("/tokens/{token_id:uuid}", summary="One of my tokens")
    async def my_token(self, token_id: FromPath[UUID], session: DbSession, caller: CurrentCaller) -> TokenRead:
        return TokenRead.model_validate(await get_scoped(session, ApiToken, token_id, caller, what="token"))
