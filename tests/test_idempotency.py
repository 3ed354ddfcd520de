"""Idempotency-Key on creating POSTs: replay, conflicting body, concurrent duplicates."""

import asyncio

import sqlalchemy as sa

from erkenning.core.auth.models import Principal
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from tests.factories import TokenFactory

ROUTE = "/api/v1/backoffice/admin/principals"


async def _count(runtime: Runtime, name: str) -> int:
    async with runtime.session_factory() as session:
        return (await session.exec(sa.select(sa.func.count()).where(Principal.name == name))).scalar_one()


async def test_same_key_and_body_replays_the_first_answer(client, tokens: TokenFactory, runtime: Runtime) -> None:
    admin = await tokens.make(Role.ADMIN)
    headers = {**admin.headers, "Idempotency-Key": "create-adviser-1"}
    body = {"name": "Adviseur Idem", "role": "adviser"}
    first = await client.post(ROUTE, json=body, headers=headers)
    second = await client.post(ROUTE, json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers.get("idempotent-replayed") == "true"
    assert "idempotent-replayed" not in first.headers
    assert await _count(runtime, "Adviseur Idem") == 1


async def test_same_key_with_another_body_is_422(client, tokens: TokenFactory, runtime: Runtime) -> None:
    admin = await tokens.make(Role.ADMIN)
    headers = {**admin.headers, "Idempotency-Key": "create-adviser-2"}
    assert (await client.post(ROUTE, json={"name": "A", "role": "adviser"}, headers=headers)).status_code == 201
    response = await client.post(ROUTE, json={"name": "B", "role": "adviser"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["type"] == "urn:erkenning:problem:idempotency-key-reused"
    assert await _count(runtime, "B") == 0


async def test_keys_belong_to_their_principal(client, tokens: TokenFactory, runtime: Runtime) -> None:
    admin_1, admin_2 = await tokens.make(Role.ADMIN), await tokens.make(Role.ADMIN)
    body = {"name": "Gedeelde sleutel", "role": "adviser"}
    for admin in (admin_1, admin_2):
        response = await client.post(ROUTE, json=body, headers={**admin.headers, "Idempotency-Key": "same"})
        assert response.status_code == 201 and "idempotent-replayed" not in response.headers
    assert await _count(runtime, "Gedeelde sleutel") == 2


async def test_failed_request_does_not_burn_the_key(client, tokens: TokenFactory, runtime: Runtime) -> None:
    admin = await tokens.make(Role.ADMIN)
    headers = {**admin.headers, "Idempotency-Key": "retry-after-error"}
    missing = await client.post(f"{ROUTE}/00000000-0000-0000-0000-000000000000/tokens", json={}, headers=headers)
    assert missing.status_code == 404
    again = await client.post(f"{ROUTE}/00000000-0000-0000-0000-000000000000/tokens", json={}, headers=headers)
    assert again.status_code == 404 and "idempotent-replayed" not in again.headers


async def test_ten_concurrent_duplicates_create_one_row(client, tokens: TokenFactory, runtime: Runtime) -> None:
    admin = await tokens.make(Role.ADMIN)
    headers = {**admin.headers, "Idempotency-Key": "burst-1"}
    body = {"name": "Gelijktijdig", "role": "adviser"}
    responses = await asyncio.gather(*(client.post(ROUTE, json=body, headers=headers) for _ in range(10)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 9
    assert await _count(runtime, "Gelijktijdig") == 1


async def test_malformed_key_is_400(client, tokens: TokenFactory) -> None:
    admin = await tokens.make(Role.ADMIN)
    response = await client.post(ROUTE, json={"name": "x", "role": "adviser"},
                                 headers={**admin.headers, "Idempotency-Key": "x" * 300})
    assert response.status_code == 400
