"""Token cases on real routes: none, malformed, unknown, revoked, expired → 401; wrong role → 403; foreign → 404."""

from datetime import timedelta
from uuid import uuid4

import pytest
import sqlalchemy as sa

from erkenning.core.auth import tokens as token_material
from erkenning.core.auth.models import ApiToken
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from tests.factories import TokenFactory

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


# ---------------------------------------------------------------- token material, expiry, throttling


async def test_lookup_is_by_keyed_hash_then_compared_in_constant_time(
    client, tokens: TokenFactory, runtime: Runtime, monkeypatch
) -> None:
    import hmac

    from erkenning.core.auth import service as auth_service

    compared: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth_service.hmac, "compare_digest", spy)
    adviser = await tokens.make(Role.ADVISER)
    assert await auth_service.authenticate(runtime.engine, runtime.settings, adviser.token) is not None
    digest = token_material.hash_token(adviser.token, "test-pepper")
    assert compared == [(digest, digest)]  # hashes, never the plaintext, are compared


@pytest.mark.parametrize(
    ("role", "setting"),
    [(Role.ADMIN, "token_lifetime_days_staff"), (Role.SENIOR_ADVISER, "token_lifetime_days_staff"),
     (Role.ADVISER, "token_lifetime_days_staff"), (Role.COMPANY, "token_lifetime_days_company"),
     (Role.SCHOOL, "token_lifetime_days_school")],
)
async def test_lifetime_per_role_comes_from_settings_and_ends_on_the_next_request(
    client, runtime: Runtime, settings, role: Role, setting: str
) -> None:
    from erkenning.core import clock
    from erkenning.core.auth.service import AuthService
    from tests.factories import SYSTEM, make_company

    days = {"token_lifetime_days_staff": 3, "token_lifetime_days_company": 5, "token_lifetime_days_school": 7}
    own = settings.model_copy(update=days)
    company_id = (await make_company(runtime)).id if role is Role.COMPANY else None
    async with runtime.transaction() as session:
        service = AuthService(session, own)
        principal = await service.create_principal(
            SYSTEM, name="t", role=role, company_id=company_id, school_brin="25LX" if role is Role.SCHOOL else None
        )
        issued = await service.issue_token(SYSTEM, principal.id)
    lifetime = issued.token.expires_at - issued.token.created_at
    assert abs(lifetime - timedelta(days=days[setting])) < timedelta(seconds=5)
    headers = {"Authorization": f"Bearer {issued.plaintext}"}
    route = PORTAL_ROUTE if role is Role.COMPANY else "/api/v1/register/school/webhook" if role is Role.SCHOOL \
        else "/api/v1/backoffice/companies"
    with clock.travel(timedelta(days=days[setting]) - timedelta(minutes=5)):
        assert (await client.get(route, headers=headers)).status_code != 401
    with clock.travel(timedelta(days=days[setting], minutes=1)):
        _is_401(await client.get(route, headers=headers))

    # 0 = no expiry
    async with runtime.transaction() as session:
        endless = await AuthService(session, settings.model_copy(update={setting: 0})).issue_token(SYSTEM, principal.id)
    assert endless.token.expires_at is None


async def test_junk_tokens_from_one_address_get_429_but_a_valid_token_from_it_is_answered(
    client, app, tokens: TokenFactory, settings, logs
) -> None:
    import httpx

    adviser = await tokens.make(Role.ADVISER)
    guesses = [token_material.generate() for _ in range(25)]
    statuses = [(await client.get(ADMIN_ROUTE, headers={"Authorization": f"Bearer {g}"})).status_code
                for g in guesses]
    assert statuses == [401] * settings.auth_failure_limit + [429] * (25 - settings.auth_failure_limit)
    # A valid token from the very same address is answered: junk cannot lock out its neighbours.
    assert (await client.get("/api/v1/backoffice/companies", headers=adviser.headers)).status_code == 200
    refused = await client.get(ADMIN_ROUTE, headers={"Authorization": f"Bearer {token_material.generate()}"})
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= settings.auth_failure_window_s
    assert refused.headers["content-type"].startswith("application/problem+json")
    malformed = await client.get(ADMIN_ROUTE, headers={"Authorization": "Basic x"})
    assert malformed.status_code == 429
    assert (await client.get("/api/v1/backoffice/companies", headers=adviser.headers)).status_code == 200
    # Anonymous routes stay open to it, and another address is not affected.
    assert (await client.get("/health/live")).status_code == 200
    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("192.0.2.7", 4000)),
                              base_url="http://testserver")
    async with other:
        junk = await other.get(ADMIN_ROUTE, headers={"Authorization": f"Bearer {token_material.generate()}"})
        assert junk.status_code == 401
    # One log line per failure up to the limit; the refused ones are only request lines.
    failed = logs.events("auth.failed")
    assert len(failed) == settings.auth_failure_limit + 1
    assert {e["reason"] for e in failed} == {"unknown_revoked_or_expired"} and failed[0]["origin"] == "127.0.0.1"
    for guess in guesses:
        assert guess not in logs.text and guess[4:14] not in logs.text


async def test_web_sign_in_failures_count_with_the_apis_but_a_valid_token_signs_in(
    client, app, tokens: TokenFactory, settings, logs
) -> None:
    import httpx

    from tests.helpers import WebClient, csrf_of

    admin = await tokens.make(Role.ADMIN)
    web_failures = settings.web_signin_limit - 2
    for _ in range(settings.auth_failure_limit - web_failures):
        await client.get(ADMIN_ROUTE, headers={"Authorization": f"Bearer {token_material.generate()}"})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as http:
        web = WebClient(http)
        form = await web.get("/inloggen")
        guesses = [token_material.generate() for _ in range(web_failures + 1)]
        statuses = [(await http.post("/inloggen", data={"_csrf": csrf_of(form.text), "token": g})).status_code
                    for g in guesses]
        # The shared limit is used up by the API's failures and the form's: the next wrong one waits.
        assert statuses == [422] * web_failures + [429]
        # The right token signs in all the same.
        signed_in = await http.post("/inloggen", data={"_csrf": csrf_of(form.text), "token": admin.token})
        assert signed_in.status_code == 303, signed_in.text
    web_logged = [e for e in logs.events("auth.failed") if e["channel"] == "web"]
    assert len(web_logged) == web_failures
    for guess in guesses:
        assert guess not in logs.text


async def test_each_request_line_names_its_actor_action_result_origin_and_time(client, tokens: TokenFactory, logs) -> None:
    adviser = await tokens.make(Role.ADVISER)
    await client.get("/api/v1/backoffice/companies", headers=adviser.headers)
    await client.get("/health/live")
    lines = logs.events("http.request")
    signed, anonymous = lines[-2], lines[-1]
    assert signed["actor"] == str(adviser.id) and anonymous["actor"] is None
    for line in (signed, anonymous):
        assert line["route"] and line["method"] == "GET" and line["status"] == 200
        assert line["origin"] == "127.0.0.1" and line["timestamp"] and line["request_id"]
    assert adviser.token not in logs.text
