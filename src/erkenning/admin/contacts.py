"""Contacts of companies and schools (the addresses that sign in with an e-mail link): admins for every
company and school, a company for itself (portal), a school for itself (register, school token)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, PathParameter

from erkenning.core.auth.contacts import ContactService
from erkenning.core.auth.schemas import ContactCreate, ContactRead
from erkenning.core.caller import Role
from erkenning.http.dependencies import CurrentCaller, provide
from erkenning.http.guards import requires

PROVIDERS = {"contacts": provide(ContactService)}
Brin = Annotated[str, PathParameter(min_length=4, max_length=6, pattern="^[0-9]{2}[A-Z]{2}([0-9]{2})?$")]
Contacts = NamedDependency[ContactService]


class AdminContactController(Controller):
    """Back office: who may act for a company or a school (admins)."""

    path = "/admin"
    tags = ["admin"]
    guards = [requires(Role.ADMIN)]
    dependencies = PROVIDERS

    @get("/companies/{company_id:uuid}/contacts", summary="The contacts of a company")
    async def company_contacts(
        self, company_id: FromPath[UUID], contacts: Contacts, caller: CurrentCaller
    ) -> list[ContactRead]:
        return [ContactRead.model_validate(c) for c in await contacts.list(caller, company_id=company_id)]

    @post("/companies/{company_id:uuid}/contacts", summary="Add a contact to a company (signs in by e-mail link)")
    async def add_company_contact(
        self, company_id: FromPath[UUID], data: JSONBody[ContactCreate], contacts: Contacts, caller: CurrentCaller
    ) -> ContactRead:
        return ContactRead.model_validate(await contacts.add(caller, company_id=company_id, **data.model_dump()))

    @get("/schools/{school_brin:str}/contacts", summary="The contacts of a school")
    async def school_contacts(
        self, school_brin: Brin, contacts: Contacts, caller: CurrentCaller
    ) -> list[ContactRead]:
        return [ContactRead.model_validate(c) for c in await contacts.list(caller, school_brin=school_brin)]

    @post("/schools/{school_brin:str}/contacts", summary="Add a contact to a school (signs in by e-mail link)")
    async def add_school_contact(
        self, school_brin: Brin, data: JSONBody[ContactCreate], contacts: Contacts, caller: CurrentCaller
    ) -> ContactRead:
        return ContactRead.model_validate(await contacts.add(caller, school_brin=school_brin, **data.model_dump()))

    @delete("/contacts/{contact_id:uuid}", summary="Remove a contact: its sign-in and sessions end")
    async def remove(self, contact_id: FromPath[UUID], contacts: Contacts, caller: CurrentCaller) -> None:
        await contacts.remove(caller, contact_id)


class _OwnContacts(Controller):
    """The caller's own organisation's contacts (a company's or a school's)."""

    dependencies = PROVIDERS

    @get("/", summary="Our contacts: who may act for us and sign in with an e-mail link")
    async def list_(self, contacts: Contacts, caller: CurrentCaller) -> list[ContactRead]:
        return [ContactRead.model_validate(c) for c in await contacts.list(caller)]

    @post("/", summary="Add a contact who may act for us")
    async def add(self, data: JSONBody[ContactCreate], contacts: Contacts, caller: CurrentCaller) -> ContactRead:
        return ContactRead.model_validate(await contacts.add(caller, **data.model_dump()))

    @delete("/{contact_id:uuid}", summary="Remove one of our contacts: its sign-in and sessions end")
    async def remove(self, contact_id: FromPath[UUID], contacts: Contacts, caller: CurrentCaller) -> None:
        await contacts.remove(caller, contact_id)


class CompanyContactController(_OwnContacts):
    path = "/contacts"
    tags = ["portal"]
    guards = [requires(Role.COMPANY)]


class SchoolContactController(_OwnContacts):
    path = "/school/contacts"
    tags = ["register"]
    guards = [requires(Role.SCHOOL)]
