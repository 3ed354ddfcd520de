"""Companies in the back office (list, card, register, change) and a company's own card."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import TypeAdapter, ValidationError

from erkenning.companies.models import Sector
from erkenning.companies.schemas import CompanyCreate, CompanyUpdate, KvkNumber, normalise_postcode
from erkenning.companies.service import CompanyFilter, CompanyService, DuplicateEstablishment
from erkenning.core.caller import STAFF_ROLES, Caller, Role
from erkenning.core.errors import Conflict, StaleVersion, ValidationFailed
from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.http.guards import requires
from erkenning.recognition.models import RecognitionStatus
from erkenning.vocabulary import RECOGNITION_STATUSES, SECTORS
from erkenning.web import nav
from erkenning.web.actions import service_call
from erkenning.web.forms import Field, Form
from erkenning.web.listing import PageNumber, listing
from erkenning.web.pages.company_overview import CompanyOverview, provide_company_overview
from erkenning.web.pages.start import start_section
from erkenning.web.rendering import flash_message, page, redirect

CREATED = flash_message("company-created", "Het bedrijf is geregistreerd.")
UPDATED = flash_message("company-updated", "De gegevens van het bedrijf zijn opgeslagen.")
PAGE_SIZE = 25

_SECTOR_OPTIONS = tuple((s.value, SECTORS[s]) for s in Sector)
FIELDS = (
    Field("name", "Naam", missing="Vul de naam van het bedrijf in.", autocomplete="off"),
    Field("kvk_number", "KvK-nummer", hint="8 cijfers", inputmode="numeric", width="s", autocomplete="off",
          missing="Vul het KvK-nummer in.",
          invalid="Een KvK-nummer bestaat uit precies 8 cijfers, bijvoorbeeld 12345678."),
    Field("establishment_number", "Vestigingsnummer", hint="12 cijfers; staat op het uittreksel van de KvK",
          inputmode="numeric", width="m", autocomplete="off", missing="Vul het vestigingsnummer in.",
          invalid="Een vestigingsnummer bestaat uit precies 12 cijfers, bijvoorbeeld 000012345678."),
    Field("street", "Straat", required=False, autocomplete="off"),
    Field("house_number", "Huisnummer", required=False, width="xs", autocomplete="off",
          invalid="Een huisnummer is hoogstens 20 tekens lang."),
    Field("postcode", "Postcode", hint="Bijvoorbeeld 1234 AB", width="s", autocomplete="off",
          missing="Vul de postcode in.",
          invalid="Vul een Nederlandse postcode in, bijvoorbeeld 1234 AB."),
    Field("city", "Plaats", missing="Vul de plaats in.", autocomplete="off"),
    Field("sector", "Sector", kind="select", options=_SECTOR_OPTIONS, missing="Kies de sector.",
          invalid="Kies de sector."),
    Field("email", "E-mailadres", kind="email", required=False, autocomplete="off",
          invalid="Vul een geldig e-mailadres in, bijvoorbeeld info@bedrijf.nl."),
)
SBB_ID = Field("sbb_id", "Leerbedrijf-ID", required=False, width="m", inputmode="numeric", autocomplete="off",
               hint="Laat leeg, dan krijgt het bedrijf een nieuw nummer.",
               invalid="Een leerbedrijf-ID bestaat uit hoogstens 12 cijfers.")
CREATE_FIELDS = (*FIELDS, SBB_ID)
EDIT_FIELDS = (
    *(replace(f, readonly=True, hint=None) if f.name == "establishment_number" else f for f in FIELDS),
    Field("version", "Versie", kind="hidden"),
)

_DUPLICATE = "Er is al een bedrijf met dit vestigingsnummer geregistreerd."
_STALE = (
    "Iemand anders heeft dit bedrijf intussen gewijzigd. Hieronder staan de huidige gegevens; "
    "voer uw wijziging opnieuw in."
)

Text = Annotated[str | None, QueryParameter(max_length=200)]
FILTER_FIELDS = (
    Field("naam", "Naam bevat", required=False),
    Field("kvk", "KvK-nummer", required=False, inputmode="numeric", width="s",
          invalid="Een KvK-nummer bestaat uit precies 8 cijfers."),
    Field("postcode", "Postcode", required=False, width="s", invalid="Vul een postcode in zoals 1234 AB."),
    Field("plaats", "Plaats", required=False),
    Field("sector", "Sector", kind="select", required=False, options=(("", "Alle sectoren"), *_SECTOR_OPTIONS)),
    Field("status", "Status van een erkenning", kind="select", required=False,
          options=(("", "Alle"), *((s.value, RECOGNITION_STATUSES[s][0]) for s in RecognitionStatus))),
)
_KVK = TypeAdapter(KvkNumber)


def _filters(form: Form) -> CompanyFilter | None:
    """The list's filters, checked with the same rules as the API's; None if one is wrong."""
    values = {k: v.strip() for k, v in form.values.items()}
    postcode = kvk = None
    try:
        kvk = _KVK.validate_python(values["kvk"]) if values["kvk"] else None
    except ValidationError:
        form.error("kvk", form["kvk"].invalid or "")
    try:
        postcode = normalise_postcode(values["postcode"]) if values["postcode"] else None
    except ValueError:
        form.error("postcode", form["postcode"].invalid or "")
    sector = values["sector"] if values["sector"] in Sector.__members__.values() else None
    status = values["status"] if values["status"] in RecognitionStatus.__members__.values() else None
    if form.has_errors:
        return None
    return CompanyFilter(values["naam"] or None, kvk, postcode, values["plaats"] or None,
                         Sector(sector) if sector else None, status)


nav.add("Bedrijven", "/bedrijven", STAFF_ROLES, order=10)


@start_section("Uw bedrijf", "companies/_own_card.html", {Role.COMPANY}, order=10)
async def own_company(caller: Caller, companies: CompanyService) -> dict[str, Any]:
    assert caller.company_id is not None
    return {"company": await companies.get(caller.company_id, caller)}


@start_section("Bedrijf zoeken", "companies/_search.html", STAFF_ROLES, order=90)
async def company_search() -> dict[str, Any]:
    return {}


class CompanyPages(Controller):
    path = "/bedrijven"
    guards = [requires(*STAFF_ROLES)]
    dependencies = {"company_overview": Provide(provide_company_overview)}

    @get("/", name="companies")
    async def list_(
        self,
        request: Request[Any, Any, Any],
        companies: NamedDependency[CompanyService],
        caller: CurrentCaller,
        naam: Text = None,
        kvk: Text = None,
        postcode: Text = None,
        plaats: Text = None,
        sector: Text = None,
        status: Text = None,
        pagina: PageNumber = 1,
    ) -> Template:
        entered = {"naam": naam, "kvk": kvk, "postcode": postcode, "plaats": plaats, "sector": sector, "status": status}
        result = await listing(
            request, FILTER_FIELDS, entered, _filters,
            lambda filters, limit, offset: companies.list(caller, filters, limit=limit, offset=offset),
            page=pagina, size=PAGE_SIZE,
        )
        return page(request, "companies/list.html", title="Bedrijven", result=result, status_code=result.status_code)

    @get("/nieuw", name="company_new")
    async def new(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "companies/form.html", title="Bedrijf registreren", form=Form(CREATE_FIELDS), company=None)

    @post("/nieuw")
    async def create(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]], session: DbSession,
        companies: NamedDependency[CompanyService], caller: CurrentCaller,
    ) -> Template | Redirect:
        form = Form(CREATE_FIELDS, data)
        payload = form.validate(CompanyCreate)
        if payload is not None:
            async with service_call(session, Conflict) as outcome:
                company = await companies.create(payload, caller)
            if outcome.refusal is None:
                return redirect(request, f"/bedrijven/{company.id}", flash=CREATED)
            if isinstance(outcome.refusal, DuplicateEstablishment):
                form.error("establishment_number", _DUPLICATE)
            else:
                form.error("sbb_id", "Dit leerbedrijf-ID is al in gebruik.")
        return page(request, "companies/form.html", title="Bedrijf registreren", form=form, company=None,
                    status_code=422)

    @get("/{company_id:uuid}", name="company")
    async def card(
        self, request: Request[Any, Any, Any], company_id: FromPath[UUID], companies: NamedDependency[CompanyService],
        company_overview: NamedDependency[CompanyOverview], caller: CurrentCaller,
    ) -> Template:
        company = await companies.get(company_id, caller)
        overview = await company_overview.of(caller, company)
        return page(request, "companies/card.html", title=company.name, company=company, overview=overview)

    @get("/{company_id:uuid}/wijzigen", name="company_edit")
    async def edit(
        self, request: Request[Any, Any, Any], company_id: FromPath[UUID], companies: NamedDependency[CompanyService],
        caller: CurrentCaller,
    ) -> Template:
        company = await companies.get(company_id, caller)
        form = Form.from_object(EDIT_FIELDS, company)
        return page(request, "companies/form.html", title=f"{company.name} wijzigen", form=form, company=company)

    @post("/{company_id:uuid}/wijzigen")
    async def update(
        self, request: Request[Any, Any, Any], company_id: FromPath[UUID], data: URLEncodedBody[dict[str, str]],
        session: DbSession, companies: NamedDependency[CompanyService], caller: CurrentCaller,
    ) -> Template | Redirect:
        company = await companies.get(company_id, caller)
        form = Form(EDIT_FIELDS, {**data, "establishment_number": company.establishment_number})
        payload = form.validate(CompanyUpdate)
        status = 422
        if payload is not None:
            async with service_call(session, StaleVersion, Conflict, ValidationFailed) as outcome:
                await companies.update(company_id, payload, caller)
            if outcome.refusal is None:
                return redirect(request, f"/bedrijven/{company_id}", flash=UPDATED)
            company = await companies.get(company_id, caller)
            if isinstance(outcome.refusal, StaleVersion):
                form = Form.from_object(EDIT_FIELDS, company)
                form.message, status = _STALE, 409
            elif isinstance(outcome.refusal, ValidationFailed):
                form.add_validation_failed(outcome.refusal)
            else:
                form.message, status = "Deze wijziging botst met de gegevens van een ander bedrijf.", 409
        return page(request, "companies/form.html", title=f"{company.name} wijzigen", form=form, company=company,
                    status_code=status)
