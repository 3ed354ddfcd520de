"""`erkenning token`: create, issue, list and revoke API tokens (the admin API does the same)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import UUID

import click

from erkenning.core.settings import get_settings


@click.group()
def token() -> None:
    """Create, list and revoke API tokens."""


def _with_service(fn: Any) -> Any:
    async def run() -> Any:
        from erkenning.core.auth.service import AuthService
        from erkenning.core.runtime import Runtime

        runtime = Runtime.create(get_settings())
        try:
            async with runtime.transaction() as session:
                return await fn(AuthService(session, runtime.settings))
        finally:
            await runtime.close()

    return asyncio.run(run())


@token.command("create")
@click.option("--name", required=True, help="who the principal is")
@click.option("--role", required=True, type=click.Choice(["admin", "senior_adviser", "adviser", "company", "school"]))
@click.option("--email", default=None)
@click.option("--company-id", type=click.UUID, default=None, help="for role company")
@click.option("--school-brin", default=None, help="for role school")
@click.option("--label", default=None)
@click.option("--days", type=int, default=None, help="lifetime in days (default per role)")
def token_create(
    name: str, role: str, email: str | None, company_id: UUID | None, school_brin: str | None,
    label: str | None, days: int | None,
) -> None:
    """Create a principal and issue its first token (printed once)."""
    from erkenning.core.auth.schemas import PrincipalCreate
    from erkenning.core.caller import Caller, Role

    data = PrincipalCreate(name=name, role=Role(role), email=email, company_id=company_id, school_brin=school_brin)
    cli = Caller.system("cli")

    async def create(service: Any) -> Any:
        principal = await service.create_principal(cli, **data.model_dump())
        lifetime = timedelta(days=days) if days else None
        return principal, await service.issue_token(cli, principal.id, label=label, lifetime=lifetime)

    principal, issued = _with_service(create)
    click.echo(f"principal {principal.id} ({principal.role.value})")
    click.echo(f"token {issued.token.id} expires {issued.token.expires_at or 'never'}")
    click.echo(issued.plaintext)


@token.command("issue")
@click.argument("principal_id", type=click.UUID)
@click.option("--label", default=None)
@click.option("--days", type=int, default=None)
def token_issue(principal_id: UUID, label: str | None, days: int | None) -> None:
    """Issue another token for an existing principal."""
    from erkenning.core.caller import Caller

    issued = _with_service(
        lambda s: s.issue_token(
            Caller.system("cli"), principal_id, label=label, lifetime=timedelta(days=days) if days else None
        )
    )
    click.echo(f"token {issued.token.id} expires {issued.token.expires_at or 'never'}")
    click.echo(issued.plaintext)


@token.command("list")
def token_list() -> None:
    """List tokens (prefix, state; never the secret)."""
    tokens = _with_service(lambda s: s.list_tokens())
    for t in tokens:
        state = "revoked" if t.revoked_at else "active"
        click.echo(f"{t.id}  {t.prefix}…  {state:<8} principal={t.principal_id} label={t.label or ''}")


@token.command("revoke")
@click.argument("token_id", type=click.UUID)
def token_revoke(token_id: UUID) -> None:
    """Revoke a token; it is refused from the next request on."""
    from erkenning.core.caller import Caller

    t = _with_service(lambda s: s.revoke_token(Caller.system("cli"), token_id))
    click.echo(f"revoked {t.id} at {t.revoked_at}")
