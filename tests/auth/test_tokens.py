"""Token cases on real routes: none, malformed, unknown, revoked, expired → 401; wrong role → 403; foreign → 404."""

from datetime import timedelta
from uuid import uuid4

import pytest
import sqlalchemy as sa

from erkenning.auth import tokens as token_material
from erkenning.auth.models import ApiToken, Role
from erkenning.runtime import Runtime
from tests.helpers import TokenFactory

ADMIN_ROUTE = "/api/v1/backoffice/admin/principals"
PORTAL_ROUTE = "/api/v1/portal/account/"


def _is_401(response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "urn:erkenning:problem:unauthorized"


async def test_no_token_is_401_on_backoffice_and_portal(client) -> None:
    _is_401(await client.get(ADMIN_ROUTE))
    _is_401(await client.get(PORTAL_ROUTE))


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "erk_abc", "Bearer erk_short", "Bearer " + "x" * 500],
)
async def test_malformed_authorization_is_401(client, header: str) -> None:
    _is_401(await client.get(ADMIN_ROUTE, headers={"Authorization": header}))


async def test_unknown_well_formed_token_is_401(client) -> None:
    _is_401(await client.get(ADMIN_ROUTE, headers={"Authorization": f"Bearer {token_material.generate()}"}))


async def test_revoked_token_is_401_from_the_next_request(client, tokens: TokenFactory) -> None:
    admin = await tokens.make(Role.ADMIN)
    victim = await tokens.make(Role.ADVISER)
    listed = (await client.get("/api/v1/backoffice/admin/tokens", headers=admin.headers,
                               params={"principal_id": str(victim.id)})).json()
    assert (await client.get("/api/v1/backoffice/admin/tokens", headers=victim.headers)).status_code == 403
    response = await client.post(f"/api/v1/backoffice/admin/tokens/{listed[0]['id']}/revoke", headers=admin.headers)
    assert response.status_code == 200 and response.json()["revoked_at"]
    _is_401(await client.get(ADMIN_ROUTE, headers=victim.headers))


async def test_expired_token_is_401(client, tokens: TokenFactory, runtime: Runtime) -> None:
    adviser = await tokens.make(Role.ADVISER)
    async with runtime.transaction() as session:
        await session.exec(
            sa.update(ApiToken).where(ApiToken.principal_id == adviser.id)
            .values(expires_at=sa.func.now() - timedelta(seconds=1))
        )
    _is_401(await client.get("/api/v1/backoffice/admin/tokens", headers=adviser.headers))


async def test_wrong_role_is_403(client, tokens: TokenFactory) -> None:
    adviser = await tokens.make(Role.ADVISER)
    company = await tokens.make(Role.COMPANY)
    school = await tokens.make(Role.SCHOOL, school_brin="25LX")
    for caller in (adviser, company, school):
        response = await client.get(ADMIN_ROUTE, headers=caller.headers)
        assert response.status_code == 403, response.text
        assert response.json()["type"] == "urn:erkenning:problem:forbidden"
    # Staff cannot use the company portal, and a company cannot reach the back office.
    assert (await client.get(PORTAL_ROUTE, headers=adviser.headers)).status_code == 403
    assert (await client.get("/api/v1/backoffice/admin/outbox", headers=company.headers)).status_code == 403


async def test_company_token_on_another_companys_object_is_404(client, tokens: TokenFactory) -> None:
    company_a = await tokens.make(Role.COMPANY)
    company_b = await tokens.make(Role.COMPANY)
    own = (await client.get("/api/v1/portal/account/tokens", headers=company_a.headers)).json()
    assert len(own) == 1
    token_id = own[0]["id"]
    assert (await client.get(f"/api/v1/portal/account/tokens/{token_id}", headers=company_a.headers)).status_code == 200
    foreign = await client.get(f"/api/v1/portal/account/tokens/{token_id}", headers=company_b.headers)
    assert foreign.status_code == 404
    assert foreign.json()["type"] == "urn:erkenning:problem:not-found"
    # …exactly as for an id that does not exist at all.
    missing = await client.get(f"/api/v1/portal/account/tokens/{uuid4()}", headers=company_b.headers)
    assert missing.status_code == 404 and missing.json()["detail"] == foreign.json()["detail"]


async def test_tokens_are_stored_only_as_keyed_hashes(client, tokens: TokenFactory, runtime: Runtime) -> None:
    adviser = await tokens.make(Role.ADVISER)
    async with runtime.engine.connect() as conn:
        rows = (await conn.execute(sa.text("SELECT * FROM api_token"))).mappings().all()
    flat = " ".join(str(v) for row in rows for v in row.values())
    assert adviser.token not in flat
    assert any(r["token_hash"] == token_material.hash_token(adviser.token, "test-pepper") for r in rows)


async def test_admin_api_creates_principal_and_issues_token_once(client, tokens: TokenFactory) -> None:
    admin = await tokens.make(Role.ADMIN)
    created = await client.post(
        ADMIN_ROUTE, json={"name": "ROC Midden", "role": "school", "school_brin": "25lx"}, headers=admin.headers
    )
    assert created.status_code == 201, created.text
    assert created.json()["school_brin"] == "25LX"
    issued = await client.post(f"{ADMIN_ROUTE}/{created.json()['id']}/tokens", json={"label": "meldpunt"},
                               headers=admin.headers)
    assert issued.status_code == 201
    plain = issued.json()["token"]
    me = await client.get("/api/v1/backoffice/admin/tokens", headers={"Authorization": f"Bearer {plain}"})
    assert me.status_code == 403  # a school token is valid, but not for the back office
    listed = await client.get("/api/v1/backoffice/admin/tokens", headers=admin.headers)
    assert all("token" not in t for t in listed.json())


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "role": "company"},  # a company principal needs its company
        {"name": "x", "role": "adviser", "company_id": str(uuid4())},  # and only a company has one
        {"name": "x", "role": "school", "school_brin": "ABCD"},  # not a BRIN code
        {"name": "x", "role": "system"},  # the worker's role holds no token
        {"name": "x", "role": "admin", "active": False},  # unknown fields are refused
    ],
)
async def test_principal_scope_must_match_role(client, tokens: TokenFactory, body: dict) -> None:
    admin = await tokens.make(Role.ADMIN)
    response = await client.post(ADMIN_ROUTE, json=body, headers=admin.headers)
    assert response.status_code == 422, response.text


async def test_failed_authentication_is_logged_without_the_token(client, logs) -> None:
    bogus = token_material.generate()
    await client.get(ADMIN_ROUTE, headers={"Authorization": f"Bearer {bogus}"})
    logged = logs.text
    assert logs.events("auth.failed")
    assert bogus not in logged and bogus[4:20] not in logged
