"""A test OpenID provider: a real HTTP server on 127.0.0.1 with its own key set (discovery, JWKS, a token
endpoint that hands out the ID token a test signed), to exercise every check of the ID-token validator."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from joserfc import jwt
from joserfc.jwk import RSAKey

from erkenning.devtools.embedded import free_port


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
