"""Apps with sign-in settings of their own (single sign-on at a test issuer, token paste off), on the run's
database and Redis, and a test OpenID provider: a real HTTP server with its own key set, whose token
endpoint hands out the ID token a test signed (to exercise every check of the validator)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from litestar import Litestar
from pydantic import SecretStr

from erkenning.app import create_app
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.worker import wiring
from tests.auth.issuer import IssuerServer
from tests.helpers import WebClient


@pytest.fixture(scope="session")
def test_issuer() -> Any:
    issuer = IssuerServer().start()
    try:
        yield issuer
    finally:
        issuer.stop()


ROLE_MAP = {"erk-adviseur": "adviser", "erk-senior": "senior_adviser", "erk-beheer": "admin"}


@pytest.fixture
async def app_with(
    shared_settings: Settings, clean: None
) -> AsyncIterator[Callable[..., Litestar]]:
    """`app = app_with(web_token_signin=False)`: the app on the run's services with other settings."""
    runtimes: list[Runtime] = []

    def build(**overrides: Any) -> Litestar:
        runtime = Runtime.create(shared_settings.model_copy(update=overrides), handlers=wiring().handlers)
        runtimes.append(runtime)
        return create_app(runtime=runtime)

    try:
        yield build
    finally:
        for runtime in runtimes:
            await runtime.close()


@pytest.fixture
def sso_app(app_with: Callable[..., Litestar], test_issuer: IssuerServer) -> Litestar:
    test_issuer.id_token = None
    test_issuer.token_requests.clear()
    return app_with(
        oidc_issuer=test_issuer.url, oidc_client_id="erkenning-test", oidc_client_secret=SecretStr("s3cret"),
        oidc_role_map=ROLE_MAP, public_base_url="https://testserver",
    )


@pytest.fixture
async def sso_web(sso_app: Litestar) -> AsyncIterator[WebClient]:
    transport = httpx.ASGITransport(app=sso_app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        yield WebClient(http)
