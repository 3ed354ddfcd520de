"""Apps with sign-in settings of their own (single sign-on at a test issuer, token paste off), on the run's
database and Redis, and a test OpenID provider: a real HTTP server with its own key set, whose token
endpoint hands out the ID token a test signed (to exercise every check of the validator)."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from litestar import Litestar
from pydantic import SecretStr

from erkenning.app import create_app
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.devtools.embedded import free_port
from erkenning.worker import wiring
from tests.helpers import WebClient


@dataclass
class IssuerServer:
    """Discovery, JWKS and a token endpoint on 127.0.0.1; `id_token` is what the token endpoint answers."""

    port: int = field(default_factory=free_port)
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "test-1"}))
    id_token: str | None = None
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def sign(self, claims: dict[str, Any], key: RSAKey | None = None, alg: str = "RS256") -> str:
        signer = key or self.key
        return jwt.encode({"alg": alg, "kid": signer.kid}, claims, signer)

    def start(self) -> IssuerServer:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def _json(self, body: Any, status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    self._json({
                        "issuer": issuer.url, "authorization_endpoint": f"{issuer.url}/authorize",
                        "token_endpoint": f"{issuer.url}/token", "jwks_uri": f"{issuer.url}/jwks",
                        "end_session_endpoint": f"{issuer.url}/logout",
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                    })
                elif self.path == "/jwks":
                    self._json({"keys": [issuer.key.as_dict(private=False)]})
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                issuer.token_requests.append({**form, "authorization": self.headers.get("Authorization")})
                if issuer.id_token is None:
                    self._json({"error": "invalid_grant"}, 400)
                else:
                    self._json({"access_token": "a", "token_type": "Bearer", "id_token": issuer.id_token})

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


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
