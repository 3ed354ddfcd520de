"""Pages for everyone, without signing in: the register (search by exact keys, a company's card) and
the certificate check. Rate limited as the API is (a 429 is a Dutch page)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, QueryParameter
from litestar.response import Template
from pydantic import BaseModel, ConfigDict
from pydantic import Field as Rule

from erkenning.core import clock, context
from erkenning.core.caller import Role
from erkenning.core.errors import NotFound, ValidationFailed
from erkenning.core.runtime import Runtime
from erkenning.http.dependencies import DbSession, RuntimeDep
from erkenning.register.quota import register_quota
from erkenning.register.schemas import COMPANY_KEY, RegisterCompany
from erkenning.register.services import find
from erkenning.register.services import lookup as register
from erkenning.training.services import completions
from erkenning.vocabulary import term
from erkenning.web import nav, wording
from erkenning.web.forms import Field, Form
from erkenning.web.listing import PageNumber, Pager
from erkenning.web.rendering import page

PAGE_SIZE = 25
Text = Annotated[str | None, QueryParameter(max_length=200)]

nav.add("Register", "/register", set(), order=20, anonymous=True)
nav.add("Certificaat controleren", "/certificaat", set(), order=40, anonymous=True)
nav.add("Inloggen", "/inloggen", set(), order=99, anonymous=True)


async def register_limit(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """The register's own limits: per address, or per school for a signed-in school (as in the API)."""
    await register_quota(connection)


NUMBER_FIELD = Field(
    "number", "KvK-nummer, vestigingsnummer of leerbedrijf-ID", width="m", inputmode="numeric", autocomplete="off",
    hint="Het KvK-nummer heeft 8 cijfers, het vestigingsnummer 12; het leerbedrijf-ID is het nummer van SBB.",
    missing="Vul een KvK-nummer, vestigingsnummer of leerbedrijf-ID in.",
    invalid="Vul alleen cijfers in: 8 voor een KvK-nummer, 12 voor een vestigingsnummer, of het leerbedrijf-ID.",
)
NAME_FIELDS = (
    Field("name_contains", "Naam of een deel ervan", autocomplete="off",
          hint="Minstens één woord van 3 tekens of langer; meer woorden mag, in elke volgorde.",
          missing="Vul de naam of een deel ervan in.",
          invalid="Vul minstens één woord van 3 tekens of langer uit de naam in, en hoogstens 5 woorden."),
    Field("town", "Plaats", required=False, width="m", autocomplete="off", hint="Bijvoorbeeld Utrecht.",
          invalid="Een plaatsnaam heeft hoogstens 100 tekens."),
)
SEARCH_FIELDS = (NUMBER_FIELD, *NAME_FIELDS)
ONE_WAY = "Zoek op een nummer óf op de naam, niet op allebei tegelijk."


