"""Who acts: the roles, and the caller of one request or task (read by audit, scope and every service)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID


class Role(StrEnum):
    ADMIN = "admin"
    SENIOR_ADVISER = "senior_adviser"
    ADVISER = "adviser"
    COMPANY = "company"
    SCHOOL = "school"
    SYSTEM = "system"  # the worker acting on its own (deadlines, sweeps); never holds a token


STAFF_ROLES = frozenset({Role.ADMIN, Role.SENIOR_ADVISER, Role.ADVISER})
ADVISER_ROLES = frozenset({Role.SENIOR_ADVISER, Role.ADVISER})
TOKEN_ROLES = frozenset(Role) - {Role.SYSTEM}


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated identity of one request or task."""

    principal_id: UUID | None
    role: Role
    name: str
    company_id: UUID | None = None
    school_brin: str | None = None
    token_id: UUID | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES or self.role is Role.SYSTEM

    @property
    def is_senior(self) -> bool:
        return self.role is Role.SENIOR_ADVISER

    @classmethod
    def system(cls, name: str = "worker") -> Caller:
        return cls(principal_id=None, role=Role.SYSTEM, name=name)
