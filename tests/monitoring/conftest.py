"""Fixtures for monitoring: the seeded world with its ledger (`seeder`, the empty one, is the suite's)."""

from __future__ import annotations

import pytest

from erkenning.core.runtime import Runtime
from tests.factories import Principal
from tests.monitoring.seed import Seeder, seed_world


@pytest.fixture
async def world(runtime: Runtime, adviser: Principal) -> Seeder:
    """The seeded world of the indicators (here `world` is this, not the recognitions' world)."""
    return await seed_world(runtime, adviser.id)
