"""Fixtures for the training tests: an adviser, and helpers that build courses and sessions over HTTP."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import httpx
import pytest

from erkenning.core import clock
from erkenning.core.caller import Role
from tests.helpers import Principal, TokenFactory

BACKOFFICE = "/api/v1/backoffice/training"
PORTAL = "/api/v1/portal/training"
_codes = itertools.count(1)


@pytest.fixture
async def adviser(tokens: TokenFactory) -> Principal:
    return await tokens.make(Role.ADVISER)


async def make_course(client: httpx.AsyncClient, staff: Principal, **fields: Any) -> dict[str, Any]:
    n = next(_codes)
    body = {
        "code": f"WS-{n:04d}",
        "title": f"Werven zonder vooroordelen {n}",
        "description": "Objectief werven en selecteren van stagiairs.",
        "format": "workshop",
        "topics": ["discrimination_free_recruitment"],
        "duration_minutes": 180,
    }
    body.update(fields)
    response = await client.post(f"{BACKOFFICE}/courses", json=body, headers=staff.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def make_session(
    client: httpx.AsyncClient,
    staff: Principal,
    course_id: str,
    *,
    capacity: int = 10,
    starts_in: timedelta = timedelta(days=10),
    **fields: Any,
) -> dict[str, Any]:
    starts = clock.local(clock.now() + starts_in).replace(microsecond=0)
    body = {
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=3)).isoformat(),
        "location": "SBB, Zoetermeer",
        "capacity": capacity,
    }
    body.update(fields)
    response = await client.post(
        f"{BACKOFFICE}/courses/{course_id}/sessions", json=body, headers=staff.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def enrol(client: httpx.AsyncClient, company: Principal, **body: Any) -> httpx.Response:
    return await client.post(f"{PORTAL}/participations", json=body, headers=company.headers)
