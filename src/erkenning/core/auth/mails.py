"""E-mails about accounts: a principal is told when a token is issued for it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.auth.models import ApiToken, Principal
from erkenning.core.mail import Composed, Composer


async def compose_token_issued(session: AsyncSession, payload: dict[str, Any]) -> Composed:
    token = await session.get(ApiToken, UUID(payload["token_id"]))
    principal = await session.get(Principal, token.principal_id) if token else None
    if token is None or principal is None:
        return Composed(to=None, context={})
    return Composed(
        to=principal.email,
        context={"name": principal.name, "prefix": token.prefix, "expires_at": token.expires_at, "label": token.label},
    )


COMPOSERS: dict[str, Composer] = {"token_issued": compose_token_issued}
