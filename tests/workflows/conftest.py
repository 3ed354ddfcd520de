"""Fixtures for investigations: staff, a school and a company with e-mail addresses (the workflow writes to them)."""

from __future__ import annotations

import pytest

from erkenning.companies.models import Company
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from tests.factories import Principal, TokenFactory, make_company


@pytest.fixture
async def adviser(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.ADVISER, email="adviseur@sbb.example")


@pytest.fixture
async def senior(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.SENIOR_ADVISER, email="senior1@sbb.example")


@pytest.fixture
async def senior2(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.SENIOR_ADVISER, email="senior2@sbb.example")


@pytest.fixture
async def company(runtime: Runtime) -> Company:
    return await make_company(runtime, email="bedrijf@example.org")


@pytest.fixture
async def company_user(tokens: TokenFactory, company: Company) -> Principal:
    return await tokens.make(Role.COMPANY, company_id=company.id)


@pytest.fixture
async def school(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.SCHOOL, school_brin="25LX", email="meldpunt@roc.example")
