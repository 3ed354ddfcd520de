"""Fixtures for monitoring: staff with real tokens, and the seeded world with its ledger."""

from __future__ import annotations

import pytest

from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from tests.helpers import Principal, TokenFactory
from tests.monitoring.seed import Seeder, seed_world

MONITORING = "/api/v1/backoffice/monitoring"


@pytest.fixture
async def adviser(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.ADVISER)


@pytest.fixture
async def world(runtime: Runtime, adviser: Principal) -> Seeder:
    return await seed_world(runtime, adviser.id)


@pytest.fixture
async def seeder(runtime: Runtime, adviser: Principal) -> Seeder:
    """An empty seeder, for tests that write a few rows of their own."""
    return Seeder(runtime, adviser.id)
