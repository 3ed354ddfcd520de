"""Companies: create, change, find."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.companies.models import Company, Sector
from erkenning.companies.schemas import CompanyCreate, CompanyUpdate
from erkenning.core import paging
from erkenning.core.audit import service as audit
from erkenning.core.auth.scope import get_scoped, scoped
from erkenning.core.caller import Caller
from erkenning.core.db import utcnow
from erkenning.core.errors import Conflict, StaleVersion


@dataclass(frozen=True)
class CompanyFilter:
    name: str | None = None
    kvk_number: str | None = None
    postcode: str | None = None
    city: str | None = None
    sector: Sector | None = None
    recognition_status: str | None = None


class DuplicateEstablishment(Conflict):
    type = "duplicate-establishment"
    title = "A company with this establishment number exists"


class CompanyService:
    """Leerbedrijven: kept by advisers; a company sees only itself."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, company_id: UUID, caller: Caller, *, for_update: bool = False) -> Company:
        return await get_scoped(self.session, Company, company_id, caller, for_update=for_update, what="company")

    async def get_many(self, company_ids: Iterable[UUID], caller: Caller) -> dict[UUID, Company]:
        """The companies with these ids that the caller may see, by id (for lists that name them)."""
        wanted = set(company_ids)
        if not wanted:
            return {}
        stmt = scoped(select(Company), Company, caller).where(col(Company.id).in_(wanted))
        return {company.id: company for company in (await self.session.exec(stmt)).all()}

    async def create(self, data: CompanyCreate, caller: Caller) -> Company:
        company = Company(**data.model_dump(exclude_none=True))
        self.session.add(company)
        try:
            async with self.session.begin_nested():
                await self.session.flush()
        except IntegrityError as exc:
            raise self._conflict(exc) from None
        await audit.record(self.session, caller, "company.created", company)
        return company

    async def update(self, company_id: UUID, data: CompanyUpdate, caller: Caller) -> Company:
        company = await self.get(company_id, caller, for_update=True)
        if company.version != data.version:
            raise StaleVersion(f"company is at version {company.version}, not {data.version}")
        changes = data.model_dump(exclude_unset=True, exclude={"version"})
        for field, value in changes.items():
            setattr(company, field, value)
        company.version += 1
        company.updated_at = utcnow()
        self.session.add(company)
        try:
            async with self.session.begin_nested():
                await self.session.flush()
        except IntegrityError as exc:
            raise self._conflict(exc) from None
        await audit.record(self.session, caller, "company.updated", company, detail={"fields": sorted(changes)})
        return company

    async def list(
        self, caller: Caller, filters: CompanyFilter, *, limit: int, offset: int
    ) -> tuple[list[Company], int]:
        stmt = scoped(select(Company), Company, caller)
        if filters.name:
            stmt = stmt.where(sa.func.lower(Company.name).contains(filters.name.lower(), autoescape=True))
        if filters.kvk_number:
            stmt = stmt.where(Company.kvk_number == filters.kvk_number)
        if filters.postcode:
            stmt = stmt.where(Company.postcode == filters.postcode)
        if filters.city:
            stmt = stmt.where(sa.func.lower(Company.city) == filters.city.lower())
        if filters.sector:
            stmt = stmt.where(Company.sector == filters.sector)
        if filters.recognition_status:
            recognition = sa.table("recognition", sa.column("company_id"), sa.column("status"))
            stmt = stmt.where(
                sa.exists().where(
                    recognition.c.company_id == Company.id, recognition.c.status == filters.recognition_status
                )
            )
        return await paging.fetch_page(
            self.session, stmt, col(Company.name), col(Company.id), limit=limit, offset=offset
        )

    @staticmethod
    def _conflict(exc: IntegrityError) -> Conflict:
        text = str(exc.orig)
        if "establishment_number" in text:
            return DuplicateEstablishment("A company with this establishment number is already registered")
        if "sbb_id" in text:
            return Conflict("This SBB company id is already in use")
        return Conflict("Conflicts with an existing company")
