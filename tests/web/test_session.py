"""Signing in and out of the web interface: cookie, server-side session, expiry, revocation, limits."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa

from erkenning.app import create_app
from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.runtime import Runtime
from erkenning.web import sessions
from erkenning.web.tasks import purge_web_sessions
from tests.factories import TokenFactory
from tests.helpers import WebClient, csrf_of


async def _session_rows(runtime: Runtime) -> list[dict]:
    async with runtime.engine.connect() as conn:
        result = await conn.execute(sa.text("SELECT * FROM web_session"))
        return [dict(r) for r in result.mappings()]


async def test_signing_in_sets_a_strict_cookie_and_keeps_the_session_server_side(
    web: WebClient, tokens: TokenFactory, runtime: Runtime
) -> None:
    adviser = await tokens.make(Role.ADVISER, name="Sanne Jansen")
    response = await web.sign_in(adviser)

    assert response.headers["location"] == "/"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("erk_session="))
    assert {"HttpOnly", "Secure", "SameSite=lax", "Path=/"} <= {part.strip() for part in cookie.split(";")}
    key = cookie.split(";")[0].split("=", 1)[1]
    [row] = await _session_rows(runtime)
    assert row["principal_id"] == adviser.id and row["token_id"] is not None
    # The row knows the token by id and the cookie by hash: neither secret is stored.
    assert adviser.token not in str(row.values()) and key not in str(row.values())

    start = await web.get("/")
    assert start.status_code == 200
    assert "Sanne Jansen" in start.text and "Adviseur praktijkleren" in start.text


async def test_a_wrong_token_is_refused_in_the_error_summary_and_never_echoed(web: WebClient) -> None:
    wrong = "erk_" + "x" * 43
    response = await web.submit("/inloggen", data={"token": wrong})
    assert response.status_code == 422
    assert 'class="error-summary"' in response.text
    assert 'href="#veld-token"' in response.text
    assert "onbekend, ingetrokken of verlopen" in response.text
    assert wrong not in response.text
    assert "erk_session" not in response.headers.get("set-cookie", "")


async def test_an_empty_token_asks_for_one(web: WebClient) -> None:
    response = await web.submit("/inloggen", data={"token": "  "})
    assert response.status_code == 422
    assert "Vul uw toegangscode in." in response.text


async def test_signing_out_deletes_the_session_so_the_old_cookie_opens_nothing(
    web: WebClient, tokens: TokenFactory, runtime: Runtime
) -> None:
    await web.sign_in_as(tokens, Role.ADMIN)
    old_key = web.http.cookies["erk_session"]
    start = await web.get("/")

    response = await web.http.post("/uitloggen", data={"_csrf": csrf_of(start.text)})
    assert response.status_code == 303 and response.headers["location"] == "/inloggen"
    assert await _session_rows(runtime) == []
    assert "U bent uitgelogd." in (await web.get("/inloggen")).text

    again = await web.get("/", headers={"Cookie": f"erk_session={old_key}"})
    assert again.status_code == 303 and again.headers["location"].startswith("/inloggen")
    assert "Uw sessie is verlopen" in (await web.get(again.headers["location"])).text


async def test_a_revoked_token_ends_its_sessions_on_the_next_request(
    web: WebClient, tokens: TokenFactory, runtime: Runtime
) -> None:
    admin = await tokens.make(Role.ADMIN)
    await web.sign_in(admin)
    assert (await web.get("/")).status_code == 200

    async with runtime.engine.begin() as conn:
        await conn.execute(sa.text("UPDATE api_token SET revoked_at = now() WHERE principal_id = :p"), {"p": admin.id})

    response = await web.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/inloggen?volgende=/"
    forget = next(c for c in response.headers.get_list("set-cookie") if c.startswith("erk_session="))
    assert forget.startswith('erk_session=""') and "Max-Age=0" in forget
    assert await _session_rows(runtime) == []


async def test_a_deactivated_account_is_signed_out_on_the_next_request(
    web: WebClient, tokens: TokenFactory, runtime: Runtime
) -> None:
    company_user = await web.sign_in_as(tokens, Role.COMPANY)
    assert (await web.get("/")).status_code == 200
    async with runtime.engine.begin() as conn:
        await conn.execute(sa.text("UPDATE principal SET active = false WHERE id = :p"), {"p": company_user.id})
    assert (await web.get("/")).status_code == 303
    assert await _session_rows(runtime) == []


async def test_sessions_survive_a_restart_of_the_api(web: WebClient, tokens: TokenFactory, settings) -> None:
    await web.sign_in_as(tokens, Role.ADVISER, name="Sanne Jansen")
    cookie = web.http.cookies["erk_session"]
    restarted = Runtime.create(settings)
    try:
        transport = httpx.ASGITransport(app=create_app(runtime=restarted))
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
            response = await http.get("/", headers={"Cookie": f"erk_session={cookie}"})
        assert response.status_code == 200 and "Sanne Jansen" in response.text
    finally:
        await restarted.close()


async def test_an_idle_session_ends_and_the_sign_in_page_says_so(
    web: WebClient, tokens: TokenFactory, settings, runtime: Runtime
) -> None:
    admin = await tokens.make(Role.ADMIN)
    await web.sign_in(admin)
    # Still in use just before the idle limit…
    with clock.travel(timedelta(minutes=settings.web_session_idle_minutes - 2)):
        assert (await web.get("/")).status_code == 200
    # …and over once it passes without a request.
    with clock.travel(timedelta(minutes=2 * settings.web_session_idle_minutes)):
        response = await web.get("/bedrijven", follow_redirects=True)
    assert response.url.path == "/inloggen"
    assert "Uw sessie is verlopen" in response.text
    assert "erk_session" not in web.http.cookies


async def test_a_session_ends_at_its_absolute_expiry_even_when_in_use(
    web: WebClient, tokens: TokenFactory, settings
) -> None:
    await web.sign_in_as(tokens, Role.ADMIN)
    step = timedelta(minutes=settings.web_session_idle_minutes // 2)
    hours = timedelta(hours=settings.web_session_absolute_hours)
    moved = timedelta(0)
    while moved + step < hours:
        moved += step
        with clock.travel(moved):
            assert (await web.get("/")).status_code == 200
    with clock.travel(hours + timedelta(minutes=1)):
        assert (await web.get("/")).status_code == 303


async def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_site(
    web: WebClient, tokens: TokenFactory
) -> None:
    first = await web.get("/bedrijven?naam=bakker")
    assert first.status_code == 303
    assert first.headers["location"] == "/inloggen?volgende=/bedrijven%3Fnaam%3Dbakker"
    admin = await tokens.make(Role.ADMIN)
    form = await web.get(first.headers["location"])
    response = await web.http.post(
        first.headers["location"], data={"_csrf": csrf_of(form.text), "token": admin.token}
    )
    assert response.headers["location"] == "/bedrijven?naam=bakker"

    for evil in ("//evil.example/x", "https://evil.example", "/\\evil.example", "/\t/evil.example", "/\\/x"):
        await web.sign_out()
        form = await web.get("/inloggen")
        response = await web.http.post(
            "/inloggen", params={"volgende": evil}, data={"_csrf": csrf_of(form.text), "token": admin.token}
        )
        assert response.headers["location"] == "/", evil


async def test_failed_sign_ins_are_limited_per_address_but_never_a_valid_token(
    web: WebClient, settings, tokens: TokenFactory
) -> None:
    admin = await tokens.make(Role.ADMIN)
    page = await web.get("/inloggen")
    token = csrf_of(page.text)
    statuses = [
        (await web.http.post("/inloggen", data={"_csrf": token, "token": junk})).status_code
        for junk in ["erk_nope", ""] * 12 + ["erk_nope"]
    ]
    assert statuses[:settings.web_signin_limit] == [422] * settings.web_signin_limit
    assert set(statuses[settings.web_signin_limit:]) == {429}
    last = await web.http.post("/inloggen", data={"_csrf": token, "token": "erk_nope"})
    assert last.status_code == 429 and int(last.headers["retry-after"]) >= 1
    assert "te vaak geprobeerd" in last.text
    # 25 failures from this address, and the right token still signs in from it.
    signed_in = await web.http.post("/inloggen", data={"_csrf": token, "token": admin.token})
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
    assert (await web.get("/")).status_code == 200


async def test_the_api_does_not_accept_the_session_cookie(web: WebClient, tokens: TokenFactory) -> None:
    await web.sign_in_as(tokens, Role.ADMIN)
    response = await web.get("/api/v1/backoffice/companies")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_sign_in_and_out_are_audited(web: WebClient, tokens: TokenFactory, runtime: Runtime) -> None:
    admin = await tokens.make(Role.ADMIN)
    await web.sign_in(admin)
    await web.sign_out()
    async with runtime.engine.connect() as conn:
        rows = (await conn.execute(
            sa.text("SELECT action, detail FROM audit_event WHERE actor_id = :p ORDER BY seq"), {"p": admin.id}
        )).all()
    assert [r.action for r in rows] == ["session.started", "session.ended"]
    assert rows[0].detail["method"] == "token"


async def test_the_worker_purges_ended_sessions_only(
    web: WebClient, tokens: TokenFactory, runtime: Runtime, settings
) -> None:
    await web.sign_in_as(tokens, Role.ADMIN)
    assert await purge_web_sessions({"runtime": runtime}) == 0
    with clock.travel(timedelta(minutes=settings.web_session_idle_minutes + 1)):
        assert await purge_web_sessions({"runtime": runtime}) == 1
    assert await _session_rows(runtime) == []


async def test_a_new_sign_in_replaces_the_browsers_previous_session(
    web: WebClient, tokens: TokenFactory, runtime: Runtime
) -> None:
    first = await web.sign_in_as(tokens, Role.ADMIN)
    [before] = await _session_rows(runtime)
    # Signed in, the sign-in page sends you on; posting to it again (a second tab) starts afresh.
    start = await web.get("/")
    await web.http.post("/inloggen", data={"_csrf": csrf_of(start.text), "token": first.token})
    [after] = await _session_rows(runtime)
    assert after["id"] != before["id"]


async def test_a_token_session_must_name_its_token(tokens: TokenFactory, runtime: Runtime) -> None:
    admin = await tokens.make(Role.ADMIN)
    with pytest.raises(sa.exc.IntegrityError, match="token_sign_in_names_its_token"):
        async with runtime.transaction() as session:
            session.add(sessions.WebSession(
                key_hash="0" * 64, principal_id=admin.id, token_id=None, method=sessions.SignInMethod.TOKEN,
                expires_at=clock.now() + timedelta(hours=1),
            ))
            await session.flush()
