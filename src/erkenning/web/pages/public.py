"""Pages for everyone, without signing in: the register (search by exact keys, a company's card) and
the certificate check. Rate limited as the API is (a 429 is a Dutch page)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, QueryParameter
from litestar.response import Template
from pydantic import BaseModel, ConfigDict

from erkenning.companies.schemas import EstablishmentNumber, KvkNumber, Name, Postcode, SbbId
from erkenning.core import clock, context
from erkenning.core.errors import NotFound, ValidationFailed
from erkenning.core.runtime import Runtime
from erkenning.http.dependencies import DbSession, RuntimeDep
from erkenning.recognition.schemas import Crebo
from erkenning.register.quota import register_quota
from erkenning.register.schemas import COMPANY_KEY
from erkenning.register.services import lookup as register
from erkenning.training.services import completions
from erkenning.vocabulary import long_date
from erkenning.web import fields, nav, wording
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


SEARCH_FIELDS = (
    fields.KVK_NUMBER,
    fields.ESTABLISHMENT_NUMBER,
    fields.SBB_ID,
    Field("name", "Naam van het bedrijf", required=False, autocomplete="off",
          hint="De volledige naam, samen met de postcode."),
    Field("postcode", "Postcode", required=False, width="s", autocomplete="off", hint="Bijvoorbeeld 1234 AB.",
          invalid="Vul een Nederlandse postcode in, bijvoorbeeld 1234 AB."),
    replace(fields.CREBO, hint="5 cijfers; samen met de postcode vindt u wie daar nu voor erkend is."),
)
WHICH_KEYS = (
    "Zoek met één van deze: het KvK-nummer, het vestigingsnummer of het leerbedrijf-ID; "
    "of de naam én de postcode; of de crebo-code én de postcode."
)


class RegisterSearch(BaseModel):
    """The search form's values, each checked as the register's API checks it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kvk_number: KvkNumber | None = None
    establishment_number: EstablishmentNumber | None = None
    sbb_id: SbbId | None = None
    name: Name | None = None
    postcode: Postcode | None = None
    crebo: Crebo | None = None


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
        kvk_number: Text = None, establishment_number: Text = None, sbb_id: Text = None, name: Text = None,
        postcode: Text = None, crebo: Text = None, pagina: PageNumber = 1,
    ) -> Template:
        entered = {"kvk_number": kvk_number, "establishment_number": establishment_number, "sbb_id": sbb_id,
                   "name": name, "postcode": postcode, "crebo": crebo}
        form = Form(SEARCH_FIELDS, {k: v or "" for k, v in entered.items()})
        rows: list[Any] = []
        pager = None
        if any(value.strip() for value in form.values.values()):
            keys = form.validate(RegisterSearch)
            if keys is not None:
                try:
                    rows, total = await register.search(
                        runtime, register.SearchKeys(**keys.model_dump()),
                        limit=PAGE_SIZE, offset=(pagina - 1) * PAGE_SIZE,
                    )
                except ValidationFailed:
                    form.message = WHICH_KEYS
                else:
                    pager = Pager(request, pagina, PAGE_SIZE, shown=len(rows), total=total)
        return page(request, "public/register.html", title="Register van erkende leerbedrijven", form=form,
                    rows=rows, pager=pager, status_code=400 if form.has_errors else 200)

    @get("/register/{company:str}", name="register_card", guards=[register_limit])
    async def card(self, request: Request[Any, Any, Any], company: FromPath[str], runtime: RuntimeDep) -> Template:
        if not re.fullmatch(COMPANY_KEY, company):
            raise NotFound("No such company in the register")
        found = await register.card(runtime, company)
        sentences = [
            f"Erkend voor {wording.qualification_label(r.qualification, r.level, r.pathway)}"
            + (f" sinds {long_date(r.since)}." if r.since else ".")
            for r in found.recognitions
        ]
        return page(request, "public/card.html", title=found.name, company=found, sentences=sentences,
                    today=clock.today())

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