class NameSearch(BaseModel):
    """A search by part of the name (and town), checked as the register's API checks it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name_contains: str = Rule(min_length=find.MIN_NAME_CHARS, max_length=100)
    town: str | None = Rule(default=None, max_length=100)


@dataclass(frozen=True)
class Results:
    """What a search found, with the sentence above the list or the not-found answer."""

    rows: list[RegisterCompany]
    pager: Pager | None
    sentence: str


async def _find(request: Request[Any, Any, Any], runtime: Runtime, form: Form, pagina: int) -> Results | None:
    values = form.values
    offset = (pagina - 1) * PAGE_SIZE
    if values["number"].strip() and (values["name_contains"].strip() or values["town"].strip()):
        form.message = ONE_WAY
        return None
    if values["number"].strip():
        try:
            digits = find.normalise_number(values["number"])
        except ValueError:
            form.error("number", str(NUMBER_FIELD.invalid))
            return None
        kinds = find.number_kinds(digits)
        found = await find.by_number(runtime, digits, limit=PAGE_SIZE, offset=offset)
        searched = wording.searched_by_number(digits, kinds)
        missing = wording.not_found_by_number(digits, kinds)
    elif values["name_contains"].strip() or values["town"].strip():
        question = form.validate(NameSearch, only=("name_contains", "town"))
        if question is None:
            return None
        try:
            found = await find.by_name(runtime, question.name_contains, question.town, limit=PAGE_SIZE,
                                       offset=offset, cap=runtime.settings.register_name_search_cap)
        except ValidationFailed:
            form.error("name_contains", str(NAME_FIELDS[0].invalid))
            return None
        town = " ".join(question.town.split()) if question.town else None
        name = " ".join(question.name_contains.split())
        searched = wording.searched_by_name(name, town)
        missing = wording.not_found_by_name(name, town)
    else:
        return None
    if not found.total:
        return Results([], None, missing)
    pager = Pager(request, pagina, PAGE_SIZE, shown=len(found.items), total=found.total)
    return Results(found.items, pager, wording.search_found(found.total, searched, capped=found.capped))


CERTIFICATE_FIELDS = (
    Field("code", "Certificaatcode", width="m", autocomplete="off",
          hint="16 letters en cijfers; de code staat op het certificaat.",
          missing="Vul de certificaatcode in."),
)
_NO_CERTIFICATE = "Er is geen certificaat met deze code. Controleer of u de code goed heeft overgenomen."


async def _certificate_limit(runtime: Runtime) -> None:
    await runtime.limiter.hit(
        "certificate-check", context.origin.get() or "unknown",
        limit=runtime.settings.certificate_check_per_minute, window_s=60,
    )


class PublicPages(Controller):
    """Het openbare register en de certificaatcontrole."""

    path = "/"

    @get("/register", name="register_search", guards=[register_limit])
    async def search(
        self, request: Request[Any, Any, Any], runtime: RuntimeDep,
        number: Text = None, name_contains: Text = None, town: Text = None, pagina: PageNumber = 1,
    ) -> Template:
        """Find a company by one number (KvK, establishment or SBB id) or by part of the name plus town."""
        form = Form(SEARCH_FIELDS, {"number": number or "", "name_contains": name_contains or "", "town": town or ""})
        results = await _find(request, runtime, form, pagina)
        return page(request, "public/register.html", title="Register van erkende leerbedrijven", form=form,
                    results=results, status_code=400 if form.has_errors else 200)

    @get("/register/{company:str}", name="register_card", guards=[register_limit])
    async def card(self, request: Request[Any, Any, Any], company: FromPath[str], runtime: RuntimeDep) -> Template:
        if not re.fullmatch(COMPANY_KEY, company):
            raise NotFound("No such company in the register")
        found = await register.card(runtime, company)
        user = request.scope.get("user")
        check = "/school/controleren" if user is not None and user.role is Role.SCHOOL else "/register/controleren"
        rows = [
            {"recognition": r, "pathway": term(r.pathway),
             "label": wording.qualification_label(r.qualification, r.level, r.pathway),
             "check": f"{check}?" + urlencode({"company": found.sbb_id, "crebo": r.crebo, "pathway": r.pathway.value,
                                               "actie": "controleren"})}
            for r in found.recognitions
        ]
        return page(request, "public/card.html", title=found.name, company=found, rows=rows, today=clock.today())

    @get("/certificaat", name="certificate_check")
    async def certificate(
        self, request: Request[Any, Any, Any], session: DbSession, runtime: RuntimeDep,
        code: Annotated[str | None, QueryParameter(max_length=64)] = None,
    ) -> Template:
        form = Form(CERTIFICATE_FIELDS, {"code": code or ""})
        found = None
        status = 200
        if code is not None:
            if not code.strip():
                form.error("code", CERTIFICATE_FIELDS[0].missing_message())
                status = 400
            else:
                await _certificate_limit(runtime)
                try:
                    found = await completions.certificate(session, code)
                except NotFound:
                    form.error("code", _NO_CERTIFICATE)
                    status = 404
        return page(request, "public/certificate.html", title="Certificaat controleren", form=form, found=found,
                    status_code=status)
