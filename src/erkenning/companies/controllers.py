"""Back-office routes for companies."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from erkenning.companies.models import Sector
from erkenning.companies.schemas import (
    POSTCODE_PATTERN,
    CompanyCreate,
    CompanyRead,
    CompanyUpdate,
    normalise_postcode,
)
from erkenning.companies.service import CompanyFilter, CompanyService
from erkenning.core.errors import ValidationFailed
from erkenning.core.paging import Limit, Offset, Page
from erkenning.http.dependencies import CurrentCaller, provide
from erkenning.http.openapi import EMAIL_CHECKED

# The domain's services, injected by name into its routes and the web pages.
PROVIDERS = {"companies": provide(CompanyService)}


class CompanyController(Controller):
    path = "/companies"
    tags = ["companies"]
    dependencies = PROVIDERS

    @post("/", summary="Register a company (one establishment)", description=EMAIL_CHECKED)
    async def create(
        self, data: JSONBody[CompanyCreate], companies: NamedDependency[CompanyService], caller: CurrentCaller
    ) -> CompanyRead:
        return CompanyRead.model_validate(await companies.create(data, caller))

    @get("/", summary="Find companies (filters combine; paginated with a total)")
    async def list_(
        self,
        companies: NamedDependency[CompanyService],
        caller: CurrentCaller,
        name: Annotated[str | None, QueryParameter(max_length=200, description="part of the name")] = None,
        kvk_number: Annotated[str | None, QueryParameter(pattern=r"^[0-9]{8}$")] = None,
        postcode: Annotated[str | None, QueryParameter(max_length=50, pattern=POSTCODE_PATTERN)] = None,
        city: Annotated[str | None, QueryParameter(max_length=100)] = None,
        sector: Annotated[Sector | None, QueryParameter()] = None,
        recognition_status: Annotated[
            str | None, QueryParameter(pattern="^(pending|active|suspended|withdrawn|lapsed|refused)$")
        ] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[CompanyRead]:
        if postcode is not None:
            try:
                postcode = normalise_postcode(postcode)
            except ValueError as exc:
                raise ValidationFailed([{"field": "postcode", "message": str(exc)}]) from None
        filters = CompanyFilter(name, kvk_number, postcode, city, sector, recognition_status)
        rows, total = await companies.list(caller, filters, limit=limit, offset=offset)
        return Page(items=[CompanyRead.model_validate(r) for r in rows], total=total, limit=limit, offset=offset)

    @get("/{company_id:uuid}", summary="One company")
    async def get_one(
        self, company_id: FromPath[UUID], companies: NamedDependency[CompanyService], caller: CurrentCaller
    ) -> CompanyRead:
        return CompanyRead.model_validate(await companies.get(company_id, caller))

    @patch("/{company_id:uuid}", summary="Change a company (send the version you read; 409 if it moved on)",
           description=EMAIL_CHECKED)
    async def update(
        self, company_id: FromPath[UUID], data: JSONBody[CompanyUpdate], companies: NamedDependency[CompanyService],
        caller: CurrentCaller,
    ) -> CompanyRead:
        return CompanyRead.model_validate(await companies.update(company_id, data, caller))
