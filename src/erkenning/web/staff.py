"""What the back-office pages share: names for ids, the advisers to assign to, refusals in Dutch.

Every lookup goes through a service (and so through the caller's scope); a page never queries a
table itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from uuid import UUID

from litestar.di import NamedDependency

from erkenning import vocabulary
from erkenning.companies.models import Company
from erkenning.companies.service import CompanyService
from erkenning.core.auth.service import AuthService
from erkenning.core.caller import ADVISER_ROLES, Caller, Role
from erkenning.core.errors import DomainError
from erkenning.recognition.services.recognitions import RecognitionService
from erkenning.vocabulary import RECOGNITION_STATUSES

# What a refused step means to the person who tried it, by HTTP status of the refusal.
_REFUSED = {
    403: "U mag deze stap niet zetten.",
    404: "Dit is niet (meer) gevonden.",
    409: "Deze stap kan nu niet: de stand is intussen gewijzigd, of de stap past niet bij de huidige stand. "
    "Hieronder ziet u de huidige stand.",
    422: "Deze stap kan niet met deze gegevens.",
}


def refusal_text(exc: DomainError, specific: Mapping[type[DomainError], str] | None = None) -> str:
    """The Dutch sentence for a service's refusal: a page's own words for its type, else by status."""
    for cls in type(exc).__mro__:
        if specific and cls in specific:
            return specific[cls]
    return _REFUSED.get(exc.status_code, "Deze stap is niet gelukt.")


@dataclass
class Names:
    """Companies and people by id, so that lists show names rather than ids."""

    companies: dict[UUID, Company] = field(default_factory=dict)
    people: dict[UUID, str] = field(default_factory=dict)

    def company(self, company_id: UUID | None) -> Company | None:
        return self.companies.get(company_id) if company_id else None

    def person(self, principal_id: UUID | None, empty: str = "–") -> str:
        if principal_id is None:
            return empty
        return self.people.get(principal_id, "onbekend")


class Directory:
    """Names for ids and the choices the forms offer, through the services (and so the caller's scope)."""

    def __init__(self, companies: CompanyService, auth: AuthService, recognitions: RecognitionService) -> None:
        self.companies = companies
        self.auth = auth
        self.recognitions = recognitions

    async def names(
        self, caller: Caller, *, companies: Iterable[UUID | None] = (), people: Iterable[UUID | None] = ()
    ) -> Names:
        found = await self.companies.get_many([c for c in companies if c is not None], caller)
        principals = await self.auth.principals(people)
        return Names(found, {pid: p.name for pid, p in principals.items()})

    async def adviser_options(self) -> tuple[tuple[str, str], ...]:
        """Active advisers and senior advisers as (id, name) options, by name."""
        people = [p for role in ADVISER_ROLES for p in await self.auth.list_principals(role=role) if p.active]
        people.sort(key=lambda p: (p.name.lower(), str(p.id)))
        suffix = {Role.SENIOR_ADVISER: " (senior)", Role.ADVISER: ""}
        return tuple((str(p.id), p.name + suffix[p.role]) for p in people)

    async def recognition_options(self, caller: Caller, company_id: UUID) -> tuple[tuple[str, str], ...]:
        """A company's recognitions as (id, "Kok (25180, BOL), nu erkend") options, for the forms that name some."""
        recognitions = await self.recognitions.for_company(company_id, caller)
        return tuple(
            (str(r.id), f"{r.qualification_name} ({r.crebo}, {vocabulary.term(r.pathway)}), "
                        f"nu {RECOGNITION_STATUSES[r.status][0]}")
            for r in recognitions
        )


async def provide_directory(
    companies: NamedDependency[CompanyService], auth: NamedDependency[AuthService],
    recognitions: NamedDependency[RecognitionService],
) -> Directory:
    return Directory(companies, auth, recognitions)
