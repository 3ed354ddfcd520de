"""The staff sign-in's checks (OpenID Connect Core 1.0 §3.1.3.7, RFC 7636), each through the pages: the app
starts a sign-in, the test issuer's token endpoint answers with an ID token the test signed, and the
callback accepts it or refuses it with a page and an audit row (`session.refused`, result denied)."""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from joserfc.jwk import RSAKey

from erkenning.core.runtime import Runtime
from tests.auth.issuer import IssuerServer
from tests.helpers import WebClient


async def _start(web: WebClient, issuer: IssuerServer) -> dict[str, str]:
    """Our sign-in sends the browser to the issuer; returns the authorisation request's parameters."""
    response = await web.get("/inloggen/sso?volgende=/bedrijven")
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith(f"{issuer.url}/authorize?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def _claims(issuer: IssuerServer, nonce: str | None, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": issuer.url, "aud": "erkenning-test", "sub": "entra-oid-123", "iat": now, "exp": now + 300,
        "nonce": nonce, "name": "Sanne Jansen", "email": "s.jansen@sbb.example", "roles": ["erk-adviseur"],
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.fixture
async def audit_mark(runtime: Runtime) -> int:
    """The audit chain runs on across tests: this test's rows come after this sequence number."""
    async with runtime.engine.connect() as conn:
        return int((await conn.execute(sa.text("SELECT coalesce(max(seq), 0) FROM audit_event"))).scalar_one())


async def _refusals(runtime: Runtime, since: int) -> list[dict[str, Any]]:
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(sa.text(
            "SELECT result, detail, actor_role FROM audit_event WHERE action = 'session.refused' AND seq > :since"
            " ORDER BY seq"
        ), {"since": since})
        return [dict(r) for r in rows.mappings()]


async def _principals(runtime: Runtime) -> list[dict[str, Any]]:
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(sa.text("SELECT name, email, role, oidc_subject FROM principal"))
        return [dict(r) for r in rows.mappings()]


async def test_a_valid_id_token_signs_in_with_the_role_of_the_claim(
    sso_web, test_issuer, runtime, audit_mark
) -> None:
    params = await _start(sso_web, test_issuer)
    assert params["response_type"] == "code" and params["code_challenge_method"] == "S256"
    test_issuer.id_token = test_issuer.sign(_claims(test_issuer, params["nonce"], roles=["x", "erk-senior"]))
    response = await sso_web.get(f"/inloggen/sso/terug?state={params['state']}&code=abc")
    assert response.status_code == 303 and response.headers["location"] == "/bedrijven"

    # PKCE: the verifier sent to the token endpoint is the one the challenge was made from; the secret by Basic.
    [sent] = test_issuer.token_requests
    digest = base64.urlsafe_b64encode(hashlib.sha256(sent["code_verifier"].encode()).digest()).rstrip(b"=")
    assert digest.decode() == params["code_challenge"]
    assert sent["authorization"] == "Basic " + base64.b64encode(b"erkenning-test:s3cret").decode()
    assert sent["redirect_uri"] == "https://testserver/inloggen/sso/terug"

    start = await sso_web.get("/")
    assert "Welkom, Sanne Jansen" in start.text
    assert await _principals(runtime) == [
        {"name": "Sanne Jansen", "email": "s.jansen@sbb.example", "role": "senior_adviser",
         "oidc_subject": "entra-oid-123"},
    ]
    assert await _refusals(runtime, audit_mark) == []


OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "test-1"})  # the issuer's kid, not its key


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("wrong_signature", "bad_signature"),
        ("wrong_issuer", "wrong_issuer"),
        ("wrong_audience", "wrong_audience"),
        ("expired", "expired"),
        ("no_nonce", "nonce_mismatch"),
        ("unmapped_role", "unmapped_role"),
    ],
)
async def test_an_id_token_that_fails_a_check_is_refused_and_audited(
    sso_web, test_issuer, runtime, audit_mark, case: str, reason: str
) -> None:
    params = await _start(sso_web, test_issuer)
    nonce = params["nonce"]
    token = {
        "wrong_signature": lambda: test_issuer.sign(_claims(test_issuer, nonce), key=OTHER_KEY),
        "wrong_issuer": lambda: test_issuer.sign(_claims(test_issuer, nonce, iss="https://evil.example")),
        "wrong_audience": lambda: test_issuer.sign(_claims(test_issuer, nonce, aud="another-app")),
        "expired": lambda: test_issuer.sign(
            _claims(test_issuer, nonce, iat=int(time.time()) - 900, exp=int(time.time()) - 600)
        ),
        "no_nonce": lambda: test_issuer.sign(_claims(test_issuer, None)),
        "unmapped_role": lambda: test_issuer.sign(_claims(test_issuer, nonce, roles=["Medewerker"])),
    }[case]()
    test_issuer.id_token = token
    response = await sso_web.get(f"/inloggen/sso/terug?state={params['state']}&code=abc")
    assert response.status_code == 403
    assert "erk_session" not in response.cookies
    assert "Inloggen" in response.text
    [refusal] = await _refusals(runtime, audit_mark)
    assert refusal["result"] == "denied" and refusal["detail"]["reason"] == reason
    assert await _principals(runtime) == []


