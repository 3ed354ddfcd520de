"""Contactpersonen: who may act for a company or a school and sign in with an e-mail link.

A company manages its own (`/portaal/contactpersonen`), a school its own (`/school/contactpersonen`), and an
admin those of any company or school (`/beheer/contactpersonen?bedrijf=<id>` or `?school=<BRIN>`). Every
change is the API's `ContactService` call, audited there.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from erkenning.core.auth.contacts import ContactExists, ContactService
from erkenning.core.auth.schemas import ContactCreate
from erkenning.core.caller import Caller, Role
from erkenning.core.errors import Conflict, NotFound
from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.http.guards import requires
from erkenning.web import nav
from erkenning.web.actions import service_call
from erkenning.web.forms import Field, Form
from erkenning.web.rendering import flash_message, page, redirect

ADDED = flash_message("contact-added", "De contactpersoon is toegevoegd. Hij of zij kan nu inloggen met een inloglink.")
REMOVED = flash_message("contact-removed", "De contactpersoon is verwijderd en kan niet meer inloggen.")
NOT_REMOVED = flash_message(
    "contact-not-removed", "U kunt uzelf niet verwijderen. Vraag een andere contactpersoon of SBB.", tone="warning"
)
FIELDS = (
    Field("name", "Naam", autocomplete="off", width="l"),
    Field("email", "E-mailadres", kind="email", autocomplete="off", width="l",
          hint="Met dit adres logt de contactpersoon in; hij of zij krijgt daar een inloglink.",
          invalid="Vul een e-mailadres in zoals naam@voorbeeld.nl."),
)
Contacts = NamedDependency[ContactService]
CompanyQuery = Annotated[UUID | None, QueryParameter(name="bedrijf")]
SchoolQuery = Annotated[
    str | None, QueryParameter(name="school", min_length=4, max_length=6, pattern="^[0-9]{2}[A-Z]{2}([0-9]{2})?$")
]

nav.add("Contactpersonen", "/portaal/contactpersonen", {Role.COMPANY}, order=80)
nav.add("Contactpersonen", "/school/contactpersonen", {Role.SCHOOL}, order=80)


def _show(
    request: Request[Any, Any, Any], rows: list[Any], form: Form, action: str, caller: Caller, *, status_code: int = 200
) -> Template:
    return page(request, "contacts/list.html", title="Contactpersonen", status_code=status_code, contacts=rows,
                form=form, action=action, me=caller.principal_id)


async def _add(
    request: Request[Any, Any, Any], data: dict[str, str], session: DbSession, contacts: ContactService,
    caller: Caller, action: str, back: str, **organisation: Any,
) -> Template | Redirect:
    form = Form(FIELDS, data)
    payload = form.validate(ContactCreate)
    if payload is not None:
        async with service_call(session, ContactExists) as outcome:
            await contacts.add(caller, **payload.model_dump(), **organisation)
        if outcome.refusal is None:
            return redirect(request, back, flash=ADDED)
        form.error("email", "Dit e-mailadres is al contactpersoon van een bedrijf of school.")
    rows = await contacts.list(caller, **organisation)
    return _show(request, rows, form, action, caller, status_code=422)


async def _remove(
    request: Request[Any, Any, Any], session: DbSession, contacts: ContactService, caller: Caller, contact_id: UUID,
    back: str,
) -> Redirect:
    async with service_call(session, Conflict) as outcome:
        await contacts.remove(caller, contact_id)
    return redirect(request, back, flash=REMOVED if outcome.refusal is None else NOT_REMOVED)


class _OwnContactPages(Controller):
    """The pages of the caller's own organisation (company or school)."""

    base: str = ""

    @get("/")
    async def list_(self, request: Request[Any, Any, Any], contacts: Contacts, caller: CurrentCaller) -> Template:
        return _show(request, await contacts.list(caller), Form(FIELDS), self.base, caller)

    @post("/")
    async def add(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]], session: DbSession,
        contacts: Contacts, caller: CurrentCaller,
    ) -> Template | Redirect:
        return await _add(request, data, session, contacts, caller, self.base, self.base)

    @post("/{contact_id:uuid}/verwijderen")
    async def remove(
        self, request: Request[Any, Any, Any], contact_id: FromPath[UUID], session: DbSession, contacts: Contacts,
        caller: CurrentCaller,
    ) -> Redirect:
        return await _remove(request, session, contacts, caller, contact_id, self.base)


class CompanyContactPages(_OwnContactPages):
    path = base = "/portaal/contactpersonen"
    guards = [requires(Role.COMPANY)]


class SchoolContactPages(_OwnContactPages):
    path = base = "/school/contactpersonen"
    guards = [requires(Role.SCHOOL)]


class AdminContactPages(Controller):
    """Beheer: the contacts of any company (from its card) or school (by BRIN)."""

    path = "/beheer/contactpersonen"
    guards = [requires(Role.ADMIN)]

    @staticmethod
    def _organisation(bedrijf: UUID | None, school: str | None) -> tuple[dict[str, Any], str]:
        if bedrijf is not None:
            return {"company_id": bedrijf}, f"/beheer/contactpersonen?bedrijf={bedrijf}"
        if school is not None:
            return {"school_brin": school}, f"/beheer/contactpersonen?school={school}"
        raise NotFound("Name a company or a school")

    @get("/")
    async def list_(
        self, request: Request[Any, Any, Any], contacts: Contacts, caller: CurrentCaller,
        bedrijf: CompanyQuery = None, school: SchoolQuery = None,
    ) -> Template:
        organisation, here = self._organisation(bedrijf, school)
        return _show(request, await contacts.list(caller, **organisation), Form(FIELDS), here, caller)

    @post("/")
    async def add(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]], session: DbSession,
        contacts: Contacts, caller: CurrentCaller, bedrijf: CompanyQuery = None, school: SchoolQuery = None,
    ) -> Template | Redirect:
        organisation, here = self._organisation(bedrijf, school)
        return await _add(request, data, session, contacts, caller, here, here, **organisation)

    @post("/{contact_id:uuid}/verwijderen")
    async def remove(
        self, request: Request[Any, Any, Any], contact_id: FromPath[UUID], session: DbSession, contacts: Contacts,
        caller: CurrentCaller, bedrijf: CompanyQuery = None, school: SchoolQuery = None,
    ) -> Redirect:
        _, here = self._organisation(bedrijf, school)
        return await _remove(request, session, contacts, caller, contact_id, here)
