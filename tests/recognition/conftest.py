"""Fixtures for recognitions and decisions: staff with real tokens, a company, qualifications, and a world
built through the services (so each test drives over HTTP only the behaviour it is about)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from erkenning.companies.models import Company
from erkenning.core import clock
from erkenning.core.caller import Caller, Role
from erkenning.core.runtime import Runtime
from erkenning.letters import RENDERER
from erkenning.recognition.effects import CHANGED
from erkenning.recognition.models import Pathway
from erkenning.recognition.schemas import DecisionCreate, QualificationCreate, RecognitionCreate
from erkenning.recognition.services.decisions import DecisionService
from erkenning.recognition.services.qualifications import QualificationService
from erkenning.recognition.services.recognitions import RecognitionService
from tests.helpers import Principal, TokenFactory


@pytest.fixture(autouse=True)
def recognition_changed_handler(runtime: Runtime) -> None:
    """The register's real handler for `recognition.changed` is among the runtime's (as in the worker)."""
    assert CHANGED in runtime.handlers


def as_caller(principal: Principal) -> Caller:
    return Caller(
        principal_id=principal.id,
        role=principal.role,
        name=f"test {principal.role.value}",
        company_id=principal.company_id,
    )


@dataclass
class World:
    """People with tokens, one company (with its own portal account) and helpers to build history."""

    runtime: Runtime
    adviser: Principal
    senior: Principal
    senior2: Principal
    admin: Principal
    company: Principal  # the company's portal account; company.company_id is the company

    @property
    def company_id(self) -> UUID:
        assert self.company.company_id is not None
        return self.company.company_id

    async def company_row(self) -> Company:
        async with self.runtime.session_factory() as session:
            company = await session.get(Company, self.company_id)
        assert company is not None
        return company

    async def email(self) -> str:
        company = await self.company_row()
        assert company.email
        return company.email

    async def qualification(self, crebo: str = "25180", name: str = "Kok", level: int = 2) -> UUID:
        async with self.runtime.transaction() as session:
            service = QualificationService(session)
            try:
                return (await service.by_crebo(crebo)).id
            except Exception:
                made = await service.create(
                    QualificationCreate(crebo=crebo, name=name, level=level), as_caller(self.admin)
                )
                return made.id

    async def application(
        self,
        crebo: str = "25180",
        pathway: Pathway = Pathway.BOL,
        *,
        company_id: UUID | None = None,
        applied_on: date | None = None,
    ) -> UUID:
        await self.qualification(crebo)
        async with self.runtime.transaction() as session:
            read = await RecognitionService(session).apply(
                RecognitionCreate(
                    company_id=company_id or self.company_id,
                    crebo=crebo,
                    pathway=pathway,
                    applied_on=applied_on,
                ),
                as_caller(self.adviser),
            )
        return read.id

    async def decide(self, kind: str, recognition_ids: list[UUID], **fields: Any) -> UUID:
        """Draft, approve and send a decision through the services, as people would: a harmful kind is first
        put to the company, which responds; the approver confirms having read the response."""
        body = {"grounds": "Bezoek op locatie.", "legal_basis": "art. 7.2.10 WEB", **with_placements(kind, fields)}
        async with self.runtime.transaction() as session:
            service = DecisionService(session, self.runtime.settings, RENDERER)
            decision = await service.draft(
                DecisionCreate(kind=kind, recognition_ids=recognition_ids, **body), as_caller(self.adviser)
            )
            harmful = kind in {"refuse", "impose_conditions", "suspend", "withdraw"}
            if harmful:
                await service.intend(decision.id, as_caller(self.adviser))
                await service.record_response(decision.id, "Wij hebben geen bezwaar.", as_caller(self.adviser))
            await service.approve(decision.id, as_caller(self.senior), response_read=harmful)
            await service.send(decision.id, as_caller(self.senior))
        return decision.id

    async def granted(
        self,
        crebo: str = "25180",
        pathway: Pathway = Pathway.BOL,
        *,
        on: date | None = None,
        company_id: UUID | None = None,
    ) -> UUID:
        """A recognition granted on `on` (default today), applied for that same day."""
        on = on or clock.today()
        recognition_id = await self.application(crebo, pathway, company_id=company_id, applied_on=on)
        await self.decide("grant", [recognition_id], effective_from=on)
        return recognition_id


async def build_world(runtime: Runtime, tokens: TokenFactory) -> World:
    return World(
        runtime=runtime,
        adviser=await tokens.make(Role.ADVISER, email="adviseur@sbb.example"),
        senior=await tokens.make(Role.SENIOR_ADVISER, email="senior@sbb.example"),
        senior2=await tokens.make(Role.SENIOR_ADVISER, email="senior2@sbb.example"),
        admin=await tokens.make(Role.ADMIN),
        company=await tokens.make(Role.COMPANY),
    )


@pytest.fixture
async def world(runtime: Runtime, tokens: TokenFactory) -> World:
    return await build_world(runtime, tokens)


DECISIONS = "/api/v1/backoffice/decisions"
PORTAL = "/api/v1/portal"


def with_placements(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A suspension or withdrawal states its transition arrangement: here two months after it applies."""
    if kind not in {"suspend", "withdraw"} or "placements_until" in fields:
        return fields
    start = fields.get("effective_from") or clock.today()
    start = date.fromisoformat(start) if isinstance(start, str) else start
    return {**fields, "placements_until": (start + timedelta(days=60)).isoformat()}


def decision_body(kind: str, recognition_ids: list[UUID], **fields: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "recognition_ids": [str(r) for r in recognition_ids],
        "grounds": "Zie het bezoekverslag.",
        "legal_basis": "art. 7.2.10 WEB",
        **with_placements(kind, fields),
    }


def only(messages: list[Any], subject: str) -> Any:
    """The one message with this subject (the worker sends in parallel: arrival order is not fixed)."""
    [found] = [m for m in messages if m["Subject"] == subject]
    return found