async def test_a_replayed_nonce_is_refused(sso_web, test_issuer, runtime, audit_mark) -> None:
    """An ID token from an earlier sign-in (its nonce) does not finish a new one."""
    first = await _start(sso_web, test_issuer)
    test_issuer.id_token = test_issuer.sign(_claims(test_issuer, first["nonce"]))
    assert (await sso_web.get(f"/inloggen/sso/terug?state={first['state']}&code=one")).status_code == 303
    await sso_web.sign_out()

    second = await _start(sso_web, test_issuer)
    assert second["nonce"] != first["nonce"]
    # The token endpoint (or an attacker in between) hands back the first sign-in's token.
    response = await sso_web.get(f"/inloggen/sso/terug?state={second['state']}&code=two")
    assert response.status_code == 403
    assert [r["detail"]["reason"] for r in await _refusals(runtime, audit_mark)] == ["nonce_mismatch"]


async def test_a_callback_without_state_or_with_a_spent_or_forged_one_is_refused(
    sso_web, test_issuer, runtime, audit_mark
) -> None:
    params = await _start(sso_web, test_issuer)
    test_issuer.id_token = test_issuer.sign(_claims(test_issuer, params["nonce"]))
    assert (await sso_web.get("/inloggen/sso/terug?code=abc")).status_code == 403
    forged = params["state"].split(".")[0] + ".AAAA"
    assert (await sso_web.get(f"/inloggen/sso/terug?state={forged}&code=abc")).status_code == 403
    assert (await sso_web.get(f"/inloggen/sso/terug?state={params['state']}&code=abc")).status_code == 303
    await sso_web.sign_out()
    assert (await sso_web.get(f"/inloggen/sso/terug?state={params['state']}&code=abc")).status_code == 403
    reasons = [r["detail"]["reason"] for r in await _refusals(runtime, audit_mark)]
    assert reasons == ["state_missing", "state_invalid", "state_used"]
    assert {r["result"] for r in await _refusals(runtime, audit_mark)} == {"denied"}


async def test_a_callback_in_another_browser_is_refused(sso_web, test_issuer, runtime, audit_mark) -> None:
    params = await _start(sso_web, test_issuer)
    test_issuer.id_token = test_issuer.sign(_claims(test_issuer, params["nonce"]))
    sso_web.http.cookies.clear()  # another browser: it never started this sign-in
    response = await sso_web.get(f"/inloggen/sso/terug?state={params['state']}&code=abc")
    assert response.status_code == 403
    assert [r["detail"]["reason"] for r in await _refusals(runtime, audit_mark)] == ["other_browser"]
    assert test_issuer.token_requests == []  # refused before the code was spent


async def test_the_provider_s_error_is_refused(sso_web, test_issuer, runtime, audit_mark) -> None:
    params = await _start(sso_web, test_issuer)
    response = await sso_web.get(f"/inloggen/sso/terug?state={params['state']}&error=access_denied")
    assert response.status_code == 403
    assert [r["detail"]["reason"] for r in await _refusals(runtime, audit_mark)] == ["provider_error"]


async def test_sign_out_of_a_single_sign_on_session_goes_on_to_the_provider(sso_web, test_issuer) -> None:
    params = await _start(sso_web, test_issuer)
    test_issuer.id_token = test_issuer.sign(_claims(test_issuer, params["nonce"]))
    await sso_web.get(f"/inloggen/sso/terug?state={params['state']}&code=abc")
    start = await sso_web.get("/")
    from tests.helpers import csrf_of

    response = await sso_web.http.post("/uitloggen", data={"_csrf": csrf_of(start.text)})
    assert response.status_code == 303
    target = urlsplit(response.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{test_issuer.url}/logout"
    assert parse_qs(target.query) == {
        "client_id": ["erkenning-test"], "post_logout_redirect_uri": ["https://testserver/inloggen"],
    }
    assert (await sso_web.get("/")).status_code == 303  # signed out here already
    # The pages allow the sign-out form to go on to the provider (CSP form-action).
    assert test_issuer.url in start.headers["content-security-policy"]


async def test_without_an_issuer_there_is_no_single_sign_on(web) -> None:
    assert (await web.get("/inloggen/sso")).status_code == 404
    assert "SBB-account" not in (await web.get("/inloggen")).text
