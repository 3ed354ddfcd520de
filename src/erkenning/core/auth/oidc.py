"""Staff sign-in with OpenID Connect: the authorisation code flow with PKCE, `state` and `nonce`.

What the relying party must check comes from OpenID Connect Core 1.0 §3.1.3.7 (ID token validation) and
RFC 7636 (PKCE); the provider's addresses from OpenID Connect Discovery 1.0 (whose `issuer` must equal the
configured one, §4.3); signing out at the provider from OpenID Connect RP-Initiated Logout 1.0. The JOSE work
(the signature against the provider's JWKS, and the claims iss, aud, exp, nonce) is joserfc's, never ours.

`state`, `nonce` and the PKCE verifier are not stored: each is HMAC(SESSION_SECRET, purpose + id of the
started sign-in), so the row of a started sign-in holds nothing that would let a reader of the database
finish it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import httpx
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.core.settings import Settings

# Asymmetric algorithms only: "none" and the HMAC family (keyed by the client secret) are never accepted.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
_DISCOVERY_TTL_S = 3600.0
# A staff role's rank: a person whose claim maps to several roles gets the highest.
_RANK = {Role.ADVISER: 1, Role.SENIOR_ADVISER: 2, Role.ADMIN: 3}


class SignInRefused(Exception):
    """A sign-in that does not hold; `reason` is a stable code for the audit trail and the logs."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ProviderInfo:
    """What the provider's discovery document says (the parts this relying party uses)."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None
    algorithms: tuple[str, ...]
    client_secret_post: bool  # the token endpoint takes the secret in the body, not Basic auth


@dataclass
class _Cached:
    fetched_at: float
    info: ProviderInfo
    keys: KeySet | None = None


_CACHE: dict[str, _Cached] = {}


def derive(settings: Settings, purpose: str, ident: UUID) -> str:
    """An unguessable value bound to a row id (url-safe, 43 characters): HMAC(SESSION_SECRET, purpose:id)."""
    secret = settings.session_secret.get_secret_value().encode()
    digest = hmac.new(secret, f"{purpose}:{ident}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def state_for(settings: Settings, sign_in_id: UUID) -> str:
    """The `state` of a started sign-in: its id and a MAC of it, so the callback finds the row."""
    return f"{sign_in_id.hex}.{derive(settings, 'oidc-state', sign_in_id)}"


def sign_in_id_from_state(settings: Settings, state: str | None) -> UUID:
    """The started sign-in a callback's `state` names; SignInRefused when missing or forged."""
    if not state:
        raise SignInRefused("state_missing")
    ident, _, mac = state.partition(".")
    try:
        sign_in_id = UUID(hex=ident)
    except ValueError:
        raise SignInRefused("state_invalid") from None
    if not hmac.compare_digest(mac, derive(settings, "oidc-state", sign_in_id)):
        raise SignInRefused("state_invalid")
    return sign_in_id


def nonce_for(settings: Settings, sign_in_id: UUID) -> str:
    return derive(settings, "oidc-nonce", sign_in_id)


def verifier_for(settings: Settings, sign_in_id: UUID) -> str:
    """The PKCE code verifier (RFC 7636 §4.1: 43 characters of the unreserved set)."""
    return derive(settings, "oidc-pkce", sign_in_id)


def challenge_of(verifier: str) -> str:
    """S256 code challenge (RFC 7636 §4.2)."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _client(settings: Settings) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=settings.oidc_timeout_s, follow_redirects=False)


async def provider(settings: Settings) -> ProviderInfo:
    """The provider's metadata, from its discovery document (kept for an hour)."""
    issuer = settings.oidc_issuer
    if not issuer:
        raise SignInRefused("not_configured")
    cached = _CACHE.get(issuer)
    if cached is not None and time.monotonic() - cached.fetched_at < _DISCOVERY_TTL_S:
        return cached.info
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        async with _client(settings) as http:
            response = await http.get(url)
            response.raise_for_status()
            doc = response.json()
    except (httpx.HTTPError, ValueError):
        raise SignInRefused("provider_unreachable") from None
    if not isinstance(doc, dict) or doc.get("issuer") != issuer:
        raise SignInRefused("discovery_issuer_mismatch")
    try:
        offered = doc.get("id_token_signing_alg_values_supported") or ["RS256"]
        methods = doc.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        info = ProviderInfo(
            issuer=issuer,
            authorization_endpoint=str(doc["authorization_endpoint"]),
            token_endpoint=str(doc["token_endpoint"]),
            jwks_uri=str(doc["jwks_uri"]),
            end_session_endpoint=doc.get("end_session_endpoint"),
            algorithms=tuple(a for a in ALGORITHMS if a in offered),
            client_secret_post="client_secret_basic" not in methods and "client_secret_post" in methods,
        )
    except KeyError:
        raise SignInRefused("discovery_incomplete") from None
    _CACHE[issuer] = _Cached(time.monotonic(), info)
    return info


