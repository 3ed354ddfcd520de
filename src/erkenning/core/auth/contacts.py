"""Contacts: the e-mail addresses that may act for a company or a school (and sign in with an e-mail link).

Admins manage the contacts of every company and school; a company manages its own, and so does a school.
Each contact acts through a principal of its own (role company or school, scoped like a token), so the
audit trail and "who did this" name the person. Removing a contact deactivates that principal: its web
sessions end on the next request and its tokens stop working, while what it did stays attributed.
"""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.audit import service as audit
from erkenning.core.auth.models import Contact, Principal
from erkenning.core.auth.scope import get_scoped, scoped
from erkenning.core.caller import Caller, Role
from erkenning.core.errors import Conflict, Forbidden, NotFound, ValidationFailed


class ContactExists(Conflict):
    type = "contact-exists"
    title = "This e-mail address is already a contact"


def normalise(email: str) -> str:
    """Addresses are compared case-insensitively (RFC 5321 allows case in the local part; no mailbox uses it)."""
    return email.strip().lower()


class ContactService:
    """Contactpersonen of companies and schools."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _organisation(
        caller: Caller, company_id: UUID | None, school_brin: str | None
    ) -> tuple[UUID | None, str | None]:
        """Whose contacts: a company or school caller always its own; an admin names one."""
        if caller.role is Role.COMPANY:
            return caller.company_id, None
        if caller.role is Role.SCHOOL:
            return None, caller.school_brin
        if caller.role is not Role.ADMIN:
            raise Forbidden("Only admins manage the contacts of companies and schools")
        if (company_id is None) == (school_brin is None):
            raise ValidationFailed([{"field": "company_id", "message": "name either a company or a school"}])
        return company_id, school_brin

    async def list(
        self, caller: Caller, *, company_id: UUID | None = None, school_brin: str | None = None
    ) -> list[Contact]:
        company_id, school_brin = self._organisation(caller, company_id, school_brin)
        stmt = select(Contact).order_by(col(Contact.email))
        stmt = stmt.where(
            Contact.company_id == company_id if company_id is not None else Contact.school_brin == school_brin
        )
        return list((await self.session.exec(scoped(stmt, Contact, caller))).all())

    async def add(
        self, caller: Caller, *, email: str, name: str, company_id: UUID | None = None, school_brin: str | None = None
    ) -> Contact:
        company_id, school_brin = self._organisation(caller, company_id, school_brin)
        address = normalise(email)
        taken = (await self.session.exec(select(Contact.id).where(Contact.email == address))).first()
        if taken is not None:
            raise ContactExists("This address already acts for a company or a school; remove it there first")
        if company_id is not None:
            # The foundation imports no domain: the company table is named, not imported.
            conn = await self.session.connection()
            found = await conn.execute(sa.text("SELECT 1 FROM company WHERE id = :id"), {"id": company_id})
            if found.first() is None:
                raise NotFound("No such company")
        principal = Principal(
            name=name, email=address, role=Role.COMPANY if company_id else Role.SCHOOL,
            company_id=company_id, school_brin=school_brin,
        )
        self.session.add(principal)
        await self.session.flush()
        contact = Contact(
            email=address, name=name, company_id=company_id, school_brin=school_brin,
            principal_id=principal.id, created_by=caller.principal_id,
        )
        self.session.add(contact)
        await self.session.flush()
        detail = {"company_id": str(company_id) if company_id else None, "school_brin": school_brin,
                  "principal_id": str(principal.id)}
        await audit.record(self.session, caller, "contact.added", contact, detail=detail)
        return contact

    async def remove(self, caller: Caller, contact_id: UUID) -> None:
        contact = await get_scoped(self.session, Contact, contact_id, caller, for_update=True, what="contact")
        if caller.role not in (Role.ADMIN, Role.COMPANY, Role.SCHOOL):
            raise Forbidden("Only admins manage the contacts of companies and schools")
        if contact.principal_id == caller.principal_id:
            raise Conflict("You cannot remove yourself; ask another contact or SBB")
        await self.session.exec(
            sa.update(Principal).where(col(Principal.id) == contact.principal_id).values(active=False)
        )
        await self.session.delete(contact)
        await self.session.flush()
        await audit.record(
            self.session, caller, "contact.removed", object_type="contact", object_id=contact_id,
            detail={"principal_id": str(contact.principal_id)},
        )

    async def by_email(self, email: str) -> Contact | None:
        """The contact of this address whose principal is active (the sign-in link's look-up)."""
        stmt = (
            select(Contact)
            .join(Principal, col(Principal.id) == col(Contact.principal_id))
            .where(Contact.email == normalise(email), col(Principal.active))
        )
        return (await self.session.exec(stmt)).first()

    async def get(self, contact_id: UUID) -> Contact:
        contact = await self.session.get(Contact, contact_id)
        if contact is None:
            raise NotFound("No such contact")
        return contact
