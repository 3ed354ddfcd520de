"""Calling a service from a form: a refusal undoes the whole transaction, exactly as in the API.

In the JSON API a DomainError propagates and the request's transaction rolls back. A page instead
catches the refusal to show it in the form, and then returns normally, which would commit. So a
page wraps the service call: on a refusal it rolls back (nothing of a refused change is kept, not
even a flushed row or a buffered audit record) and hands the refusal to the page.

    async with service_call(session, DuplicateEstablishment) as outcome:
        company = await companies.create(payload, caller)
    if outcome.refusal is None:
        return redirect(request, f"/bedrijven/{company.id}", flash=CREATED)
    form.error("establishment_number", "Er is al een bedrijf met dit vestigingsnummer.")

After a refusal, ORM objects read earlier are expired: read again what the page shows. Refusals not
named propagate and become the error page, with the same rollback.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.errors import DomainError


@dataclass
class Outcome:
    refusal: DomainError | None = None


@asynccontextmanager
async def service_call(session: AsyncSession, *refusals: type[DomainError]) -> AsyncIterator[Outcome]:
    outcome = Outcome()
    try:
        yield outcome
    except refusals as exc:
        await session.rollback()
        outcome.refusal = exc