async def _keys(settings: Settings, info: ProviderInfo, *, refresh: bool = False) -> KeySet:
    cached = _CACHE[info.issuer]
    if cached.keys is None or refresh:
        try:
            async with _client(settings) as http:
                response = await http.get(info.jwks_uri)
                response.raise_for_status()
                cached.keys = KeySet.import_key_set(response.json())
        except (httpx.HTTPError, ValueError, JoseError):
            raise SignInRefused("jwks_unreachable") from None
    return cached.keys


def authorization_url(
    settings: Settings, info: ProviderInfo, sign_in_id: UUID, redirect_uri: str
) -> str:
    """Where to send the browser to sign in (OIDC Core §3.1.2.1, with PKCE S256)."""
    query = {
        "response_type": "code",
        "client_id": settings.oidc_client_id,
        "redirect_uri": redirect_uri,
        "scope": settings.oidc_scopes,
        "state": state_for(settings, sign_in_id),
        "nonce": nonce_for(settings, sign_in_id),
        "code_challenge": challenge_of(verifier_for(settings, sign_in_id)),
        "code_challenge_method": "S256",
    }
    return f"{info.authorization_endpoint}?{urlencode(query)}"


def logout_url(settings: Settings, info: ProviderInfo, post_logout_redirect_uri: str) -> str | None:
    """Where to end the provider's session too (RP-Initiated Logout §2), if it offers that."""
    if not info.end_session_endpoint:
        return None
    query = {"client_id": settings.oidc_client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
    separator = "&" if "?" in info.end_session_endpoint else "?"
    return f"{info.end_session_endpoint}{separator}{urlencode(query)}"


async def exchange(settings: Settings, info: ProviderInfo, code: str, sign_in_id: UUID, redirect_uri: str) -> str:
    """Trade the code for tokens at the token endpoint (with the PKCE verifier); returns the ID token."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier_for(settings, sign_in_id),
    }
    client_id = settings.oidc_client_id or ""
    secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else ""
    auth: httpx.BasicAuth | None = None
    if info.client_secret_post:
        form |= {"client_id": client_id, "client_secret": secret}
    else:
        auth = httpx.BasicAuth(client_id, secret)
    try:
        async with _client(settings) as http:
            response = await http.post(info.token_endpoint, data=form, auth=auth or httpx.USE_CLIENT_DEFAULT)
    except httpx.HTTPError:
        raise SignInRefused("provider_unreachable") from None
    if response.status_code != 200:
        raise SignInRefused("code_refused")
    try:
        id_token = response.json().get("id_token")
    except ValueError:
        id_token = None
    if not isinstance(id_token, str):
        raise SignInRefused("no_id_token")
    return id_token


async def validate(settings: Settings, info: ProviderInfo, id_token: str, sign_in_id: UUID) -> dict[str, Any]:
    """The ID token's claims, once its signature (JWKS), iss, aud, azp, exp and nonce hold (OIDC Core §3.1.3.7)."""
    if not info.algorithms:
        raise SignInRefused("no_usable_algorithm")
    keys = await _keys(settings, info)
    try:
        try:
            token = jwt.decode(id_token, keys, algorithms=list(info.algorithms))
        except (ValueError, JoseError) as exc:
            if isinstance(exc, BadSignatureError):
                raise
            # A key the provider added since we fetched its set (rotation): fetch once more, then decide.
            token = jwt.decode(id_token, await _keys(settings, info, refresh=True), algorithms=list(info.algorithms))
    except BadSignatureError:
        raise SignInRefused("bad_signature") from None
    except (ValueError, JoseError):
        raise SignInRefused("malformed_token") from None
    claims = token.claims
    registry = jwt.JWTClaimsRegistry(
        now=lambda: int(clock.now().timestamp()),  # the service clock, which tests can move
        leeway=settings.oidc_leeway_s,
        iss={"essential": True, "value": info.issuer},
        aud={"essential": True, "value": settings.oidc_client_id or ""},
        exp={"essential": True},
        sub={"essential": True},
        nonce={"essential": True, "value": nonce_for(settings, sign_in_id)},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise SignInRefused("expired") from None
    except (InvalidClaimError, MissingClaimError) as exc:
        claim = getattr(exc, "claim", "claim")
        raise SignInRefused({"iss": "wrong_issuer", "aud": "wrong_audience", "nonce": "nonce_mismatch"}.get(
            claim, f"bad_{claim}")) from None
    except JoseError:
        raise SignInRefused("invalid_claims") from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != settings.oidc_client_id:
        raise SignInRefused("wrong_audience")
    return claims


def role_of(settings: Settings, claims: dict[str, Any]) -> Role | None:
    """The highest staff role the configured claim maps to, or None (refused: no mapped role)."""
    value = claims.get(settings.oidc_role_claim)
    values = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    roles = [Role(settings.oidc_role_map[v]) for v in values if isinstance(v, str) and v in settings.oidc_role_map]
    return max(roles, key=_RANK.__getitem__) if roles else None
